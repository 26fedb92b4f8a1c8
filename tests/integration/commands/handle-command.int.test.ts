import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppendOptions, EventStore, ExpectedRevision, NewEvent } from '../../../domain/ports/event-store.ts';
import type { Command, Decider, DomainEvent } from '../../../domain/shared/decider.ts';
import { DomainError } from '../../../domain/shared/errors.ts';
import { handleCommand } from '../../../commands/handling/handle-command.ts';
import { StateCache } from '../../../commands/handling/state-cache.ts';
import { StreamQueue } from '../../../commands/handling/stream-queue.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';

// A tiny counter aggregate with a cap, enough to show the loop's guarantees: a command over the cap is
// refused (no events); Add(0) decides nothing.
type Add = Command<'Add', { amount: number }>;
type Added = DomainEvent<'Added', { amount: number }>;
const capped: Decider<Add, Added, { total: number }> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => ({ total: state.total + event.data.amount }),
  decide: (command, state) => {
    if (state.total + command.data.amount > 10) throw new DomainError('COUNTER.CAP', 'cap exceeded');
    return command.data.amount === 0 ? [] : [{ type: 'Added', data: { amount: command.data.amount } }];
  },
};
const add = (amount: number, commandId = randomUUID()): Add => ({
  type: 'Add', data: { amount }, metadata: { commandId, now: new Date('2026-11-22T00:00:00Z'), actor: { userId: 'u1', role: 'trader' } },
});

let sql: SqlClient;
let store: PostgresEventStore;
beforeAll(async () => {
  sql = await createPgliteClient();
  store = await PostgresEventStore.create(sql);
});
afterAll(async () => { await store.close(); await sql.close(); });

describe('command handling loop', () => {
  it('records the actor and command id in every event and derives event ids from the command id', async () => {
    const command = add(2);
    const result = await handleCommand({ eventStore: store }, capped, 'counter-meta', command);
    const [event] = await store.readStream('counter-meta');
    expect(event!.metadata).toMatchObject({ commandId: command.metadata.commandId, actor: { userId: 'u1', role: 'trader' } });
    expect(event!.eventId).toBe(result.recorded[0]!.eventId);
  });

  it('applies a retried command once and returns the original result', async () => {
    const command = add(3);
    const first = await handleCommand({ eventStore: store }, capped, 'counter-retry', command);
    const again = await handleCommand({ eventStore: store, cache: new StateCache() }, capped, 'counter-retry', command);
    expect(first.applied).toBe(true);
    expect(again.applied).toBe(false);
    expect(again.recorded.map((e) => e.eventId)).toEqual(first.recorded.map((e) => e.eventId));
    expect(await store.readStream('counter-retry')).toHaveLength(1);
  });

  it('never exceeds the cap when handlers with separate caches race on one stream', async () => {
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => handleCommand({ eventStore: store, cache: new StateCache(), maxAttempts: 20 }, capped, 'counter-race', add(1))));
    const events = await store.readStream('counter-race');
    expect(events.reduce((sum, e) => sum + (e.data.amount as number), 0)).toBe(10);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.every((r) => (r.reason as DomainError).code === 'COUNTER.CAP')).toBe(true);
  });

  it('decides against events another process wrote, after a conflict', async () => {
    const cache = new StateCache();
    await handleCommand({ eventStore: store, cache }, capped, 'counter-stale', add(5));
    await handleCommand({ eventStore: store, cache: new StateCache() }, capped, 'counter-stale', add(5)); // elsewhere
    await expect(handleCommand({ eventStore: store, cache }, capped, 'counter-stale', add(1))).rejects.toMatchObject({ code: 'COUNTER.CAP' });
  });
});

/** The real store, with a count of appends and a hook that runs before each one. */
function watched(store: EventStore, before?: (streamId: string, events: readonly NewEvent[]) => Promise<void>) {
  const appends: number[] = [];
  const wrapped: EventStore = Object.create(store);
  wrapped.append = async (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, options?: AppendOptions) => {
    appends.push(events.length);
    await before?.(streamId, events);
    return store.append(streamId, events, expected, options);
  };
  return { store: wrapped, appends };
}

describe('stream queue (commands of one stream share an append)', () => {
  const queueOn = (eventStore: EventStore) => new StreamQueue({ eventStore, cache: new StateCache() });

  it('records the commands that queue up behind an append together, each with its own events, ids and revisions', async () => {
    const { store: counted, appends } = watched(store);
    const queue = queueOn(counted);
    const commands = Array.from({ length: 10 }, () => add(1));
    const results = await Promise.all(commands.map((c) => queue.command(capped, 'sq-batch', c)));
    expect(appends).toEqual([1, 9]); // the first went alone; the nine behind it shared the next append
    const events = await store.readStream('sq-batch');
    expect(events.map((e) => e.metadata.commandId)).toEqual(commands.map((c) => c.metadata.commandId)); // arrival order
    results.forEach((result, i) => {
      expect(result.applied).toBe(true);
      expect(result.events).toEqual([{ type: 'Added', data: { amount: 1 } }]);
      expect(result.nextRevision).toBe(BigInt(i));
      expect(result.recorded.map((e) => [e.eventId, e.revision])).toEqual([[events[i]!.eventId, events[i]!.revision]]);
    });
  });

  it('lets callers answered together send their next commands into one batch', async () => {
    const uncapped: Decider<Add, Added, { total: number }> = { ...capped, decide: (command) => [{ type: 'Added', data: { amount: command.data.amount } }] };
    const { store: counted, appends } = watched(store);
    const queue = queueOn(counted);
    // four callers, each sending its next command as soon as the last is answered, after some work of its
    // own (a service checks the command id, reads a quote and the stop state first: a few awaits)
    const ownWork = async () => { for (let hop = 0; hop < 20; hop += 1) await Promise.resolve(); };
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 5; i += 1) { await ownWork(); await queue.command(uncapped, 'sq-loops', add(1)); }
    }));
    // after the first (alone), no command goes alone: not a lone command and a batch of three, taking turns
    expect(appends.slice(1).filter((n) => n < 3)).toEqual([]);
    expect(appends.length).toBeLessThanOrEqual(7);
    expect(await store.readStream('sq-loops')).toHaveLength(20);
  });

  it('refuses a command on the state its predecessors recorded and still records the ones after it', async () => {
    const { store: counted, appends } = watched(store);
    const queue = queueOn(counted);
    const [first, ...rest] = [add(1), add(5), add(6), add(0), add(4), add(0), add(1)];
    const inFlight = queue.command(capped, 'sq-refusal', first);
    const settled = await Promise.allSettled([inFlight, ...rest.map((c) => queue.command(capped, 'sq-refusal', c))]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'COUNTER.CAP' }); // 1 + 5 + 6 > 10
    expect((settled[6] as PromiseRejectedResult).reason).toMatchObject({ code: 'COUNTER.CAP' }); // 1 + 5 + 4 + 1 > 10
    const events = await store.readStream('sq-refusal');
    expect(events.map((e) => e.data.amount)).toEqual([1, 5, 4]);
    expect(appends).toEqual([1, 1, 1]); // 1 alone; 5 (its batch ended at the refused 6); 0, 4 and 0 together
    // a command that decided nothing answers the revision it was decided at: before the 4, then after it
    const revisionOf = (i: number) => (settled[i] as PromiseFulfilledResult<{ nextRevision: bigint }>).value.nextRevision;
    expect([revisionOf(3), revisionOf(5)]).toEqual([1n, 2n]);
  });

  it('hands every command of a batch to the one-at-a-time loop when another writer moved the stream', async () => {
    let interfered = false;
    const { store: racing } = watched(store, async (streamId, events) => {
      if (events.length > 1 && !interfered) {
        interfered = true; // another process appends just before the batch does
        await handleCommand({ eventStore: store, cache: new StateCache() }, capped, streamId, add(3));
      }
    });
    const queue = queueOn(racing);
    const commands = [add(1), add(2), add(2), add(2), add(1)];
    const settled = await Promise.allSettled(commands.map((c) => queue.command(capped, 'sq-conflict', c)));
    expect(interfered).toBe(true);
    // decided again one at a time on the moved stream: 1 + 3 (the other writer) + 2 + 2 + 2 = 10, and the last 1 is over the cap
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    const events = await store.readStream('sq-conflict');
    expect(events.map((e) => e.data.amount)).toEqual([1, 3, 2, 2, 2]);
    expect(events.reduce((sum, e) => sum + (e.data.amount as number), 0)).toBe(10);
  });

  it('records a command once when its retry is queued behind it', async () => {
    const queue = queueOn(store);
    const command = add(2);
    const [original, retry, other] = await Promise.all([add(1), command, command].map((c) => queue.command(capped, 'sq-retry', c)));
    expect(original!.applied).toBe(true);
    expect([retry!.applied, other!.applied].sort()).toEqual([false, true]);
    expect(other!.recorded.map((e) => e.eventId)).toEqual(retry!.recorded.map((e) => e.eventId));
    expect((await store.readStream('sq-retry')).map((e) => e.data.amount)).toEqual([1, 2]);
  });

  it('checks each command against the streams it was decided on', async () => {
    await handleCommand({ eventStore: store }, capped, 'sq-dependency', add(1));
    const current: AppendOptions = { unchanged: [{ streamId: 'sq-dependency', revision: 0n }] };
    const stale: AppendOptions = { unchanged: [{ streamId: 'sq-dependency', revision: undefined }] };
    const run = async (streamId: string, options: AppendOptions[]) => {
      const { store: counted, appends } = watched(store);
      const queue = queueOn(counted);
      const settled = await Promise.allSettled(options.map((o) => queue.command(capped, streamId, add(1), o)));
      return { statuses: settled.map((s) => (s.status === 'fulfilled' ? 'recorded' : (s.reason as Error).constructor.name)), appends, events: (await store.readStream(streamId)).length };
    };
    // a stream at two revisions cannot be checked in one append: the batch ends there
    expect(await run('sq-dependent-split', [current, current, stale, current])).toEqual({ statuses: ['recorded', 'recorded', 'StreamsChanged', 'recorded'], appends: [1, 1, 1, 1], events: 3 });
    // two commands decided on the same stale revision go together, fail together, and are refused one by one
    expect(await run('sq-dependent-stale', [current, stale, stale, current])).toEqual({ statuses: ['recorded', 'StreamsChanged', 'StreamsChanged', 'recorded'], appends: [1, 2, 1, 1, 1], events: 2 });
  });

  it('runs an exclusive task between the commands queued before and after it', async () => {
    const queue = queueOn(store);
    const seen: number[] = [];
    const before = [add(1), add(1)].map((c) => queue.command(capped, 'sq-exclusive', c));
    const task = queue.exclusive('sq-exclusive', async () => { seen.push((await store.readStream('sq-exclusive')).length); return 'read'; });
    const after = queue.command(capped, 'sq-exclusive', add(1));
    await expect(task).resolves.toBe('read');
    await Promise.all([...before, after]);
    expect(seen).toEqual([2]);
    // a task that fails, even at once, fails alone: the stream's queue goes on
    const broken = (() => { throw new Error('broken task'); }) as () => Promise<never>;
    await expect(queue.exclusive('sq-exclusive', broken)).rejects.toThrow('broken task');
    await expect(queue.command(capped, 'sq-exclusive', add(1))).resolves.toMatchObject({ nextRevision: 3n });
  });

  it('refuses a batch size below one', () => {
    expect(() => new StreamQueue({ eventStore: store, cache: new StateCache() }, { maxBatch: 0 })).toThrow(RangeError);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command, Decider, DomainEvent } from '../../../domain/shared/decider.ts';
import { DomainError } from '../../../domain/shared/errors.ts';
import { handleCommand } from '../../../commands/handling/handle-command.ts';
import { StateCache } from '../../../commands/handling/state-cache.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';

// A tiny counter aggregate with a cap, enough to show the loop's guarantees.
type Add = Command<'Add', { amount: number }>;
type Added = DomainEvent<'Added', { amount: number }>;
const capped: Decider<Add, Added, { total: number }> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => ({ total: state.total + event.data.amount }),
  decide: (command, state) => {
    if (state.total + command.data.amount > 10) throw new DomainError('COUNTER.CAP', 'cap exceeded');
    return [{ type: 'Added', data: { amount: command.data.amount } }];
  },
};
const add = (amount: number, commandId = randomUUID()): Add => ({
  type: 'Add', data: { amount }, metadata: { commandId, now: new Date('2026-11-22T00:00:00Z'), actor: { userId: 'u1', role: 'trader' } },
});

describe('command handling loop', () => {
  let sql: SqlClient;
  let store: PostgresEventStore;
  beforeAll(async () => {
    sql = await createPgliteClient();
    store = await PostgresEventStore.create(sql);
  });
  afterAll(async () => { await store.close(); await sql.close(); });

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

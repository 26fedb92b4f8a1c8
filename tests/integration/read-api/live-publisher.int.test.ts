// The live publisher follows the log from its head: events written after it started reach bus subscribers
// once, on the right topic, even with two publishers running; a standby takes over when the leader stops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryKeyValueStore } from '../../../infra/cache/memory.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { createMemoryLiveBus, startLivePublisher, type LiveEvent, type LiveMessage } from '../../../infra/bus/index.ts';
import { Drain } from './drain.ts';
import { randomUUID } from 'node:crypto';

const until = async (condition: () => boolean, timeoutMs = 3_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return condition();
};

describe('live publisher', () => {
  let sql: SqlClient;
  let store: PostgresEventStore;
  beforeAll(async () => { sql = await createPgliteClient(); store = await PostgresEventStore.create(sql); });
  afterAll(async () => { await store.close(); await sql.close(); });

  const deposit = (account: string, amount: bigint) =>
    store.append(`account-${account}`, [{ eventId: randomUUID(), type: 'FundsDeposited', data: { at: new Date().toISOString(), amount, reference: null, balanceAfter: amount } }], 'any');

  it('publishes new events once, by topic, with one leader among two publishers, and fails over', async () => {
    await deposit('OLD', 1n); // before the publishers started: not live news
    const bus = createMemoryLiveBus();
    const keyValue = createMemoryKeyValueStore();
    const first = startLivePublisher({ eventStore: store, bus, keyValue, leaseMs: 300 });
    const second = startLivePublisher({ eventStore: store, bus, keyValue, leaseMs: 300 });
    expect(await until(() => first.isLeader() || second.isLeader())).toBe(true);
    const accounts = new Drain<LiveMessage<LiveEvent>>(bus.subscribe<LiveEvent>('live.account.*'));
    const control = new Drain<LiveMessage<LiveEvent>>(bus.subscribe<LiveEvent>('live.control'));

    await deposit('A1', 250_000n);
    await store.append('control-global', [{ eventId: randomUUID(), type: 'EmergencyStopEngaged', data: { reason: 'test' } }], 'any');
    expect((await control.first(1)).map((m) => m.payload.type)).toEqual(['EmergencyStopEngaged']);
    const [message, ...more] = await accounts.first(2, 500);
    expect(more).toEqual([]);
    expect(message!.topic).toBe('live.account.A1');
    expect(message!.payload).toMatchObject({ type: 'FundsDeposited', streamId: 'account-A1', data: { amount: '250000' } });

    const [leader, standby] = first.isLeader() ? [first, second] : [second, first];
    await leader.stop();
    expect(await until(() => standby.isLeader())).toBe(true);
    await new Promise((r) => setTimeout(r, 100)); // the new leader subscribes from the head it saw
    await deposit('A2', 5n);
    expect((await accounts.first(2)).map((m) => m.topic)).toEqual(['live.account.A1', 'live.account.A2']);
    await standby.stop();
    await bus.close();
  }, 15_000);
});

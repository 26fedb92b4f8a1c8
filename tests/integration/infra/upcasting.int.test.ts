import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../../../domain/ports/event-store.ts';
import { UpcasterRegistry } from '../../../domain/shared/upcasting.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { withUpcasting } from '../../../infra/event-store/upcasting.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';

// v1 stored a balance as decimal text; v2 as integer cents; v3 added the currency.
const registry = new UpcasterRegistry()
  .register('AccountOpened', 1, (data) => ({ accountId: data.accountId!, balanceCents: BigInt((data.balance as string).replace('.', '')) }))
  .register('AccountOpened', 2, (data) => ({ ...data, currency: 'USD' }));

describe('upcasting on read', () => {
  let sql: SqlClient;
  let raw: PostgresEventStore;
  let store: EventStore;
  beforeAll(async () => {
    sql = await createPgliteClient();
    raw = await PostgresEventStore.create(sql);
    store = withUpcasting(raw, registry);
    await raw.append('account-U1', [{ eventId: randomUUID(), type: 'AccountOpened', schemaVersion: 1, data: { accountId: 'U1', balance: '1000.50' } }], 'no_stream');
    await raw.append('account-U2', [{ eventId: randomUUID(), type: 'AccountOpened', schemaVersion: 2, data: { accountId: 'U2', balanceCents: 5n } }], 'no_stream');
  });
  afterAll(async () => { await store.close(); await sql.close(); });

  it('upgrades old versions to the newest on readStream, readStreams, readAll and subscribe', async () => {
    const [v1] = await store.readStream('account-U1');
    expect(v1).toMatchObject({ schemaVersion: 3, data: { accountId: 'U1', balanceCents: 100050n, currency: 'USD' } });
    const both = await store.readStreams([{ streamId: 'account-U1' }, { streamId: 'account-U2' }]);
    expect([...both.values()].flat().map((e) => e.schemaVersion)).toEqual([3, 3]);
    expect(both.get('account-U1')![0]!.data).toEqual({ accountId: 'U1', balanceCents: 100050n, currency: 'USD' });
    const page = await store.readAll();
    expect(page.events.map((e) => e.schemaVersion)).toEqual([3, 3]);
    const subscription = store.subscribe();
    const seen = [];
    for await (const event of subscription) {
      seen.push(event.data);
      if (seen.length === 2) break;
    }
    expect(seen[1]).toEqual({ accountId: 'U2', balanceCents: 5n, currency: 'USD' });
  });

  it('never rewrites what is stored', async () => {
    const [stored] = await raw.readStream('account-U1');
    expect(stored).toMatchObject({ schemaVersion: 1, data: { accountId: 'U1', balance: '1000.50' } });
    expect(registry.latestVersion('AccountOpened')).toBe(3);
    expect(registry.latestVersion('Unknown')).toBe(1);
  });

  it('refuses a second upcaster for the same step', () => {
    expect(() => new UpcasterRegistry().register('X', 1, (d) => d).register('X', 1, (d) => d)).toThrow(/already registered/);
  });
});

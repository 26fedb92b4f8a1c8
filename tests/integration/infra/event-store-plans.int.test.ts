// On a store of hundreds of thousands of events, every read a running ledger makes must reach its rows by
// an index, also under the generic plan PostgreSQL switches a prepared statement to after a few runs.
// It did not: the subscribers' probe for hidden events (`position > $1 limit 1`, no order) got a
// sequential scan under that plan and read the whole table per probe (0.47 s on 1M events, every
// subscriber, after every append), which slowed every restart and every first order on a large store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { textArray, type SqlClient } from '../../../infra/sql/client.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { event } from '../../contracts/event-store.contract.ts';
import { recordingSql, type SentStatement } from '../../support/recording-sql.ts';
import { postgresService, TEST_DATABASE_URL, uniqueName } from '../../support/services.ts';

const postgres = await postgresService();
const EVENTS = 200_000;

const quoted = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** A statement's parameter as SQL text: the pg driver sends strings, numbers and string arrays here. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return quoted(textArray(value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))));
  return quoted(typeof value === 'string' ? value : JSON.stringify(value));
}

describe.skipIf(!postgres.available)(`event store reads on a large store${postgres.skipReason}`, () => {
  const schema = uniqueName('es_plans');
  const admin = createPgClient({ connectionString: TEST_DATABASE_URL, max: 1 });
  const statements: SentStatement[] = [];
  let store: PostgresEventStore;
  let sql: SqlClient;

  beforeAll(async () => {
    sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    store = await PostgresEventStore.create(recordingSql(sql, statements), { schema });
    // History as a year of trading leaves it: many streams, positions rising with the rows' order on disk.
    await admin.exec(`
      insert into ${schema}.events (position, event_id, stream_id, revision, type, schema_version, data, metadata, occurred_at)
      select n, md5(n::text)::uuid, 'account-A' || (n % 100), n / 100, case when n % 2 = 0 then 'OrderPlaced' else 'OrderFilled' end, 1,
             json_build_object('orderId', 'o' || (n / 2)), '{}'::json, now() - interval '1 second' * (${EVENTS} - n)
      from generate_series(1, ${EVENTS}) as n;
      analyze ${schema}.events;
    `);
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await sql?.close();
    await admin.exec(`drop schema if exists ${schema} cascade`);
    await admin.close();
  });

  it('reads by index under generic plans: a subscriber at the head, stream reads forwards and backwards, order events', async () => {
    await store.append('account-A7', [event('OrderPlaced', { orderId: 'new' })], 'any');
    statements.length = 0;
    const head = await store.headPosition();
    const subscription = store.subscribe({ after: head });
    const iterator = subscription[Symbol.asyncIterator]();
    const next = iterator.next();
    await store.append('account-A8', [event('OrderPlaced', { orderId: 'woken' })], 'any');
    expect((await next).value).toMatchObject({ streamId: 'account-A8' });
    // At the head again: the page comes back empty and the subscriber probes for hidden events.
    const idle = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await subscription.close();
    await idle;
    await store.readStream('account-A3', { fromRevision: 10n, maxCount: 5 });
    await store.readStream('account-A3', { direction: 'backwards', maxCount: 5 });
    await store.readOrderEvents('account-A4', 'o1004');
    await store.readStreams([{ streamId: 'account-A5', fromRevision: 1990n }]);

    const reads = statements.filter((s) => /^\s*(with|select)/i.test(s.text) && !/insert into/i.test(s.text));
    expect(reads.some((s) => /position > \$1/.test(s.text) && /limit 1/.test(s.text))).toBe(true); // the probe ran
    const scans: string[] = [];
    await admin.withConnection(async (conn) => {
      await conn.query('set plan_cache_mode = force_generic_plan');
      for (const [i, statement] of reads.entries()) {
        await conn.query(`prepare probe_${i} as ${statement.text}`);
        const args = statement.params.length === 0 ? '' : `(${statement.params.map(literal).join(', ')})`;
        const { rows } = await conn.query<{ 'QUERY PLAN': string }>(`explain execute probe_${i}${args}`);
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        if (new RegExp(`Seq Scan on events`).test(plan)) scans.push(`${statement.text.replace(/\s+/g, ' ').slice(0, 160)}\n${plan}`);
        await conn.query(`deallocate probe_${i}`);
      }
      await conn.query('reset plan_cache_mode');
    });
    expect(scans).toEqual([]);
  }, 60_000);
});

// Loading one account: folded from its first event (the baseline, what every load did before snapshots)
// against its latest snapshot plus the events after it, on PostgreSQL, for accounts of 10,000, 100,000 and
// 1,000,000 events (`--short`: the first two). The snapshot sits SNAPSHOT_EVERY - 1 events behind the head,
// the worst a load meets with the default SNAPSHOT_EVERY (500), and also at the head (the best). Each
// account is decided by its own decider (open, limits, then market orders each accepted and filled, one
// every 10 s) and COPYed into a schema of its own. Prints one figure per size and a growth line.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { StateCache, DEFAULT_SNAPSHOT_EVERY } from '../commands/handling/state-cache.ts';
import type { AccountCommand } from '../domain/trading/account/commands.ts';
import { accountDecider, accountSnapshots, accountStreamId, clientOrderIdsHeld, type AccountState } from '../domain/trading/account/index.ts';
import { encodeJson } from '../domain/shared/json.ts';
import { XAUUSD_FACTS } from '../domain/trading/orders/index.ts';
import { PostgresEventStore } from '../infra/event-store/postgres.ts';
import { createSqlSnapshotStore } from '../infra/event-store/snapshots.ts';
import { createPgClient } from '../infra/sql/pg-client.ts';
import { progress, report } from './report.ts';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ACCOUNT = 'LOAD-1';
const STREAM = accountStreamId(ACCOUNT);
const ORDER_EVERY_MS = 10_000;
const MID = 240_000n;
const LIMITS = {
  maxOrderNotional: 100_000_000n, maxPositionQty: 1_000n, maxOpenOrders: 1_000, priceCollarBps: 500n, maxQuoteAgeMs: 60_000,
  maxSubmitsPerWindow: 1_000_000, submitWindowMs: 1_000, maxDailyLoss: 100_000_000_000n,
};

interface Seeded {
  readonly lines: number;
  /** The state after every event but the last `behind`, and the id of the event it ends on. */
  readonly behindState: AccountState;
  readonly behindEventId: string;
}

/** The account's commands, `events` events' worth, decided and folded; yields COPY lines. */
function* history(events: number, behind: number, out: { state?: AccountState; eventId?: string }): Generator<string> {
  let state = accountDecider.initialState();
  let revision = 0;
  let now = Date.now() - Math.ceil(events / 4) * ORDER_EVERY_MS;
  const meta = (role: string) => ({ commandId: randomUUID(), now: new Date(now), actor: { userId: `bench-${role}`, role } });
  function* apply(command: AccountCommand): Generator<string> {
    if (revision >= events) return; // cut at the size asked for, possibly inside an order's events
    for (const event of accountDecider.decide(command, state)) {
      if (revision >= events) return;
      state = accountDecider.evolve(state, event);
      const eventId = randomUUID();
      const json = (value: unknown) => encodeJson(value).replace(/\\/g, '\\\\');
      yield `${revision + 1}\t${eventId}\t${STREAM}\t${revision}\t${event.type}\t1\t${json(event.data)}\t${json({ commandId: command.metadata.commandId })}\t${command.metadata.now.toISOString()}\n`;
      if (revision === events - 1 - behind) Object.assign(out, { state, eventId });
      revision += 1;
    }
  }
  yield* apply({ type: 'OpenAccount', data: { accountId: ACCOUNT, currency: 'USD', startingBalance: 100_000_000n }, metadata: meta('admin') });
  yield* apply({ type: 'SetRiskLimits', data: { accountId: ACCOUNT, limits: LIMITS }, metadata: meta('admin') });
  for (let n = 0; revision < events; n += 1) {
    now += ORDER_EVERY_MS;
    if (n % 25_000 === 0) progress(`account-load: ${revision.toLocaleString()} of ${events.toLocaleString()} events seeded`);
    const quote = { bid: MID - 10n, ask: MID + 10n, timestamp: new Date(now - 100) };
    const orderId = `o-${n}`;
    yield* apply({
      type: 'PlaceOrder',
      data: { accountId: ACCOUNT, orderId, clientOrderId: `c-${n}`, symbol: 'XAUUSD', side: n % 2 === 0 ? 'buy' : 'sell', kind: 'market', timeInForce: 'IOC', qty: 10n, market: { lastQuote: quote, instrument: XAUUSD_FACTS }, controls: { stopped: false } },
      metadata: meta('trader'),
    });
    yield* apply({ type: 'RecordFill', data: { accountId: ACCOUNT, orderId, fillId: `${orderId}-f`, qty: 10n, price: MID, market: { lastQuote: quote, bandBps: 100n } }, metadata: meta('service') });
  }
}

async function seed(schema: string, events: number, behind: number): Promise<Seeded> {
  const out: { state?: AccountState; eventId?: string } = {};
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  let lines = 0;
  function* chunks(): Generator<string> {
    let chunk = '';
    for (const line of history(events, behind, out)) {
      lines += 1;
      chunk += line;
      if (chunk.length >= 65_536) { yield chunk; chunk = ''; }
    }
    if (chunk) yield chunk;
  }
  try {
    const copy = client.query(copyFrom(`copy ${schema}.events (position, event_id, stream_id, revision, type, schema_version, data, metadata, occurred_at) from stdin`));
    await pipeline(Readable.from(chunks()), copy);
    await client.query(`analyze ${schema}.events`);
  } finally {
    await client.end();
  }
  return { lines, behindState: out.state!, behindEventId: out.eventId! };
}

/** The best of `times` runs, in ms (the least disturbed on a shared machine). */
async function bestMs(times: number, load: () => Promise<unknown>): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < times; i += 1) {
    const started = performance.now();
    await load();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

export async function run(args: string[]): Promise<void> {
  const sizes = args.includes('--short') ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  const behind = DEFAULT_SNAPSHOT_EVERY - 1;
  const sql = createPgClient({ connectionString: DATABASE_URL, max: 4 });
  const growth: string[] = [];
  try {
    for (const events of sizes) {
      const schema = `bench_account_load_${events}`;
      await sql.exec(`drop schema if exists ${schema} cascade`);
      const store = await PostgresEventStore.create(sql, { schema });
      const snapshots = await createSqlSnapshotStore(sql, { schema });
      const seeded = await seed(schema, events, behind);
      progress(`account-load: ${seeded.lines.toLocaleString()} events in ${STREAM}; folding from the first event (baseline)`);
      let folded: AccountState | undefined;
      const full = await bestMs(events >= 1_000_000 ? 1 : 2, async () => { folded = (await new StateCache().load(store, accountDecider, STREAM)).state; });
      const snapshot = { streamId: STREAM, foldVersion: accountSnapshots.version };
      await snapshots.save({ ...snapshot, revision: BigInt(events - 1 - behind), eventId: seeded.behindEventId, state: accountSnapshots.encode(seeded.behindState) });
      const viaSnapshot = () => new StateCache({ snapshots, snapshotEvery: 0 }).load(store, accountDecider, STREAM);
      const tailed = await bestMs(5, viaSnapshot);
      const fromSnapshot = (await viaSnapshot()).state;
      if (accountSnapshots.encode(fromSnapshot) !== accountSnapshots.encode(folded!)) throw new Error('snapshot + tail differs from the fold from the first event');
      const [head] = await store.readStream(STREAM, { direction: 'backwards', maxCount: 1 });
      const bytes = accountSnapshots.encode(folded!).length;
      await snapshots.save({ ...snapshot, revision: head!.revision, eventId: head!.eventId, state: accountSnapshots.encode(folded!) });
      const atHead = await bestMs(5, viaSnapshot);
      report({ bench: 'account-load', figure: `load_${events}_events_snapshot_${behind}_behind_ms`, value: tailed, unit: 'ms', baseline: full }, false);
      report({ bench: 'account-load', figure: `load_${events}_events_snapshot_at_head_ms`, value: atHead, unit: 'ms', baseline: full }, false);
      growth.push(`${events.toLocaleString()} events: fold ${full.toFixed(0)} ms, snapshot ${behind} behind ${tailed.toFixed(1)} ms, at head ${atHead.toFixed(1)} ms; snapshot ${(bytes / 1024).toFixed(0)} kB, ${clientOrderIdsHeld(folded!.clientOrderIds).toLocaleString()} client ids held`);
      await store.close();
      await sql.exec(`drop schema if exists ${schema} cascade`);
    }
  } finally {
    await sql.close();
  }
  progress(`account-load growth (one order every ${ORDER_EVERY_MS / 1000} s):\n  ${growth.join('\n  ')}`);
}

// Risk-checked PlaceOrder commands per second, against a raw INSERT of the same events (the three rows
// an accepted order records: OrderPlaced, RiskDecisionRecorded, OrderAccepted) into a plain copy of the
// events table, on the same PostgreSQL in the same run, with the same concurrency per stream.
//
// In process: the trading service as the command API calls it: idempotency record (key-value store),
// latest quote (quote book), stop state caught up per order, per-stream queue, decide, append.
// Paced: the same orders at 1,000/s offered, in process, against the raw INSERT at that rate: the share of
// the HTTP figures that is the order path itself.
// Over HTTP: see the section at the end; the command API adds its figures there.
import { commandHttpFigures } from './commands-http.ts';
import { measureCommitFloor } from './db-commit-floor.ts';
import { openLoop } from './paced-load.ts';
import { randomUUID } from 'node:crypto';
import type { KeyValueStore } from '../domain/ports/key-value.ts';
import { createQuoteBook } from '../commands/market-data/quote-book.ts';
import { createTradingService, type CommandContext, type TradingService } from '../commands/trading/index.ts';
import { createMemoryKeyValueStore } from '../infra/cache/memory.ts';
import { createRedisKeyValueStore } from '../infra/cache/redis.ts';
import { encodeJson } from '../infra/event-store/codec.ts';
import { PostgresEventStore } from '../infra/event-store/postgres.ts';
import type { SqlClient } from '../infra/sql/client.ts';
import { createPgClient } from '../infra/sql/pg-client.ts';
import { percentile, progress, report } from './report.ts';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL;
const PACED_RATE = 1_000;
const PACED_SECONDS = 5;

const trader: CommandContext['actor'] = { userId: 'bench-trader', role: 'trader' };
const LIMITS = {
  maxOrderNotional: 10_000_000_000n,
  maxPositionQty: 10_000_000n,
  maxOpenOrders: 1_000_000,
  priceCollarBps: 1_000n,
  maxQuoteAgeMs: 3_600_000,
  maxSubmitsPerWindow: 1_000_000,
  submitWindowMs: 1_000,
  maxDailyLoss: 1_000_000_000n,
};

interface Bench {
  readonly sql: SqlClient;
  readonly schema: string;
  readonly store: PostgresEventStore;
  readonly keyValue: KeyValueStore;
  readonly service: TradingService;
  /** Payloads of one accepted order's events, for the raw INSERT baseline. */
  sample: Array<{ type: string; data: string; metadata: string }>;
  position: number;
}

/** `workers` concurrent loops, `perWorker` orders each, on `accounts` accounts (worker w uses account w % accounts). */
interface Shape {
  readonly accounts: number;
  readonly workers: number;
  readonly perWorker: number;
}

async function openAccounts(bench: Bench, prefix: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await Promise.all(ids.map(async (accountId) => {
    await bench.service.openAccount({ commandId: randomUUID(), actor: trader }, { accountId, currency: 'USD', startingBalance: 1_000_000_000n });
    await bench.service.setRiskLimits({ commandId: randomUUID(), actor: { userId: 'bench-officer', role: 'risk_officer' } }, { accountId, limits: LIMITS });
  }));
  return ids;
}

const placeOrder = (service: TradingService, accountId: string) =>
  service.placeOrder({ commandId: randomUUID(), actor: trader }, { accountId, clientOrderId: randomUUID(), symbol: 'XAUUSD', side: 'buy', kind: 'market', timeInForce: 'GTC', qty: 1n });

async function throughput(shape: Shape, work: (account: number, worker: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: shape.workers }, async (_, w) => {
    for (let i = 0; i < shape.perWorker; i += 1) await work(w % shape.accounts, w);
  }));
  return (shape.workers * shape.perWorker) / ((performance.now() - started) / 1000);
}

async function serviceRun(bench: Bench, shape: Shape, label: string): Promise<number> {
  const accounts = await openAccounts(bench, label, shape.accounts);
  let accepted = 0;
  const rate = await throughput(shape, async (account) => {
    const outcome = await placeOrder(bench.service, accounts[account]!);
    if (outcome.accepted) accepted += 1;
  });
  if (accepted !== shape.workers * shape.perWorker) throw new Error(`${label}: only ${accepted} orders accepted; the bench measures accepted orders`);
  return rate;
}

/** One order's three events, one INSERT (autocommit), at the next revisions of the account's raw stream. */
async function rawInsert(bench: Bench, label: string, account: number, revisions: number[]): Promise<void> {
  const revision = revisions[account]!;
  revisions[account] = revision + 3;
  const first = bench.position;
  bench.position += 3;
  const idx = [0, 1, 2];
  await bench.sql.query(
    `insert into ${bench.schema}.raw_events (position, event_id, stream_id, revision, type, schema_version, data, metadata, occurred_at)
     select u.p, u.id, $1, u.r, u.t, 1, u.d::json, u.m::json, now()
     from unnest($2::bigint[], $3::uuid[], $4::bigint[], $5::text[], $6::text[], $7::text[]) as u(p, id, r, t, d, m)`,
    [`raw-${label}-${account}`, idx.map((i) => first + i), idx.map(() => randomUUID()), idx.map((i) => revision + i), bench.sample.map((e) => e.type), bench.sample.map((e) => e.data), bench.sample.map((e) => e.metadata)],
  );
}

/** The same three events per order, one INSERT each (autocommit), revisions per stream in sequence. */
async function rawRun(bench: Bench, shape: Shape, label: string): Promise<number> {
  const revisions = new Array<number>(shape.accounts).fill(0);
  return throughput(shape, (account) => rawInsert(bench, label, account, revisions));
}

async function sampleEvents(bench: Bench): Promise<void> {
  const [accountId] = await openAccounts(bench, 'sample', 1);
  await placeOrder(bench.service, accountId!);
  const events = await bench.store.readStream(`account-${accountId!}`);
  bench.sample = events.slice(-3).map((e) => ({ type: e.type, data: encodeJson(e.data), metadata: encodeJson(e.metadata) }));
}

async function inProcessFigures(bench: Bench, scale: number): Promise<void> {
  const figures: Array<[string, Shape, string | undefined]> = [
    ['inprocess_1_account', { accounts: 1, workers: 32, perWorker: Math.round(60 * scale) }, undefined],
    ['inprocess_100_accounts', { accounts: 100, workers: 100, perWorker: Math.round(60 * scale) }, '>= 5000 orders/s'],
  ];
  for (const [figure, shape, target] of figures) {
    progress(`commands/${figure}: warming up`);
    await rawRun(bench, shape, `warm-${figure}`);
    await serviceRun(bench, shape, `warm-${figure}`);
    let best = { service: 0, raw: 0 };
    for (let round = 0; round < 3; round += 1) {
      progress(`commands/${figure}: round ${round + 1}/3`);
      best = { raw: Math.max(best.raw, await rawRun(bench, shape, `${figure}-${round}`)), service: Math.max(best.service, await serviceRun(bench, shape, `${figure}-${round}`)) };
    }
    report({ bench: 'commands', figure, value: best.service, unit: 'orders/s', baseline: best.raw, ...(target ? { target } : {}) });
  }
}

/** `count` starts of `work` at `rate` per second (openLoop), on the next of `accounts` in turn: ms from each due time to its answer. */
async function paced(rate: number, count: number, accounts: number, work: (account: number) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  await openLoop(rate, count, (i, due) => work(i % accounts).then(() => { latencies.push(performance.now() - due); }));
  return latencies;
}

/**
 * The same orders in process at 1,000/s offered, against the raw INSERT of their events at that rate.
 * The two alternate in slices of 100 ms (after a second of each, not measured), so both meet the same
 * database: a checkpoint that starts during the phase (the closed-loop phases before it write ~0.5 GB of
 * WAL) held commits for ~0.4 s on the 2026-12-03 machine, and with one-second slices that landed on
 * whichever side was running (a p99 of 380 ms for one side, 17 ms for the other, by turns).
 */
async function pacedFigures(bench: Bench): Promise<void> {
  const accountCount = 100;
  const accounts = await openAccounts(bench, 'paced', accountCount);
  const revisions = new Array<number>(accountCount).fill(0);
  const raw = (account: number) => rawInsert(bench, 'paced', account, revisions);
  const order = async (account: number) => {
    if (!(await placeOrder(bench.service, accounts[account]!)).accepted) throw new Error('paced order denied: the figure measures accepted orders');
  };
  progress(`commands/inprocess_paced: raw INSERT and PlaceOrder in process, ${PACED_RATE}/s, alternating 100 ms slices, ${PACED_SECONDS}s of each over ${accountCount} accounts`);
  await paced(PACED_RATE, PACED_RATE, accountCount, raw);
  await paced(PACED_RATE, PACED_RATE, accountCount, order);
  const measured = { raw: [] as number[], service: [] as number[] };
  const slice = PACED_RATE / 10;
  for (let i = 0; i < PACED_SECONDS * 10; i += 1) {
    measured.raw.push(...(await paced(PACED_RATE, slice, accountCount, raw)));
    measured.service.push(...(await paced(PACED_RATE, slice, accountCount, order)));
  }
  const [rawSorted, serviceSorted] = [measured.raw, measured.service].map((l) => Float64Array.from(l).sort());
  report({ bench: 'commands', figure: 'inprocess_p50_at_1000', value: percentile(serviceSorted!, 0.5), unit: 'ms', baseline: percentile(rawSorted!, 0.5) }, false);
  report({ bench: 'commands', figure: 'inprocess_p99_at_1000', value: percentile(serviceSorted!, 0.99), unit: 'ms', baseline: percentile(rawSorted!, 0.99) }, false);
}

export async function run(args: string[]): Promise<void> {
  const scale = Number(args[0] ?? 1);
  const sql = createPgClient({ connectionString: DATABASE_URL, max: 32, idleTimeoutMs: 'never' }); // as the service's own pool
  const schema = `bench_commands_${Date.now().toString(36)}`;
  const keyValue = REDIS_URL ? createRedisKeyValueStore(REDIS_URL, { keyPrefix: `${schema}:` }) : createMemoryKeyValueStore();
  progress(`commands: key-value store ${REDIS_URL ? 'Redis' : 'in-process'} (set REDIS_URL for Redis)`);
  try {
    const store = await PostgresEventStore.create(sql, { schema });
    await sql.exec(`create table ${schema}.raw_events (like ${schema}.events including defaults including indexes)`);
    const quotes = createQuoteBook(keyValue);
    await quotes.update({ symbol: 'XAUUSD', bid: 240_000n, ask: 240_050n, mid: 240_025n, timestamp: new Date(), source: 'bench', sequence: 1n });
    const bench: Bench = { sql, schema, store, keyValue, service: createTradingService({ eventStore: store, keyValue, quotes }), sample: [], position: 1 };
    await sampleEvents(bench);
    await inProcessFigures(bench, scale);
    await pacedFigures(bench);
    await httpFigures(bench);
    await store.close();
  } finally {
    await sql.exec(`drop schema if exists ${schema} cascade`);
    await sql.close();
    await keyValue.close();
  }
}

// --- Over HTTP ------------------------------------------------------------------------------------
// The command API adds `http_p50_at_1000` and `http_p99_at_1000` (ms, paced load at 1,000 orders/s
// offered, against a bare fastify route) and the same against a bare route that commits the raw INSERT
// (`..._vs_insert_route`) here, on the same database and service as above, and the same against PostgreSQL's
// own committed insert at that rate, measured with pgbench (`..._vs_db_commit`; left out without pgbench).
async function httpFigures(bench: Bench): Promise<void> {
  const revisions = new Array<number>(100).fill(0);
  await commandHttpFigures({
    tradingService: bench.service, keyValue: bench.keyValue, insertOrderEvents: (account) => rawInsert(bench, 'http', account, revisions),
    commitFloor: (rate, seconds) => measureCommitFloor({ sql: bench.sql, databaseUrl: DATABASE_URL, schema: bench.schema, rate, seconds }),
  });
}

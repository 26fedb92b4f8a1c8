// GraphQL latency for a dashboard query mix at 1,000 requests/s offered, against a bare fastify JSON route
// under the same load in the same run. Read models are seeded straight into the `read` tables of a fresh
// database (PostgreSQL at TEST_DATABASE_URL; Redis for the hot cache when up).
// Figures: p50_at_1000 and p99_at_1000 (ms, lower is better; paced open-loop load from a worker thread,
// see paced-load.ts for why not autocannon's rate option), rps_at_1000 (requests/s answered at that offer)
// and rps_max (autocannon, closed loop, 50 connections: the most the server answers).
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { createMemoryKeyValueStore } from '../infra/cache/memory.ts';
import { createRedisKeyValueStore } from '../infra/cache/redis.ts';
import { createMemoryLiveBus } from '../infra/bus/index.ts';
import { createTokenVerifier, mintToken, type JwtSettings } from '../infra/auth/index.ts';
import { buildApp } from '../infra/http/app.ts';
import { createLogger } from '../infra/logging/logger.ts';
import { createMetrics } from '../infra/metrics/metrics.ts';
import { ALL_PROJECTIONS, detectFeatures, ensureEngineTables, migrateProjection } from '../projections/index.ts';
import { graphqlPlugin } from '../read-api/index.ts';
import type { SqlClient } from '../infra/sql/client.ts';
import { createPgClient } from '../infra/sql/pg-client.ts';
import { createTestDatabase } from '../tests/integration/projections/database.ts';
import { redisService, TEST_REDIS_URL, uniqueName } from '../tests/support/services.ts';
import { pacedLoad, type PacedLoadResult, type PacedRequest } from './paced-load.ts';
import { progress, report } from './report.ts';

const JWT: JwtSettings = { algorithm: 'HS256', secret: 'bench-secret-long-enough-for-hs256-0123456789', jwksUrl: undefined, publicKey: undefined, issuer: 'nicegold-ledger' };
const RATE = 1_000;
const ACCOUNTS = ['D1', 'D2', 'D3', 'D4'];

const DASHBOARD = [
  'query Quote { latestQuote(symbol: "XAUUSD") { bid ask mid at } }',
  'query Book($id: ID!) { account(id: $id) { balance equity unrealizedPnl tradingState { state } positions { symbol qty avgOpenPrice unrealizedPnl } } }',
  'query Orders($id: ID!) { account(id: $id) { orders(first: 20, status: [accepted, partially_filled, filled]) { nodes { id status qty filledQty avgFillPrice placedAt } pageInfo { hasNextPage endCursor } } } }',
  'query Desk { accounts { id equity positions { symbol qty } kpis { trades winRate } } controlStates { scope stopEngaged } }',
  'query Chart($from: DateTime!, $to: DateTime!) { candles(symbol: "XAUUSD", interval: M1, from: $from, to: $to, first: 120) { bucket open high low close } }',
];

async function seed(sql: { query(text: string, params?: unknown[]): Promise<unknown> }): Promise<void> {
  const now = Date.now();
  await sql.query(`insert into read.ticks (symbol, ts, source, sequence, bid, ask, mid, spread, position)
    select 'XAUUSD', to_timestamp(($1::bigint - g * 1000) / 1000.0), 'bench', g, 240000 + g % 50, 240040 + g % 50, 240020 + g % 50, 40, g from generate_series(1, 20000) g`, [now]);
  await sql.query(`insert into read.candles (symbol, timeframe, bucket, open, high, low, close, bid_close, ask_close, tick_count, spread_min, spread_max, spread_sum, first_position, last_position)
    select 'XAUUSD', '1m', date_trunc('minute', to_timestamp($1::bigint / 1000.0)) - g * interval '1 minute', 240000, 240100, 239900, 240050, 240030, 240070, 60, 30, 50, 2400, g, g from generate_series(0, 1440) g`, [now]);
  for (const [i, id] of ACCOUNTS.entries()) {
    await sql.query(`insert into read.account_equity values ($1, 'USD', 10000000, 1000, 50, 2000, 10002000, 10005000, 3000, 0.0003, current_date, 10000000, 0, 10, 6, 4, 5000, 4000, 3, 0, 0)`, [id]);
    await sql.query(`insert into read.account_kpis values ($1, 10, 6, 4, 5000, 4000, 1000, 1.25, 0.6, 100, 3000, 0.0003, 1.1, 3)`, [id]);
    await sql.query(`insert into read.positions values ($1, 'XAUUSD', $2, 2400000, 240000, 1000, 2000, 240020, 240000)`, [id, 10 + i]);
    await sql.query(`insert into read.orders (order_id, account_id, client_order_id, symbol, side, kind, time_in_force, qty, limit_price, stop_price, reduce_only, status, filled_qty, fill_notional, denial_reasons, status_reason, placed_at, updated_at, last_position)
      select $1 || '-' || g, $1, 'c' || g, 'XAUUSD', 'buy', 'limit', 'GTC', 10, 240000, null, false, (array['accepted','filled','canceled','denied'])[1 + g % 4], case when g % 4 = 1 then 10 else 0 end,
        case when g % 4 = 1 then 2400000 else 0 end, '{}', null, now() - g * interval '1 second', now(), g from generate_series(1, 2000) g`, [id]);
  }
  await sql.query(`insert into read.control_states (scope_key, kind, updated_at, last_position) values ('global', 'global', now(), 1)`);
}

/** 1,000 req/s for 10 s, paced, from a worker thread. */
async function load(url: string, requests: PacedRequest[]): Promise<PacedLoadResult> {
  const result = await pacedLoad({ url, rate: RATE, seconds: 10, requests });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors at ${RATE} req/s`);
  return result;
}

/** Closed loop, 50 connections, 10 s, autocannon in worker threads. */
const maxThroughput = (url: string, requests: autocannon.Request[], headers: Record<string, string>) =>
  autocannon({ url, connections: 50, duration: 10, requests, headers, workers: 2 });

export async function run(_args: string[]): Promise<void> {
  const db = await createTestDatabase('bench_gql', 20);
  const redis = await redisService();
  const keyValue = redis.available ? createRedisKeyValueStore(TEST_REDIS_URL, { keyPrefix: `${uniqueName('bench')}:` }) : createMemoryKeyValueStore();
  const bus = createMemoryLiveBus();
  let served: SqlClient | undefined;
  try {
    await ensureEngineTables(db.sql);
    const features = await detectFeatures(db.sql);
    for (const p of ALL_PROJECTIONS) await migrateProjection(db.sql, p, features);
    await seed(db.sql);
    // The server's own pool, set up as the graphql role sets up its own (idle connections kept).
    served = createPgClient({ connectionString: db.url, max: 20, idleTimeoutMs: 'never' });
    const plugin = graphqlPlugin({ sql: served, keyValue, bus, verifyToken: createTokenVerifier(JWT), graphiql: false });
    const app = await buildApp({ logger: createLogger('silent'), metrics: createMetrics({ defaultMetrics: false }), readiness: [], plugins: [plugin] });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const bare = Fastify();
    bare.get('/bare', async () => ({ symbol: 'XAUUSD', bid: '2400.00', ask: '2400.40' }));
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const token = await mintToken({ role: 'analyst', userId: 'bench' }, JWT);
    const from = new Date(Date.now() - 7_200_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const requests = DASHBOARD.flatMap((query) => ACCOUNTS.map((id) => ({ method: 'POST' as const, path: '/graphql', headers, body: JSON.stringify({ query, variables: query.includes('$id') ? { id } : query.includes('$from') ? { from, to } : {} }) })));
    const graphqlUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}`;
    progress(`redis cache: ${redis.available ? 'yes' : 'no (in-process)'}; warming up`);
    await autocannon({ url: graphqlUrl, connections: 20, amount: 3_000, requests, headers }); // JIT and caches
    progress('bare fastify route at 1,000 req/s for 10 s');
    const baseline = await load(bareUrl, [{ method: 'GET', path: '/bare' }]);
    progress('GraphQL dashboard mix at 1,000 req/s for 10 s');
    const result = await load(graphqlUrl, requests);
    report({ bench: 'graphql', figure: 'p50_at_1000', value: result.p50, unit: 'ms', baseline: baseline.p50 }, false);
    report({ bench: 'graphql', figure: 'p99_at_1000', value: result.p99, unit: 'ms', baseline: baseline.p99, target: '<= 10 ms' }, false);
    report({ bench: 'graphql', figure: 'rps_at_1000', value: result.rps, unit: 'requests/s', baseline: baseline.rps });
    progress('closed loop, 50 connections, 10 s each: bare route, then the GraphQL mix');
    const bareMax = await maxThroughput(`${bareUrl}/bare`, [{ method: 'GET', path: '/bare' }], {});
    const graphqlMax = await maxThroughput(graphqlUrl, requests, headers);
    report({ bench: 'graphql', figure: 'rps_max', value: graphqlMax.requests.average, unit: 'requests/s', baseline: bareMax.requests.average });
    await app.close();
    await bare.close();
  } finally {
    await served?.close();
    await bus.close();
    await keyValue.close();
    await db.drop();
  }
}

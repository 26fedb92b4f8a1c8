// HTTP half of `bench/commands`: the latency of risk-checked PlaceOrder requests through the command API
// (auth, per-user rate limit, role check, validation, decimal conversion, trading service, JSON answer)
// at 1,000 orders/s offered (paced open-loop load from a worker thread; see paced-load.ts for why not
// autocannon's rate option), against a bare fastify route that parses the same JSON body, on the same
// machine in the same run, and against a second bare route that also writes the order's events with the
// raw INSERT of the in-process figures (one commit per request), and against PostgreSQL's own committed
// insert at the same rate with no Node or HTTP at all (pgbench; see db-commit-floor.ts): the floor the
// database sets on the latency of an acknowledged order.
// Orders spread over 100 accounts, as a desk's flow would.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { commandApiPlugin } from '../commands/http/index.ts';
import type { TradingService } from '../commands/trading/service.ts';
import type { KeyValueStore } from '../domain/ports/key-value.ts';
import { createTokenVerifier, mintToken, type JwtSettings } from '../infra/auth/index.ts';
import { buildApp } from '../infra/http/app.ts';
import { createLogger } from '../infra/logging/logger.ts';
import { createMetrics } from '../infra/metrics/metrics.ts';
import type { CommitFloor } from './db-commit-floor.ts';
import { pacedLoad, type PacedLoadResult } from './paced-load.ts';
import { progress, report } from './report.ts';

export interface CommandHttpBenchDeps {
  /** A trading service on the benchmark's event store; the quote book must hold a fresh XAUUSD quote. */
  readonly tradingService: TradingService;
  readonly keyValue: KeyValueStore;
  /** Writes one accepted order's events for account `account` (0-99) with a raw INSERT, one commit. */
  readonly insertOrderEvents: (account: number) => Promise<void>;
  /** Seconds per measured run (default 10). */
  readonly seconds?: number;
  /**
   * PostgreSQL's own latency for a committed insert at the offered rate and for as long (pgbench, see
   * db-commit-floor.ts); undefined when it cannot be measured here.
   */
  readonly commitFloor?: (rate: number, seconds: number) => Promise<CommitFloor | undefined>;
}

const OFFERED_RATE = 1_000;
const ACCOUNTS = 100;
const JWT: JwtSettings = { algorithm: 'HS256', secret: 'bench-secret-long-enough-for-hs256-0123456789', jwksUrl: undefined, publicKey: undefined, issuer: 'nicegold-ledger' };
const LIMITS = {
  maxOrderNotional: 100_000_000_000n, maxPositionQty: 100_000_000n, maxOpenOrders: 1_000_000, priceCollarBps: 1_000n,
  maxQuoteAgeMs: 3_600_000, maxSubmitsPerWindow: 1_000_000, submitWindowMs: 1_000, maxDailyLoss: 1_000_000_000n,
};

async function openAccounts(service: TradingService, prefix: string): Promise<string[]> {
  const ids = Array.from({ length: ACCOUNTS }, (_, i) => `${prefix}-${i}`);
  await Promise.all(ids.map(async (accountId) => {
    await service.openAccount({ commandId: randomUUID(), actor: { userId: 'bench-admin', role: 'admin' } }, { accountId, currency: 'USD', startingBalance: 1_000_000_000n });
    await service.setRiskLimits({ commandId: randomUUID(), actor: { userId: 'bench-officer', role: 'risk_officer' } }, { accountId, limits: LIMITS });
  }));
  return ids;
}

const ORDER_BODY = JSON.stringify({ clientOrderId: '{{uuid}}', symbol: 'XAUUSD', side: 'buy', kind: 'market', timeInForce: 'GTC', qty: '0.01' });

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** The offered rate for `seconds`; every request a new command (Idempotency-Key) on the next account. */
async function load(url: string, seconds: number, paths: readonly string[], authorization: string): Promise<PacedLoadResult> {
  const headers = { 'content-type': 'application/json', authorization, 'idempotency-key': '{{uuid}}' };
  const result = await pacedLoad({ url, rate: OFFERED_RATE, seconds, requests: paths.map((path) => ({ method: 'POST', path, headers, body: ORDER_BODY })) });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors: the figure would not be latency of accepted orders`);
  }
  return result;
}

/** Measures and reports `http_p50_at_1000` and `http_p99_at_1000`. */
export async function commandHttpFigures(deps: CommandHttpBenchDeps): Promise<void> {
  const seconds = deps.seconds ?? 10;
  const accounts = await openAccounts(deps.tradingService, `http-${Date.now().toString(36)}`);
  const token = `Bearer ${await mintToken({ role: 'trader', userId: 'bench-trader', accounts, ttl: '1h' }, JWT)}`;
  const api = await buildApp({
    logger: createLogger('silent'), metrics: createMetrics(), readiness: [],
    plugins: [commandApiPlugin({ tradingService: deps.tradingService, keyValue: deps.keyValue, docs: false, auth: { verifyToken: createTokenVerifier(JWT), rateLimitPerSecond: 1_000_000 } })],
  });
  const bare = Fastify();
  bare.post('/orders', async (request) => ({ ok: true, clientOrderId: (request.body as { clientOrderId?: string }).clientOrderId }));
  bare.post<{ Params: { account: string } }>('/raw/:account/orders', async (request) => {
    await deps.insertOrderEvents(Number(request.params.account));
    return { ok: true, clientOrderId: (request.body as { clientOrderId?: string }).clientOrderId };
  });
  try {
    const [apiUrl, bareUrl] = await Promise.all([listen(api), listen(bare)]);
    const apiPaths = accounts.map((a) => `/v1/accounts/${a}/orders`);
    const insertPaths = accounts.map((_, i) => `/raw/${i}/orders`);
    progress('commands/http: warming up');
    await load(bareUrl, 2, ['/orders'], token);
    await load(bareUrl, 2, insertPaths, token);
    await load(apiUrl, 3, apiPaths, token);
    progress(`commands/http: bare fastify route, ${OFFERED_RATE} req/s for ${seconds}s`);
    const baseline = await load(bareUrl, seconds, ['/orders'], token);
    progress(`commands/http: bare fastify route with the raw INSERT of an order's events, ${OFFERED_RATE} req/s for ${seconds}s over ${ACCOUNTS} accounts`);
    const withInsert = await load(bareUrl, seconds, insertPaths, token);
    progress(`commands/http: PlaceOrder through the command API, ${OFFERED_RATE} orders/s for ${seconds}s over ${ACCOUNTS} accounts`);
    const measured = await load(apiUrl, seconds, apiPaths, token);
    progress(`commands/http: PostgreSQL's own committed insert (pgbench), ${OFFERED_RATE}/s for ${seconds}s`);
    const floor = await deps.commitFloor?.(OFFERED_RATE, seconds);
    report({ bench: 'commands', figure: 'http_p50_at_1000', value: measured.p50, unit: 'ms', baseline: baseline.p50 }, false);
    report({ bench: 'commands', figure: 'http_p99_at_1000', value: measured.p99, unit: 'ms', baseline: baseline.p99, target: '<= 5 ms' }, false);
    // The same two figures against the route that commits the order's rows: what the ledger adds to a commit.
    report({ bench: 'commands', figure: 'http_p50_at_1000_vs_insert_route', value: measured.p50, unit: 'ms', baseline: withInsert.p50 }, false);
    report({ bench: 'commands', figure: 'http_p99_at_1000_vs_insert_route', value: measured.p99, unit: 'ms', baseline: withInsert.p99 }, false);
    // And against the database alone: no HTTP, no Node, one row per commit. Below this no API answers.
    if (floor) {
      report({ bench: 'commands', figure: 'http_p50_at_1000_vs_db_commit', value: measured.p50, unit: 'ms', baseline: floor.p50 }, false);
      report({ bench: 'commands', figure: 'http_p99_at_1000_vs_db_commit', value: measured.p99, unit: 'ms', baseline: floor.p99 }, false);
      progress(`commands/http: pgbench committed ${floor.transactions} inserts, p99 ${floor.p99.toFixed(2)} ms, max ${floor.max.toFixed(1)} ms`);
    } else {
      progress('commands/http: pgbench not found (PATH, /usr/lib/postgresql/*/bin): the database commit floor is not measured');
    }
    progress(`commands/http: served ${measured.rps.toFixed(0)} orders/s (offered ${OFFERED_RATE}); p90 ${measured.p90.toFixed(1)} ms, max ${measured.max.toFixed(1)} ms`);
  } finally {
    await api.close();
    await bare.close();
  }
}

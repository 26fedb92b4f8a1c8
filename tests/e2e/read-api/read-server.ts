// The whole read path as a client meets it: a server on 127.0.0.1 with the command API and GraphQL,
// over its own PostgreSQL database (the read models live in the fixed schema `read`), Redis under its own
// key prefix, and NATS. The live publisher runs on its own NATS connection, as it would in another
// process; the projector and the paper broker follow the log like their roles do.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { commandApiPlugin } from '../../../commands/http/index.ts';
import { createQuoteBook } from '../../../commands/market-data/quote-book.ts';
import { ensureInstrumentsListed } from '../../../commands/market-data/instruments.ts';
import { BrokerReactor, PaperBroker, createTradingService } from '../../../commands/trading/index.ts';
import { uuidV5 } from '../../../commands/handling/event-ids.ts';
import { tickReceived, tickStreamId } from '../../../domain/market-data/index.ts';
import { ALL_PROJECTIONS, startProjector, type RunningProjector } from '../../../projections/index.ts';
import { graphqlPlugin, type QueryLimits } from '../../../read-api/index.ts';
import { createTokenVerifier, mintToken, type JwtSettings, type PrincipalRole } from '../../../infra/auth/index.ts';
import { connectNatsLiveBus, startLivePublisher, type LiveBus, type RunningLivePublisher } from '../../../infra/bus/index.ts';
import { createRedisKeyValueStore } from '../../../infra/cache/redis.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { buildApp } from '../../../infra/http/app.ts';
import { createLogger } from '../../../infra/logging/logger.ts';
import { createMetrics, type Metrics } from '../../../infra/metrics/metrics.ts';
import { TEST_NATS_URL, TEST_REDIS_URL, uniqueName } from '../../support/services.ts';
import { createTestDatabase, type TestDatabase } from '../../integration/projections/database.ts';

const JWT: JwtSettings = { algorithm: 'HS256', secret: 'e2e-read-secret-long-enough-for-hs256-0123456789', jwksUrl: undefined, publicKey: undefined, issuer: 'nicegold-ledger' };

export const WIDE_LIMITS = {
  maxOrderNotional: '10000000.00', maxPositionQty: '50.00', maxOpenOrders: 10_000, priceCollarBps: 500,
  maxQuoteAgeMs: 86_400_000, maxSubmitsPerWindow: 1_000_000, submitWindowMs: 1_000, maxDailyLoss: '1000000.00',
};

export interface ReadServer {
  readonly url: string;
  readonly wsUrl: string;
  readonly metrics: Metrics;
  token(role: PrincipalRole, accounts?: readonly string[]): Promise<string>;
  /** POST/PUT a command; throws unless the status is the expected one. */
  command(method: 'POST' | 'PUT', path: string, body: unknown, token: string): Promise<Record<string, unknown>>;
  /** A GraphQL request over HTTP. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the shape depends on the query; tests assert it
  graphql(query: string, token: string | undefined, variables?: Record<string, unknown>): Promise<{ status: number; body: { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> } }>;
  /** A tick as the ingester records it: TickReceived in the log and the quote in the quote book. */
  tick(bid: string, ask: string, at?: Date): Promise<void>;
  openAccount(accountId: string): Promise<void>;
  /** Resolves once every projection reports no lag (or after 15 s; the assertions then say what is missing). */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

const units = (text: string) => BigInt(text.replace('.', ''));

export async function startReadServer(options: { limits?: Partial<QueryLimits> } = {}): Promise<ReadServer> {
  const db: TestDatabase = await createTestDatabase('e2e_gql', 20);
  const eventStore = await PostgresEventStore.create(db.sql, { schema: 'es' });
  const prefix = uniqueName('e2e_gql');
  await ensureInstrumentsListed(eventStore); // as the ingest role does at start: the portfolio values fills with these specs
  const keyValue = createRedisKeyValueStore(TEST_REDIS_URL, { keyPrefix: `${prefix}:` });
  const quotes = createQuoteBook(keyValue);
  const tradingService = createTradingService({ eventStore, keyValue, quotes, source: 'e2e' });
  const verifyToken = createTokenVerifier(JWT);
  const metrics = createMetrics({ defaultMetrics: false });
  const apiBus: LiveBus = await connectNatsLiveBus({ servers: TEST_NATS_URL });
  const publisherBus: LiveBus = await connectNatsLiveBus({ servers: TEST_NATS_URL });
  const publisher: RunningLivePublisher = startLivePublisher({ eventStore, bus: publisherBus, keyValue, leaseMs: 1_000 });
  const projector: RunningProjector = await startProjector({ sql: db.sql, store: eventStore, projections: ALL_PROJECTIONS, statusIntervalMs: 200, batchSize: 500 });
  // The paper broker runs as its own process would: its own connections and event store client.
  const brokerSql = createPgClient({ connectionString: db.url, max: 4 });
  const brokerStore = await PostgresEventStore.create(brokerSql, { schema: 'es', migrate: false });
  const brokerService = createTradingService({ eventStore: brokerStore, keyValue, quotes, source: 'broker' });
  const reactor = new BrokerReactor({ eventStore: brokerStore, keyValue, service: brokerService, broker: (controlsFor) => new PaperBroker({ slippagePriceUnits: 0n, latencyMs: 0, controlsFor }) });
  await reactor.start();
  const plugins = [
    commandApiPlugin({ tradingService, keyValue, auth: { verifyToken, rateLimitPerSecond: 100_000 }, docs: false }),
    graphqlPlugin({ sql: db.sql, keyValue, bus: apiBus, verifyToken, metrics, graphiql: false, limits: options.limits }),
  ];
  const app: FastifyInstance = await buildApp({ logger: createLogger('silent'), metrics, readiness: [], plugins });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  let sequence = 0n;
  const token = (role: PrincipalRole, accounts: readonly string[] = []) => mintToken({ role, userId: `${role}-user`, accounts, ttl: '1h' }, JWT);
  const admin = await token('admin');
  const officer = await token('risk_officer');

  const server: ReadServer = {
    url, wsUrl: `ws://127.0.0.1:${port}/graphql`, metrics, token,
    async command(method, path, body, bearer) {
      const response = await fetch(`${url}${path}`, {
        method, body: JSON.stringify(body),
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', 'idempotency-key': `k-${uniqueName('c')}` },
      });
      const answer = (await response.json()) as Record<string, unknown>;
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
      return answer;
    },
    async graphql(query, bearer, variables) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
      const response = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      return { status: response.status, body: (await response.json()) as never };
    },
    async tick(bid, ask, at = new Date()) {
      sequence += 1n;
      const event = tickReceived({ symbol: 'XAUUSD', source: 'e2e', sequence, bid: units(bid), ask: units(ask), timestamp: at });
      await eventStore.append(tickStreamId('XAUUSD', at), [{ eventId: uuidV5(`${prefix}/tick/${sequence}`), type: event.type, data: event.data }], 'any');
      await quotes.update({ symbol: 'XAUUSD', bid: units(bid), ask: units(ask), mid: (units(bid) + units(ask)) / 2n, timestamp: at, source: 'e2e', sequence });
    },
    async openAccount(accountId) {
      await server.command('POST', '/v1/accounts', { accountId, currency: 'USD', startingBalance: '100000.00' }, admin);
      await server.command('PUT', `/v1/accounts/${accountId}/limits`, { limits: WIDE_LIMITS }, officer);
    },
    async caughtUp() {
      // Every projection has applied what it reads up to the head as it is now (waitFor knows a filtered
      // projection is done when none of its events is left below that head). The status rows are not the
      // measure: they are written when they change, so a fresh row with lag 0 may predate the last append.
      const head = await eventStore.headPosition();
      if (head === undefined) return;
      for (const name of projector.active()) await projector.waitFor(name, head, 15_000);
    },
    async close() {
      await app.close();
      await reactor.stop();
      await brokerStore.close();
      await brokerSql.close();
      await projector.stop();
      await publisher.stop();
      await Promise.all([apiBus.close(), publisherBus.close()]);
      await eventStore.close();
      await keyValue.close();
      await db.drop();
    },
  };
  return server;
}

// The command API as a client meets it: a server listening on 127.0.0.1 over real PostgreSQL (its own
// schema) and Redis (its own key prefix), tokens signed as the identity provider would, and plain fetch.
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { commandApiPlugin } from '../../../commands/http/index.ts';
import { createQuoteBook, type QuoteBook } from '../../../commands/market-data/quote-book.ts';
import { createTradingService } from '../../../commands/trading/index.ts';
import type { EventStore, RecordedEvent } from '../../../domain/ports/event-store.ts';
import { createTokenVerifier, mintToken, type JwtSettings, type PrincipalRole } from '../../../infra/auth/index.ts';
import { createRedisKeyValueStore } from '../../../infra/cache/redis.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { asLedgerEventStore } from '../../../infra/event-store/upcasting.ts';
import { buildApp } from '../../../infra/http/app.ts';
import { createLogger } from '../../../infra/logging/logger.ts';
import { createMetrics } from '../../../infra/metrics/metrics.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { TEST_DATABASE_URL, TEST_REDIS_URL, uniqueName } from '../../support/services.ts';
import { createSecondFactor } from '../../../commands/mfa/index.ts';
import { Authenticator, TEST_MFA_SECRET_KEY, testClock } from '../../support/second-factor.ts';

const JWT: JwtSettings = { algorithm: 'HS256', secret: 'e2e-secret-long-enough-for-hs256-0123456789', jwksUrl: undefined, publicKey: undefined, issuer: 'nicegold-ledger' };

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

export interface CallOptions {
  readonly token?: string | undefined;
  /** Idempotency-Key header; a fresh one unless given (null: none). */
  readonly key?: string | null;
  /** Sent as is instead of JSON.stringify(body). */
  readonly raw?: string;
  /** X-TOTP-Code: a code of the token's user, e.g. from `server.code(token)`. */
  readonly totp?: string;
}

export interface CommandServerOptions {
  readonly rateLimitPerSecond?: number;
  /** Another process of the same ledger: this server's event store schema and second-factor clock (its own Redis prefix, caches and app). */
  readonly sameLedgerAs?: CommandServer;
}

export interface CommandServer {
  readonly url: string;
  readonly eventStore: EventStore;
  readonly quotes: QuoteBook;
  readonly schema: string;
  /** The clock the server's second factor runs on: a test clock, moved 30 s whenever a user's codes of the window are spent. */
  readonly mfaClock: ReturnType<typeof testClock>;
  /** The next code of the token's user, enrolling the user over HTTP on first use (each user's authenticator is shared by servers of one ledger). */
  code(token: string): Promise<string>;
  /** The user's authenticator (enrolled by a first `code`). */
  authenticator(token: string): Promise<Authenticator>;
  token(role: PrincipalRole, options?: { accounts?: readonly string[]; userId?: string }): Promise<string>;
  call(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, options?: CallOptions): Promise<Answer>;
  /** Latest XAUUSD quote, as the ingester leaves it. */
  quote(bid: string, ask: string): Promise<void>;
  /** Opens an account (admin) and sets limits (risk officer) over HTTP. */
  openAccount(accountId: string, limits?: Partial<Record<string, unknown>>): Promise<void>;
  head(): Promise<bigint | undefined>;
  stream(accountId: string): Promise<RecordedEvent[]>;
  close(): Promise<void>;
}

/** Wide limits; quotes never go stale within a test run. */
export const WIDE_LIMITS = {
  maxOrderNotional: '10000000.00', maxPositionQty: '50.00', maxOpenOrders: 10_000, priceCollarBps: 500,
  maxQuoteAgeMs: 86_400_000, maxSubmitsPerWindow: 1_000_000, submitWindowMs: 1_000, maxDailyLoss: '1000000.00',
};

export const newKey = () => `k-${randomUUID()}`;

/** Authenticators per ledger (event store schema) and user: what each user's phone would show. */
const devices = new Map<string, Promise<Authenticator>>();

const userOf = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;

export async function startCommandServer(options: CommandServerOptions = {}): Promise<CommandServer> {
  const shared = options.sameLedgerAs;
  const schema = shared?.schema ?? uniqueName('e2e_cmd');
  const sql = createPgClient({ connectionString: TEST_DATABASE_URL, max: 16 });
  const eventStore = asLedgerEventStore(await PostgresEventStore.create(sql, { schema }));
  const keyValue = createRedisKeyValueStore(TEST_REDIS_URL, { keyPrefix: `${shared ? uniqueName(schema) : schema}:` });
  const quotes = createQuoteBook(keyValue);
  const mfaClock = shared?.mfaClock ?? testClock();
  const secondFactor = createSecondFactor({ eventStore, secretKey: TEST_MFA_SECRET_KEY, clock: mfaClock.now, source: 'e2e' });
  const tradingService = createTradingService({ eventStore, keyValue, quotes, source: 'e2e', secondFactor });
  const plugin = commandApiPlugin({ tradingService, secondFactor, keyValue, auth: { verifyToken: createTokenVerifier(JWT), rateLimitPerSecond: options.rateLimitPerSecond ?? 100_000 } });
  const app: FastifyInstance = await buildApp({ logger: createLogger('silent'), metrics: createMetrics(), readiness: [], plugins: [plugin] });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  let sequence = 0n;

  const token = (role: PrincipalRole, o: { accounts?: readonly string[]; userId?: string } = {}) =>
    mintToken({ role, userId: o.userId ?? `${role}-user`, accounts: o.accounts ?? [], ttl: '1h' }, JWT);

  async function call(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, o: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
    const key = o.key === undefined ? newKey() : o.key;
    if (method !== 'GET' && key !== null) headers['idempotency-key'] = key;
    if (o.totp !== undefined) headers['x-totp-code'] = o.totp;
    const payload = o.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
  }

  const admin = await token('admin');
  const officer = await token('risk_officer');

  function authenticator(bearer: string): Promise<Authenticator> {
    const key = `${schema}/${userOf(bearer)}`;
    let device = devices.get(key);
    if (!device) {
      device = call('POST', '/v1/mfa/enrolment', undefined, { token: bearer }).then((answer) => {
        if (answer.status !== 201) throw new Error(`enrolment of ${userOf(bearer)}: ${answer.status} ${JSON.stringify(answer.body)}`);
        return Authenticator.of(answer.body.secret as string, mfaClock);
      });
      devices.set(key, device);
    }
    return device;
  }

  return {
    url, eventStore, quotes, schema, mfaClock, token, call, authenticator,
    code: async (bearer) => (await authenticator(bearer)).nextCode(),
    async quote(bid, ask) {
      sequence += 1n;
      const [b, a] = [BigInt(bid.replace('.', '')), BigInt(ask.replace('.', ''))];
      await quotes.update({ symbol: 'XAUUSD', bid: b, ask: a, mid: (b + a) / 2n, timestamp: new Date(), source: 'e2e', sequence });
    },
    async openAccount(accountId, limits = {}) {
      const opened = await call('POST', '/v1/accounts', { accountId, currency: 'USD', startingBalance: '100000.00' }, { token: admin });
      if (opened.status !== 201) throw new Error(`open ${accountId}: ${opened.status} ${JSON.stringify(opened.body)}`);
      const set = await call('PUT', `/v1/accounts/${accountId}/limits`, { limits: { ...WIDE_LIMITS, ...limits } }, { token: officer });
      if (set.status !== 200) throw new Error(`limits ${accountId}: ${set.status} ${JSON.stringify(set.body)}`);
    },
    head: () => eventStore.headPosition(),
    stream: (accountId) => eventStore.readStream(`account-${accountId}`),
    async close() {
      await app.close();
      await eventStore.close();
      await keyValue.close();
      if (!shared) await sql.exec(`drop schema if exists ${schema} cascade`);
      await sql.close();
    },
  };
}

// A trading ledger on real backends for one test file: the event store in its own PostgreSQL schema,
// Redis under its own key prefix, the quote book on that Redis, and a trading service over them.
import { randomUUID } from 'node:crypto';
import type { EventStore } from '../../../domain/ports/event-store.ts';
import type { KeyValueStore } from '../../../domain/ports/key-value.ts';
import { tickReceived, tickStreamId } from '../../../domain/market-data/index.ts';
import type { RiskLimitsInput } from '../../../domain/trading/account/index.ts';
import { createQuoteBook, type QuoteBook } from '../../../commands/market-data/quote-book.ts';
import { createTradingService, type CommandContext, type TradingService, type TradingServiceDeps } from '../../../commands/trading/index.ts';
import { uuidV5 } from '../../../commands/handling/event-ids.ts';
import { createRedisKeyValueStore } from '../../../infra/cache/redis.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { asLedgerEventStore } from '../../../infra/event-store/upcasting.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { TEST_DATABASE_URL, TEST_REDIS_URL, uniqueName } from '../../support/services.ts';
import { createSecondFactor, type SecondFactor } from '../../../commands/mfa/index.ts';
import { TEST_MFA_SECRET_KEY, enrolledUsers, testClock } from '../../support/second-factor.ts';

export const trader = (userId = 'trader-1'): CommandContext => ({ commandId: randomUUID(), actor: { userId, role: 'trader' } });
export const officer = (userId = 'officer-1'): CommandContext => ({ commandId: randomUUID(), actor: { userId, role: 'risk_officer' } });

/** Wide limits: only the check a test is about should bite. */
export const LIMITS: RiskLimitsInput = {
  maxOrderNotional: 100_000_000n, // 1,000,000.00 USD
  maxPositionQty: 1_000n,
  maxOpenOrders: 1_000,
  priceCollarBps: 500n,
  maxQuoteAgeMs: 60_000,
  maxSubmitsPerWindow: 100_000,
  submitWindowMs: 1_000,
  maxDailyLoss: 10_000_000n,
};

export interface TradingFixture {
  readonly sql: SqlClient;
  readonly eventStore: EventStore;
  readonly keyValue: KeyValueStore;
  readonly quotes: QuoteBook;
  readonly service: TradingService;
  /** The second factor every service of the fixture checks codes with (its clock moves 30 s per code when needed). */
  readonly secondFactor: SecondFactor;
  /** The context with a fresh code of its actor's second factor (enrolled on first use): changing limits, approving a global release. */
  withCode(ctx: CommandContext): Promise<CommandContext>;
  /** Another process's service on the same backends (its own caches). */
  newService(overrides?: Partial<TradingServiceDeps>): TradingService;
  /** Opens an account with the given limits and a 100,000.00 balance. */
  openAccount(accountId: string, limits?: Partial<RiskLimitsInput>): Promise<void>;
  /** A tick as the ingester records it: a TickReceived event and the quote book's latest quote. */
  tick(symbol: string, bid: bigint, ask: bigint, at?: Date): Promise<void>;
  close(): Promise<void>;
}

let sequence = 0n;

export async function tradingFixture(name: string): Promise<TradingFixture> {
  const schema = uniqueName(name);
  const sql = createPgClient({ connectionString: TEST_DATABASE_URL, max: 12 });
  const eventStore = asLedgerEventStore(await PostgresEventStore.create(sql, { schema }));
  const keyValue = createRedisKeyValueStore(TEST_REDIS_URL, { keyPrefix: `${schema}:` });
  const quotes = createQuoteBook(keyValue);
  const clock = testClock();
  const secondFactor = createSecondFactor({ eventStore, secretKey: TEST_MFA_SECRET_KEY, clock: clock.now });
  const { withCode } = enrolledUsers(secondFactor, clock);
  const newService = (overrides: Partial<TradingServiceDeps> = {}) => createTradingService({ eventStore, keyValue, quotes, secondFactor, ...overrides });
  const service = newService();
  return {
    sql, eventStore, keyValue, quotes, service, secondFactor, withCode, newService,
    async openAccount(accountId, limits = {}) {
      await service.openAccount(trader(), { accountId, currency: 'USD', startingBalance: 10_000_000n });
      await service.setRiskLimits(officer(), { accountId, limits: { ...LIMITS, ...limits } });
    },
    async tick(symbol, bid, ask, at = new Date()) {
      sequence += 1n;
      const tick = { symbol, source: 'test', sequence, bid, ask, timestamp: at };
      const event = tickReceived(tick);
      await eventStore.append(tickStreamId(symbol, at), [{ eventId: uuidV5(`${schema}/tick/${sequence}`), type: event.type, data: event.data }], 'any');
      await quotes.update({ symbol, bid, ask, mid: (bid + ask) / 2n, timestamp: at, source: 'test', sequence });
    },
    async close() {
      await eventStore.close();
      await keyValue.close();
      await sql.exec(`drop schema if exists ${schema} cascade`);
      await sql.close();
    },
  };
}

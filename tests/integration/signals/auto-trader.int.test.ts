import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalDirection, SignalGeneratedData } from '../../../domain/signals/index.ts';
import { createQuoteBook } from '../../../commands/market-data/quote-book.ts';
import { createTradingService, type TradingService } from '../../../commands/trading/index.ts';
import { AutoTrader } from '../../../commands/signals/auto-trader.ts';
import type { PendingSignal } from '../../../commands/signals/signal-writer.ts';
import { createMemoryKeyValueStore } from '../../../infra/cache/memory.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { TEST_DATABASE_URL, postgresService, uniqueName } from '../../support/services.ts';

const pg = await postgresService();
const NOW = new Date('2026-01-05T10:00:00Z');
const quiet = { info: () => undefined, error: () => undefined };
const signal = (direction: SignalDirection, shadow = false): PendingSignal => {
  const data: SignalGeneratedData = {
    model: 'm', version: 1, symbol: 'XAUUSD', score: direction === 'long' ? 0.7 : 0.3, direction, shadow, featureSpecDigest: 'd', featuresDigest: 'f', features: [],
    inferenceMicros: 10, tick: { eventId: randomUUID(), streamId: 'ticks-XAUUSD-20260105', position: '1', timestamp: NOW.toISOString(), mid: '234500' },
  };
  return { streamId: 'signals-m-20260105', event: { eventId: randomUUID(), type: 'SignalGenerated', data } };
};

describe.skipIf(!pg.available)(`auto-trader through the trading service${pg.skipReason}`, () => {
  let sql: SqlClient;
  let store: PostgresEventStore;
  let service: TradingService;
  const schema = uniqueName('autotrader');

  beforeAll(async () => {
    sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    store = await PostgresEventStore.create(sql, { schema });
    const keyValue = createMemoryKeyValueStore();
    const quotes = createQuoteBook(keyValue);
    await quotes.update({ symbol: 'XAUUSD', bid: 234_490n, ask: 234_510n, mid: 234_500n, timestamp: NOW, source: 't', sequence: 1n });
    service = createTradingService({ eventStore: store, keyValue, quotes, clock: () => NOW });
    await service.openAccount({ commandId: randomUUID(), actor: { userId: 'desk', role: 'admin' } }, { accountId: 'AT1', currency: 'USD', startingBalance: 10_000_000n });
    await service.setRiskLimits({ commandId: randomUUID(), actor: { userId: 'risk', role: 'risk_officer' } }, {
      accountId: 'AT1', limits: { maxOrderNotional: 100_000_000n, maxPositionQty: 1_000n, maxOpenOrders: 100, priceCollarBps: 500n, maxQuoteAgeMs: 60_000, maxSubmitsPerWindow: 1_000, submitWindowMs: 1_000, maxDailyLoss: 10_000_000n },
    });
  });
  afterAll(async () => {
    await store.close();
    await sql.exec(`drop schema if exists ${schema} cascade`);
    await sql.close();
  });

  it('places risk-checked orders for champion direction changes under its own identity, never for shadow or flat signals, once per signal', async () => {
    const trader = new AutoTrader({ placer: service, accountId: 'AT1', qty: 2n, model: 'm', logger: quiet });
    const long = signal('long');
    await trader.onSignals([signal('long', true), signal('flat'), long, signal('long')]);
    await trader.onSignals([signal('short')]);
    await new AutoTrader({ placer: service, accountId: 'AT1', qty: 2n, model: 'm', logger: quiet }).onSignals([long]); // replayed after a restart
    const placed = (await store.readStream('account-AT1')).filter((e) => e.type === 'OrderPlaced');
    expect(placed.map((e) => [e.data.side, e.data.qty])).toEqual([['buy', 2n], ['sell', 4n]]);
    expect(placed.every((e) => e.metadata.actor?.userId === 'auto-trader' && e.metadata.actor.role === 'service')).toBe(true);
    const decisions = (await store.readStream('account-AT1')).filter((e) => e.type === 'RiskDecisionRecorded');
    expect(decisions).toHaveLength(2);
  });
});

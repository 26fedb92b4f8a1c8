// Refused fills on PostgreSQL: given FillRefused events (a fill id refused twice, one without a quote, one for
// the wrong symbol, one on another account) beside booked fills, then one row per refusal with what the broker
// reported, the limit, the quote, the band, the code and the reporter; the live projector, batch by batch,
// and a rebuild from the log (COPY into the shadow table) give the same rows.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventData } from '../../../domain/ports/event-store.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { fillsProjection, rebuildProjections, refusedFillsProjection, startProjector, type Projection } from '../../../projections/index.ts';
import { postgresService } from '../../support/services.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { filled, opened, placed, refused } from './fixtures.ts';
import type { GivenEvent } from './given.ts';
import { snapshotReadModels } from './snapshot.ts';

const pgService = await postgresService();
const PROJECTIONS: readonly Projection[] = [fillsProjection, refusedFillsProjection];
const QUOTE = { bid: 203_990n, ask: 204_010n, timestamp: '2026-03-02T09:59:59.500Z' };
const BROKER = { userId: 'broker-adapter-7', role: 'service' };

const events: GivenEvent[] = [
  opened('R1', '2026-03-02T10:00:00.000Z', 1_000_000n),
  placed('R1', 'RO1', '2026-03-02T10:00:01.000Z', 'buy', 100n),
  refused('R1', 'RF1', {
    orderId: 'RO1', at: '2026-03-02T10:00:02.000Z', side: 'buy', qty: 100n, price: 205_000n, limitPrice: 203_900n, quote: QUOTE, reportedBy: BROKER,
    code: 'FILL.WORSE_THAN_LIMIT', reason: 'a buy limited at 203900 cannot fill at 205000 (price units)',
  }),
  // the broker reports the same fill again: refused again, a second row
  refused('R1', 'RF1', {
    orderId: 'RO1', at: '2026-03-02T10:00:03.000Z', side: 'buy', qty: 100n, price: 205_000n, limitPrice: 203_900n, quote: QUOTE, reportedBy: BROKER,
    code: 'FILL.WORSE_THAN_LIMIT', reason: 'a buy limited at 203900 cannot fill at 205000 (price units)',
  }),
  refused('R1', 'RF2', {
    orderId: 'RO1', at: '2026-03-02T10:00:04.000Z', side: 'buy', qty: 100n, price: 204_000n, reportedSymbol: 'XAGUSD', reportedSide: 'buy', quote: QUOTE, reportedBy: BROKER,
    code: 'FILL.SYMBOL_MISMATCH', reason: 'the fill is for XAGUSD; order RO1 is for XAUUSD',
  }),
  filled('R1', 'RF3', {
    orderId: 'RO1', at: '2026-03-02T10:00:05.000Z', side: 'buy', qty: 100n, price: 204_010n, fee: 5n, cashFlow: -20_401_000n, orderStatus: 'filled', orderFilledQty: 100n,
    closedQty: 0n, openedQty: 100n, realizedPnl: 0n, positionQty: 100n, positionCostBasis: 20_401_000n,
  }),
  opened('R2', '2026-03-02T10:00:00.000Z', 1_000_000n),
  placed('R2', 'RO2', '2026-03-02T10:00:06.000Z', 'sell', 50n),
  refused('R2', 'RF4', {
    orderId: 'RO2', at: '2026-03-02T10:00:07.000Z', side: 'sell', qty: 50n, price: 204_000n, bandBps: 250n,
    code: 'FILL.NO_MARKET_QUOTE', reason: 'no usable XAUUSD quote to check the fill price against',
  }),
];

const COLUMNS = `fill_id, order_id, account_id, symbol, side, qty::text, price::text, reported_symbol, reported_side, limit_price::text, quote_bid::text, quote_ask::text,
  quote_at, band_bps::text, code, reason, reported_by, reported_by_role, at`;

describe.skipIf(!pgService.available)(`refused fills on PostgreSQL${pgService.skipReason}`, () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase('proj_refused');
    store = await PostgresEventStore.create(db.sql);
    for (const e of events) {
      await store.append(e.stream, [{ eventId: randomUUID(), type: e.type, data: e.data as EventData, metadata: { commandId: randomUUID(), actor: BROKER } }], 'any');
    }
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('keeps a row per refusal, live batch by batch, and a rebuild from the log gives the same rows', async () => {
    const projector = await startProjector({ sql: db.sql, store, projections: PROJECTIONS, batchSize: 2, statusIntervalMs: 100, standbyPollMs: 20 });
    try {
      const head = (await store.headPosition())!;
      for (const p of PROJECTIONS) await projector.waitFor(p.name, head, 30_000);
    } finally {
      await projector.stop();
    }
    const { rows } = await db.sql.query(`select ${COLUMNS} from read.refused_fills order by position`);
    const common = { order_id: 'RO1', account_id: 'R1', symbol: 'XAUUSD', side: 'buy', qty: '100', quote_bid: '203990', quote_ask: '204010', band_bps: '100', reported_by: 'broker-adapter-7', reported_by_role: 'service' };
    const worse = { ...common, fill_id: 'RF1', price: '205000', reported_symbol: null, reported_side: null, limit_price: '203900', code: 'FILL.WORSE_THAN_LIMIT', reason: 'a buy limited at 203900 cannot fill at 205000 (price units)' };
    expect(rows).toEqual([
      { ...worse, quote_at: new Date(QUOTE.timestamp), at: new Date('2026-03-02T10:00:02.000Z') },
      { ...worse, quote_at: new Date(QUOTE.timestamp), at: new Date('2026-03-02T10:00:03.000Z') },
      { ...common, fill_id: 'RF2', price: '204000', reported_symbol: 'XAGUSD', reported_side: 'buy', limit_price: null, quote_at: new Date(QUOTE.timestamp),
        code: 'FILL.SYMBOL_MISMATCH', reason: 'the fill is for XAGUSD; order RO1 is for XAUUSD', at: new Date('2026-03-02T10:00:04.000Z') },
      { fill_id: 'RF4', order_id: 'RO2', account_id: 'R2', symbol: 'XAUUSD', side: 'sell', qty: '50', price: '204000', reported_symbol: null, reported_side: null, limit_price: null,
        quote_bid: null, quote_ask: null, quote_at: null, band_bps: '250', code: 'FILL.NO_MARKET_QUOTE', reason: 'no usable XAUUSD quote to check the fill price against',
        reported_by: 'broker-1', reported_by_role: 'service', at: new Date('2026-03-02T10:00:07.000Z') },
    ]);
    // a refused fill is not a fill: only the booked one is in read.fills
    expect((await db.sql.query('select fill_id from read.fills')).rows).toEqual([{ fill_id: 'RF3' }]);

    const live = await snapshotReadModels(db.sql, PROJECTIONS);
    await rebuildProjections({ sql: db.sql, store, projections: PROJECTIONS, batchSize: 3 });
    const rebuilt = await snapshotReadModels(db.sql, PROJECTIONS);
    for (const [table, tableRows] of live) expect({ table, rows: rebuilt.get(table) }).toEqual({ table, rows: tableRows });
  }, 60_000);
});

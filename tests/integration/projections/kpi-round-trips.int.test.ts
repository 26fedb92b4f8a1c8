// KPIs per round trip on PostgreSQL: given fills with partial closes, a flip, a breakeven and fees, then the
// KPI rows by hand; the live projector (small batches, the open round trip carried between them in the
// positions table) and a rebuild from the log give the same rows; and tables of portfolio version 1 upgrade
// through the migration and a rebuild.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookFill, flatPosition, type Position } from '../../../domain/trading/account/positions.ts';
import type { EventData } from '../../../domain/ports/event-store.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { ensureEngineTables, fillsProjection, migrateProjection, portfolioProjection, rebuildProjections, startProjector, type Projection } from '../../../projections/index.ts';
import { postgresService } from '../../support/services.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { FACTS, filled, opened, tick } from './fixtures.ts';
import type { GivenEvent } from './given.ts';
import { appendHistory } from './history.ts';
import { snapshotReadModels } from './snapshot.ts';

const pgService = await postgresService();
const PROJECTIONS: readonly Projection[] = [fillsProjection, portfolioProjection];

/** Fills of account K1 on XAUUSD, booked as the account books them (1 step × 1 price unit = 1 cent). */
function script(): GivenEvent[] {
  let position: Position = flatPosition('XAUUSD');
  let n = 0;
  const fill = (side: 'buy' | 'sell', qty: bigint, price: bigint, fee: bigint): GivenEvent => {
    const booking = bookFill(position, side, qty, price, FACTS);
    position = booking.position;
    n += 1;
    return filled('K1', `KF${n}`, {
      orderId: `KO${n}`, at: `2026-03-02T10:00:${String(n).padStart(2, '0')}.000Z`, side, qty, price, fee, cashFlow: booking.cashFlow, orderStatus: 'filled', orderFilledQty: qty,
      closedQty: booking.closedQty, openedQty: booking.openedQty, realizedPnl: booking.realizedPnl, positionQty: position.qty, positionCostBasis: position.costBasis,
    });
  };
  return [
    opened('K1', '2026-03-02T10:00:00.000Z', 1_000_000n),
    tick('2026-03-02T10:00:00.500Z', 234000n, 234020n, 1n),
    // Round trip 1, closed in two fills: -10 + (4 × 100 - 4) + (6 × 50 - 6) = 680
    fill('buy', 10n, 234000n, 10n), fill('sell', 4n, 234100n, 4n), fill('sell', 6n, 234050n, 6n),
    // Round trip 2, closed by a flip: short 5, buy 8 closes 5 at 5 × -60 and opens 3 long; fee 8 shared 5 / 3: -5 - 300 - 5 = -310
    fill('sell', 5n, 234000n, 5n), fill('buy', 8n, 234060n, 8n),
    // Round trip 3, the flip's remainder: -3 + 3 × 2 - 3 = 0, breakeven
    fill('sell', 3n, 234062n, 3n),
    // Round trip 4, still open after a partial close: -2 + 100 - 1 = 97 so far, not counted
    fill('buy', 2n, 234000n, 2n), fill('sell', 1n, 234100n, 1n),
  ];
}

async function appendScript(store: PostgresEventStore): Promise<void> {
  for (const e of script()) {
    await store.append(e.stream, [{ eventId: randomUUID(), type: e.type, data: e.data as EventData, metadata: { commandId: randomUUID(), actor: { userId: 'u1', role: 'trader' } } }], 'any');
  }
}

const KPI_COLUMNS = `trades, wins, losses, breakeven, closing_fills, gross_profit::text, gross_loss::text, net_trade_pnl::text, profit_factor::text, win_rate::text,
  average_win::text, average_loss::text, expectancy::text`;
const K1_KPIS = {
  trades: 3, wins: 1, losses: 1, breakeven: 1, closing_fills: 5, gross_profit: '680', gross_loss: '310', net_trade_pnl: '370',
  profit_factor: '2.193548', // 680 / 310 = 2.1935483…
  win_rate: '0.333333', average_win: '680.000000', average_loss: '310.000000',
  expectancy: '123.333333', // 370 / 3 trades
};

describe.skipIf(!pgService.available)(`KPIs per round trip on PostgreSQL${pgService.skipReason}`, () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase('proj_kpi');
    store = await PostgresEventStore.create(db.sql);
    await appendHistory(store, { events: 3_000, accounts: 3, seed: 5 });
    await appendScript(store);
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('counts round trips live, batch by batch, and a rebuild from the log gives the same rows', async () => {
    const projector = await startProjector({ sql: db.sql, store, projections: PROJECTIONS, batchSize: 7, statusIntervalMs: 100, standbyPollMs: 20 });
    try {
      const head = (await store.headPosition())!;
      for (const p of PROJECTIONS) await projector.waitFor(p.name, head, 90_000);
    } finally {
      await projector.stop();
    }
    expect(await db.sql.query(`select ${KPI_COLUMNS} from read.account_kpis where account_id = 'K1'`).then((r) => r.rows)).toEqual([K1_KPIS]);
    expect(await db.sql.query(`select qty::text, open_trade_pnl::text from read.positions where account_id = 'K1'`).then((r) => r.rows)).toEqual([{ qty: '1', open_trade_pnl: '97' }]);

    // Against the fills, account by account: a trade per fill that returns the position to flat or flips it,
    // and every fill's realized P&L and fee in exactly one round trip (closed, or the one still open).
    const { rows: fromFills } = await db.sql.query(`select account_id,
        count(*) filter (where closed_qty > 0 and (position_qty = 0 or opened_qty > 0))::int as trades,
        count(*) filter (where closed_qty > 0)::int as closing_fills, sum(realized_pnl - fee)::text as pnl
      from read.fills group by account_id order by account_id`);
    const { rows: fromKpis } = await db.sql.query(`select k.account_id, k.trades, k.closing_fills, (k.net_trade_pnl + p.open)::text as pnl
      from read.account_kpis k join (select account_id, sum(open_trade_pnl) as open from read.positions group by account_id) p using (account_id) order by account_id`);
    expect(fromKpis).toEqual(fromFills);
    expect(fromFills.length).toBe(4);
    expect(fromFills.some((r) => (r.closing_fills as number) > (r.trades as number))).toBe(true);

    const live = await snapshotReadModels(db.sql, PROJECTIONS);
    await rebuildProjections({ sql: db.sql, store, projections: PROJECTIONS, batchSize: 1_000 });
    const rebuilt = await snapshotReadModels(db.sql, PROJECTIONS);
    for (const [table, rows] of live) expect({ table, rows: rebuilt.get(table) }).toEqual({ table, rows });
  }, 180_000);
});

describe.skipIf(!pgService.available)(`portfolio tables of version 1${pgService.skipReason}`, () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase('proj_kpi_v1');
    store = await PostgresEventStore.create(db.sql);
    await appendScript(store);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('take the round-trip columns from the migration, stay behind the code version, and are right after a rebuild', async () => {
    const features = { timescale: false };
    await ensureEngineTables(db.sql);
    await migrateProjection(db.sql, { ...portfolioProjection, version: 1, migrations: portfolioProjection.migrations.filter((m) => m.version === 1) }, features);
    await migrateProjection(db.sql, portfolioProjection, features);
    const { rows: columns } = await db.sql.query(`select table_name, column_name from information_schema.columns
      where table_schema = 'read' and column_name in ('open_trade_pnl', 'breakeven', 'closing_fills', 'average_win', 'average_loss') order by 1, 2`);
    expect(columns.map((c) => `${c.table_name as string}.${c.column_name as string}`)).toEqual([
      'account_equity.breakeven', 'account_equity.closing_fills', 'account_kpis.average_loss', 'account_kpis.average_win', 'account_kpis.breakeven', 'account_kpis.closing_fills', 'positions.open_trade_pnl',
    ]);
    const version = async () => (await db.sql.query<{ version: number }>(`select version from read.projection_checkpoints where projection = 'portfolio'`)).rows[0]?.version;
    expect(await version()).toBe(1); // the projector stops at needs_rebuild until the rebuild below
    await rebuildProjections({ sql: db.sql, store, projections: [portfolioProjection], batchSize: 4, features });
    expect(await version()).toBe(2);
    expect((await db.sql.query(`select ${KPI_COLUMNS} from read.account_kpis`)).rows).toEqual([K1_KPIS]);
  }, 60_000);
});

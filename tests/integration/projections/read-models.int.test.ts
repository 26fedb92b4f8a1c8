// Given events -> then rows, for every read model, on PGlite.
import { describe, expect, it } from 'vitest';

// PGlite starts in a few seconds on an idle machine; a loaded CI box needs more.
const SLOW = 120_000;
import {
  auditProjection, candlesProjection, controlProjection, fillsProjection, ordersProjection, portfolioProjection, riskDecisionsProjection, ticksProjection,
} from '../../../projections/index.ts';
import { Instruments } from '../../../read-api/format.ts';
import { MarketReads } from '../../../read-api/market.ts';
import { given } from './given.ts';
import { accountEvent, filled, opened, placed, tick } from './fixtures.ts';

describe('ticks and candles', () => {
  it('stores each tick with its mid and spread, and folds them into candles of every timeframe', async () => {
    const db = await given([ticksProjection, candlesProjection], [
      tick('2026-03-02T09:00:01.000Z', 234000n, 234020n, 1n),
      tick('2026-03-02T09:00:30.000Z', 234100n, 234125n, 2n), // mid 234112.5 rounds half to even: 234112
      tick('2026-03-02T09:00:59.000Z', 233950n, 233970n, 3n),
      tick('2026-03-02T09:01:00.000Z', 234200n, 234230n, 4n),
      { stream: 'ticks-XAUUSD-20260302', type: 'TickRejected', data: { reason: 'SPREAD_TOO_WIDE', detail: 'spread 500 > 100', symbol: 'XAUUSD', bid: 1n, ask: 501n } },
    ]);
    try {
      const ticks = await db.rows<{ mid: string; spread: string }>('select mid::text, spread::text from read.ticks order by ts');
      expect(ticks).toEqual([{ mid: '234010', spread: '20' }, { mid: '234112', spread: '25' }, { mid: '233960', spread: '20' }, { mid: '234215', spread: '30' }]);
      expect(await db.rows('select reason, bid::text from read.tick_rejections')).toEqual([{ reason: 'SPREAD_TOO_WIDE', bid: '1' }]);
      const oneMinute = await db.rows(`select to_char(bucket at time zone 'UTC', 'HH24:MI') as bucket, open::text, high::text, low::text, close::text, bid_close::text, ask_close::text,
        tick_count, spread_min::text, spread_max::text, spread_avg::text from read.candles where timeframe = '1m' order by bucket`);
      expect(oneMinute).toEqual([
        { bucket: '09:00', open: '234010', high: '234112', low: '233960', close: '233960', bid_close: '233950', ask_close: '233970', tick_count: 3, spread_min: '20', spread_max: '25', spread_avg: '22' },
        { bucket: '09:01', open: '234215', high: '234215', low: '234215', close: '234215', bid_close: '234200', ask_close: '234230', tick_count: 1, spread_min: '30', spread_max: '30', spread_avg: '30' },
      ]);
      const daily = await db.rows(`select timeframe, open::text, close::text, tick_count from read.candles where timeframe <> '1m' order by timeframe`);
      expect(daily).toEqual(['15m', '1d', '1h', '5m'].map((timeframe) => ({ timeframe, open: '234010', close: '234215', tick_count: 4 })));
    } finally {
      await db.close();
    }
  }, SLOW);
});

const O1 = { orderId: 'O1', at: '2026-03-02T09:00:02.000Z', side: 'buy' as const, qty: 10n, price: 234020n, fee: 5n, cashFlow: -2_340_200n, orderStatus: 'filled', orderFilledQty: 10n, closedQty: 0n, openedQty: 10n, realizedPnl: 0n, positionQty: 10n, positionCostBasis: 2_340_200n };
const O2 = { orderId: 'O2', at: '2026-03-02T09:00:06.000Z', side: 'sell' as const, qty: 4n, price: 234100n, fee: 2n, cashFlow: 936_400n, orderStatus: 'filled', orderFilledQty: 4n, closedQty: 4n, openedQty: 0n, realizedPnl: 320n, positionQty: 6n, positionCostBasis: 1_404_120n };

const trading = [
  opened('A1', '2026-03-02T09:00:00.000Z', 1_000_000n),
  tick('2026-03-02T09:00:01.000Z', 234000n, 234020n, 1n),
  placed('A1', 'O1', '2026-03-02T09:00:02.000Z', 'buy', 10n),
  accountEvent('A1', 'RiskDecisionRecorded', { at: '2026-03-02T09:00:02.000Z', orderId: 'O1', accepted: true, reasons: [], checks: [{ name: 'RISK.QTY_MAX', passed: true, observed: '10', limit: '5000' }] }),
  accountEvent('A1', 'OrderAccepted', { at: '2026-03-02T09:00:02.000Z', orderId: 'O1' }),
  filled('A1', 'F1', O1),
  tick('2026-03-02T09:00:05.000Z', 234100n, 234120n, 2n),
  placed('A1', 'O2', '2026-03-02T09:00:06.000Z', 'sell', 4n),
  accountEvent('A1', 'OrderAccepted', { at: '2026-03-02T09:00:06.000Z', orderId: 'O2' }),
  filled('A1', 'F2', O2),
  placed('A1', 'O3', '2026-03-02T09:00:07.000Z', 'buy', 9000n),
  accountEvent('A1', 'RiskDecisionRecorded', { at: '2026-03-02T09:00:07.000Z', orderId: 'O3', accepted: false, reasons: ['RISK.QTY_MAX'], checks: [{ name: 'RISK.QTY_MAX', passed: false, observed: '9000', limit: '5000' }] }),
  accountEvent('A1', 'OrderDenied', { at: '2026-03-02T09:00:07.000Z', orderId: 'O3', reasons: ['RISK.QTY_MAX'] }),
  tick('2026-03-03T00:00:10.000Z', 233900n, 233920n, 3n),
];

describe('orders, fills and risk decisions', () => {
  it('keeps each order current with its status history, every fill, and each decision with its checks', async () => {
    const db = await given([ordersProjection, fillsProjection, riskDecisionsProjection], trading);
    try {
      expect(await db.rows('select order_id, account_id, status, filled_qty::text, avg_fill_price::text, denial_reasons from read.orders order by order_id')).toEqual([
        { order_id: 'O1', account_id: 'A1', status: 'filled', filled_qty: '10', avg_fill_price: '234020.000000', denial_reasons: [] },
        { order_id: 'O2', account_id: 'A1', status: 'filled', filled_qty: '4', avg_fill_price: '234100.000000', denial_reasons: [] },
        { order_id: 'O3', account_id: 'A1', status: 'denied', filled_qty: '0', avg_fill_price: null, denial_reasons: ['RISK.QTY_MAX'] },
      ]);
      expect((await db.rows<{ status: string }>(`select status from read.order_status_history where order_id = 'O1' order by position`)).map((r) => r.status)).toEqual(['submitted', 'accepted', 'filled']);
      expect(await db.rows('select fill_id, qty::text, price::text, realized_pnl::text, position_qty::text from read.fills order by position')).toEqual([
        { fill_id: 'F1', qty: '10', price: '234020', realized_pnl: '0', position_qty: '10' },
        { fill_id: 'F2', qty: '4', price: '234100', realized_pnl: '320', position_qty: '6' },
      ]);
      expect(await db.rows('select order_id, accepted, reasons, failed_checks, checks from read.risk_decisions order by position')).toEqual([
        { order_id: 'O1', accepted: true, reasons: [], failed_checks: 0, checks: [{ name: 'RISK.QTY_MAX', passed: true, observed: '10', limit: '5000' }] },
        { order_id: 'O3', accepted: false, reasons: ['RISK.QTY_MAX'], failed_checks: 1, checks: [{ name: 'RISK.QTY_MAX', passed: false, observed: '9000', limit: '5000' }] },
      ]);
    } finally {
      await db.close();
    }
  }, SLOW);
});

describe('ticks: back-filled history', () => {
  it('keeps imported ticks as history and never serves one as the latest quote, even one stamped later', async () => {
    const backfilled = (at: string, bid: bigint, ask: bigint, sequence: bigint) => {
      const t = tick(at, bid, ask, sequence);
      return { ...t, data: { ...t.data, source: 'mt5:other.tsv', history: true } };
    };
    const db = await given([ticksProjection], [
      tick('2026-03-02T09:00:01.000Z', 234_000n, 234_020n, 1n),
      backfilled('2026-03-02T09:00:05.000Z', 235_000n, 235_020n, 1n),
      backfilled('2024-05-02T09:00:00.000Z', 324_400n, 324_440n, 2n),
    ]);
    try {
      expect(await db.rows('select ts, history from read.ticks order by position')).toEqual([
        { ts: new Date('2026-03-02T09:00:01.000Z'), history: false }, { ts: new Date('2026-03-02T09:00:05.000Z'), history: true }, { ts: new Date('2024-05-02T09:00:00.000Z'), history: true },
      ]);
      const [latest] = await new MarketReads(db.sql, new Instruments()).latestQuotes(['XAUUSD']);
      expect(latest).toMatchObject({ bid: '2340.00', ask: '2340.20' });
    } finally {
      await db.close();
    }
  }, SLOW);
});

describe('portfolio', () => {
  it('keeps the live mark when a back-filled tick arrives after it: unrealized P&L stays at the live price', async () => {
    // the same trading, then an import of 2024 ticks (history) applied after the last live tick
    const backfilled = { ...tick('2024-05-02T09:00:00.000Z', 324_400n, 324_440n, 1n), data: { ...tick('2024-05-02T09:00:00.000Z', 324_400n, 324_440n, 1n).data, source: 'mt5:2024.tsv', history: true } };
    const db = await given([portfolioProjection], [...trading, backfilled]);
    try {
      // as in the next test: 6 lots marked at the last live tick's mid, 233910
      expect(await db.rows('select unrealized_pnl::text, mark_price::text from read.positions')).toEqual([{ unrealized_pnl: '-660', mark_price: '233910' }]);
    } finally {
      await db.close();
    }
  }, SLOW);

  it('marks positions to the last tick, books equity points and the day close, and computes KPIs', async () => {
    const db = await given([portfolioProjection], trading);
    try {
      // 6 × 233910 − 1,404,120 = −660 at the last tick; average open price 1,404,120 / 6 = 234020.
      expect(await db.rows('select qty::text, cost_basis::text, avg_open_price::text, realized_pnl::text, unrealized_pnl::text, mark_price::text from read.positions')).toEqual([
        { qty: '6', cost_basis: '1404120', avg_open_price: '234020', realized_pnl: '320', unrealized_pnl: '-660', mark_price: '233910' },
      ]);
      expect(await db.rows('select balance::text, equity::text, fees_paid::text from read.account_equity')).toEqual([{ balance: '1000313', equity: '999653', fees_paid: '7' }]);
      const curve = await db.rows<{ kind: string; equity: string }>('select kind, equity::text from read.equity_curve order by position, kind');
      expect(curve).toEqual([
        { kind: 'open', equity: '1000000' },
        { kind: 'fill', equity: '999895' }, // balance 999,995 and 10 × 234010 − 2,340,200 = −100
        { kind: 'fill', equity: '1000853' }, // balance 1,000,313 and 6 × 234110 − 1,404,120 = 540
        { kind: 'day_close', equity: '1000853' },
      ]);
      expect(await db.rows(`select day::text, open_equity::text, close_equity::text, daily_return::text, closed from read.equity_daily order by day`)).toEqual([
        { day: '2026-03-02', open_equity: '1000000', close_equity: '1000853', daily_return: '0.000853000000', closed: true },
        { day: '2026-03-03', open_equity: '1000853', close_equity: '999653', daily_return: null, closed: false },
      ]);
      // The sale of 4 of the 10 lots is a closing fill, not a trade: the round trip stays open (6 lots), its
      // P&L so far -5 + 320 - 2 = 313 waits on the position until it is flat.
      expect(await db.rows('select open_trade_pnl::text from read.positions')).toEqual([{ open_trade_pnl: '313' }]);
      expect(await db.rows(`select trades, wins, losses, breakeven, closing_fills, gross_profit::text, profit_factor::text, win_rate::text, average_win::text, expectancy::text,
        max_drawdown::text, max_drawdown_ratio::text, sharpe::text, return_days from read.account_kpis`)).toEqual([
        { trades: 0, wins: 0, losses: 0, breakeven: 0, closing_fills: 1, gross_profit: '0', profit_factor: null, win_rate: null, average_win: null, expectancy: null,
          max_drawdown: '105', max_drawdown_ratio: '0.000105', sharpe: null, return_days: 1 },
      ]);
    } finally {
      await db.close();
    }
  }, SLOW);
});

describe('control and audit', () => {
  const risk = { userId: 'risk-1', role: 'risk_officer' };
  const scope = { kind: 'instrument', symbol: 'XAUUSD' };
  const events = [
    { stream: 'control-instrument-XAUUSD', type: 'EmergencyStopEngaged', data: { scope, reason: 'feed broken', actor: risk, at: '2026-03-02T10:00:00.000Z' }, metadata: { commandId: 'stop-1', actor: risk } },
    { stream: 'control-instrument-XAUUSD', type: 'TradingStateChanged', data: { scope, from: 'ACTIVE', to: 'HALTED', reason: 'feed broken', actor: risk, at: '2026-03-02T10:00:00.000Z' }, metadata: { commandId: 'stop-1', actor: risk } },
    { stream: 'control-global', type: 'EmergencyStopEngaged', data: { scope: { kind: 'global' }, reason: 'drill', actor: risk, at: '2026-03-02T10:01:00.000Z' } },
    { stream: 'control-global', type: 'EmergencyStopReleaseRequested', data: { scope: { kind: 'global' }, reason: 'drill over', actor: risk, at: '2026-03-02T10:02:00.000Z' } },
    accountEvent('A1', 'TradingStateChanged', { at: '2026-03-02T10:03:00.000Z', from: 'ACTIVE', to: 'HALTED', reason: 'daily loss', reasonCode: 'RISK.DAILY_LOSS', changedBy: { userId: 'risk-engine', role: 'system' } }),
  ];

  it('shows which stops are engaged, pending releases, trading gates, account states and the history', async () => {
    const db = await given([controlProjection, auditProjection], events);
    try {
      expect(await db.rows('select scope_key, trading_state, stop_engaged, stop_reason, engaged_by, release_requested_by from read.control_states order by scope_key')).toEqual([
        { scope_key: 'global', trading_state: 'ACTIVE', stop_engaged: true, stop_reason: 'drill', engaged_by: 'risk-1', release_requested_by: 'risk-1' },
        { scope_key: 'instrument:XAUUSD', trading_state: 'HALTED', stop_engaged: true, stop_reason: 'feed broken', engaged_by: 'risk-1', release_requested_by: null },
      ]);
      expect(await db.rows('select account_id, state, previous_state, reason_code, changed_by from read.account_trading_states')).toEqual([
        { account_id: 'A1', state: 'HALTED', previous_state: 'ACTIVE', reason_code: 'RISK.DAILY_LOSS', changed_by: 'risk-engine' },
      ]);
      expect((await db.rows('select 1 from read.control_events')).length).toBe(5);
      const audit = await db.rows('select stream_id, type, actor_user, actor_role, command_id from read.audit_log order by position limit 2');
      expect(audit).toEqual([
        { stream_id: 'control-instrument-XAUUSD', type: 'EmergencyStopEngaged', actor_user: 'risk-1', actor_role: 'risk_officer', command_id: 'stop-1' },
        { stream_id: 'control-instrument-XAUUSD', type: 'TradingStateChanged', actor_user: 'risk-1', actor_role: 'risk_officer', command_id: 'stop-1' },
      ]);
      expect((await db.rows('select 1 from read.audit_log')).length).toBe(events.length);
    } finally {
      await db.close();
    }
  }, SLOW);
});

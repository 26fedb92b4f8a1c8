import { describe, expect, it } from 'vitest';
import { XAUUSD_FACTS } from '../../../../../domain/trading/orders/index.ts';
import {
  DEFAULT_MAX_DRAWDOWN_BPS,
  RISK_CHECK_NAMES,
  evaluateOrderRisk,
  SubmitTimes,
  type AccountRiskView,
  type OrderRequest,
  type OrderRiskInput,
  type RiskCheckName,
  type RiskLimits,
} from '../../../../../domain/trading/risk/index.ts';

const NOW = new Date('2024-05-06T10:00:00.000Z');

const LIMITS: RiskLimits = {
  maxOrderNotional: 50_000_000n,
  maxPositionQty: 300n,
  maxOpenOrders: 5,
  priceCollarBps: 100n,
  maxQuoteAgeMs: 2_000,
  maxSubmitsPerWindow: 3,
  submitWindowMs: 1_000,
  maxDailyLoss: 1_000_000n,
  maxDrawdownBps: DEFAULT_MAX_DRAWDOWN_BPS,
  dailyCutoffHourUtc: 0,
};

const ACCOUNT: AccountRiskView = {
  tradingState: 'ACTIVE',
  positionQty: 0n,
  openBuyQty: 0n,
  openSellQty: 0n,
  openOrderCount: 0,
  recentSubmitTimes: SubmitTimes.EMPTY,
  clientOrderIdUsed: false,
  dailyPnl: 0n,
  equity: 100_000_000n,
  peakEquity: 100_000_000n,
};

const ORDER: OrderRequest = { clientOrderId: 'c1', symbol: 'XAUUSD', side: 'buy', kind: 'market', qty: 100n, limitPrice: null, stopPrice: null, reduceOnly: false };

interface Changes {
  order?: Partial<OrderRequest>;
  account?: Partial<AccountRiskView>;
  limits?: Partial<RiskLimits> | null;
  quote?: OrderRiskInput['quote'];
  controls?: OrderRiskInput['controls'];
  now?: Date;
}

function input(changes: Changes = {}): OrderRiskInput {
  return {
    order: { ...ORDER, ...changes.order },
    instrument: { ...XAUUSD_FACTS, qtyStep: 5n, maxOrderQty: 1_000n },
    quote: 'quote' in changes ? changes.quote : { bid: 239_990n, ask: 240_010n, timestamp: new Date(NOW.getTime() - 500) },
    now: changes.now ?? NOW,
    limits: changes.limits === null ? null : { ...LIMITS, ...changes.limits },
    account: { ...ACCOUNT, ...changes.account },
    controls: changes.controls ?? { stopped: false },
  };
}

const checkOf = (changes: Changes, name: RiskCheckName) => evaluateOrderRisk(input(changes)).checks.find((c) => c.name === name)!;

/** Expects exactly `name` to fail, with these observed and limit values. */
function deniedOnlyBy(changes: Changes, name: RiskCheckName, observed: string, limit: string): void {
  const outcome = evaluateOrderRisk(input(changes));
  expect(outcome.accepted).toBe(false);
  expect(outcome.reasons).toEqual([name]);
  expect(outcome.checks.find((c) => c.name === name)).toEqual({ name, passed: false, observed, limit });
}

describe('pre-trade risk engine', () => {
  it('accepts an order within every limit and lists every check with observed value and limit', () => {
    const outcome = evaluateOrderRisk(input());
    expect(outcome).toMatchObject({ accepted: true, reasons: [] });
    expect(outcome.checks.map((c) => c.name)).toEqual(RISK_CHECK_NAMES);
    expect(outcome.checks.every((c) => c.passed && c.observed !== '' && c.limit !== '')).toBe(true);
    expect(checkOf({}, 'RISK.NOTIONAL')).toMatchObject({ observed: '24001000', limit: '50000000' }); // 1 lot at the ask 2400.10
  });

  it('RISK.QTY_MIN / QTY_MAX / QTY_STEP judge the order against the instrument grid', () => {
    deniedOnlyBy({ order: { qty: 0n } }, 'RISK.QTY_MIN', '0', '1');
    deniedOnlyBy({ order: { qty: 1_005n }, limits: { maxOrderNotional: 10n ** 12n, maxPositionQty: 10_000n } }, 'RISK.QTY_MAX', '1005', '1000');
    deniedOnlyBy({ order: { qty: 102n } }, 'RISK.QTY_STEP', '102', 'multiple of 5');
  });

  it('RISK.NOTIONAL values market orders at the far side of the quote and limit orders at their price', () => {
    deniedOnlyBy({ order: { qty: 210n }, limits: { maxPositionQty: 1_000n } }, 'RISK.NOTIONAL', '50402100', '50000000');
    deniedOnlyBy({ order: { side: 'sell', qty: 210n }, limits: { maxPositionQty: 1_000n } }, 'RISK.NOTIONAL', '50397900', '50000000');
    expect(checkOf({ order: { kind: 'limit', limitPrice: 239_000n } }, 'RISK.NOTIONAL').observed).toBe('23900000');
    expect(checkOf({ order: { kind: 'stop', stopPrice: 241_000n } }, 'RISK.NOTIONAL').observed).toBe('24100000');
  });

  it('RISK.POSITION_LIMIT counts the worst case of every working order on both sides', () => {
    deniedOnlyBy({ account: { positionQty: 150n, openBuyQty: 100n } }, 'RISK.POSITION_LIMIT', '350', '300');
    // Short 250 with 100 more working to sell: a new sell of 5 reaches 355 short.
    deniedOnlyBy({ order: { side: 'sell', qty: 5n }, account: { positionQty: -250n, openSellQty: 100n } }, 'RISK.POSITION_LIMIT', '355', '300');
    // Working buys do not offset the sell side's worst case.
    deniedOnlyBy({ order: { side: 'sell', qty: 200n }, account: { openBuyQty: 300n, openSellQty: 150n } }, 'RISK.POSITION_LIMIT', '350', '300');
    expect(checkOf({ account: { positionQty: 200n } }, 'RISK.POSITION_LIMIT')).toMatchObject({ passed: true, observed: '300' });
  });

  it('RISK.OPEN_ORDERS counts the new order with the working ones', () => {
    deniedOnlyBy({ account: { openOrderCount: 5 } }, 'RISK.OPEN_ORDERS', '6', '5');
    expect(checkOf({ account: { openOrderCount: 4 } }, 'RISK.OPEN_ORDERS')).toMatchObject({ passed: true, observed: '5' });
  });

  it('RISK.PRICE_COLLAR bounds limit and stop prices around the mid, exactly at the edge', () => {
    // 1% of 2400.00 is 24.00: 2424.00 is on the collar, 2424.01 beyond it.
    expect(checkOf({ order: { kind: 'limit', limitPrice: 242_400n } }, 'RISK.PRICE_COLLAR')).toMatchObject({ passed: true, observed: '100' });
    deniedOnlyBy({ order: { kind: 'limit', limitPrice: 242_401n } }, 'RISK.PRICE_COLLAR', '101', '100');
    deniedOnlyBy({ order: { kind: 'stop', side: 'sell', stopPrice: 237_000n } }, 'RISK.PRICE_COLLAR', '125', '100');
    expect(checkOf({}, 'RISK.PRICE_COLLAR')).toMatchObject({ passed: true, observed: 'n/a: market order' });
  });

  it('RISK.STALE_MARKET_DATA denies a missing, unusable or old quote and never fails open', () => {
    deniedOnlyBy({ quote: { bid: 239_990n, ask: 240_010n, timestamp: new Date(NOW.getTime() - 2_001) } }, 'RISK.STALE_MARKET_DATA', '2001', '2000');
    expect(checkOf({ quote: { bid: 239_990n, ask: 240_010n, timestamp: new Date(NOW.getTime() - 2_000) } }, 'RISK.STALE_MARKET_DATA').passed).toBe(true);
    const noQuote = evaluateOrderRisk(input({ quote: undefined }));
    expect(noQuote.accepted).toBe(false);
    expect(noQuote.reasons).toContain('RISK.STALE_MARKET_DATA');
    expect(noQuote.reasons).toContain('RISK.NOTIONAL'); // a market order cannot be valued without a price either
    const crossed = checkOf({ quote: { bid: 240_020n, ask: 240_010n, timestamp: NOW } }, 'RISK.STALE_MARKET_DATA');
    expect(crossed).toMatchObject({ passed: false, observed: 'unusable quote' });
  });

  it('RISK.RATE_LIMIT counts submissions in the sliding window, this one included', () => {
    const t = NOW.getTime();
    deniedOnlyBy({ account: { recentSubmitTimes: SubmitTimes.of([t - 999, t - 500, t - 1]) } }, 'RISK.RATE_LIMIT', '4', '3 per 1000ms');
    expect(checkOf({ account: { recentSubmitTimes: SubmitTimes.of([t - 1_000, t - 500, t - 1]) } }, 'RISK.RATE_LIMIT')).toMatchObject({ passed: true, observed: '3' });
  });

  it('RISK.DUPLICATE_CLIENT_ORDER_ID denies a client order id seen before', () => {
    deniedOnlyBy({ account: { clientOrderIdUsed: true } }, 'RISK.DUPLICATE_CLIENT_ORDER_ID', 'used before', 'new');
  });

  it('RISK.REDUCE_ONLY while REDUCING accepts only orders that shrink the position without crossing zero', () => {
    const reducing = { tradingState: 'REDUCING' as const, positionQty: 200n };
    expect(evaluateOrderRisk(input({ order: { side: 'sell', qty: 200n }, account: reducing })).accepted).toBe(true);
    deniedOnlyBy({ order: { side: 'buy', qty: 5n }, account: reducing }, 'RISK.REDUCE_ONLY', 'does not reduce position 200', 'reduce only');
    deniedOnlyBy({ order: { side: 'sell', qty: 205n }, account: reducing }, 'RISK.REDUCE_ONLY', 'does not reduce position 200', 'reduce only');
    // Together with a sell already working, a second sell could take the position short.
    deniedOnlyBy({ order: { side: 'sell', qty: 150n }, account: { ...reducing, openSellQty: 100n } }, 'RISK.REDUCE_ONLY', 'does not reduce position 200', 'reduce only');
    deniedOnlyBy({ order: { side: 'sell', qty: 5n }, account: { tradingState: 'REDUCING' } }, 'RISK.REDUCE_ONLY', 'does not reduce position 0', 'reduce only');
  });

  it('RISK.REDUCE_ONLY applies to an order flagged reduce-only while ACTIVE', () => {
    deniedOnlyBy({ order: { reduceOnly: true } }, 'RISK.REDUCE_ONLY', 'does not reduce position 0', 'reduce only');
    expect(evaluateOrderRisk(input({ order: { reduceOnly: true }, account: { positionQty: -100n } })).accepted).toBe(true);
  });

  it('RISK.HALTED denies every order, risk-reducing ones included', () => {
    deniedOnlyBy({ order: { side: 'sell' }, account: { tradingState: 'HALTED', positionQty: 100n } }, 'RISK.HALTED', 'HALTED', 'not HALTED');
  });

  it('RISK.EMERGENCY_STOP denies while a stop applies and names its scope', () => {
    deniedOnlyBy({ controls: { stopped: true, scope: 'instrument:XAUUSD' } }, 'RISK.EMERGENCY_STOP', 'engaged: instrument:XAUUSD', 'none');
  });

  it('RISK.DAILY_LOSS denies once the day has lost the limit, the limit itself included', () => {
    deniedOnlyBy({ account: { dailyPnl: -1_000_000n } }, 'RISK.DAILY_LOSS', '-1000000', '-1000000');
    expect(checkOf({ account: { dailyPnl: -999_999n } }, 'RISK.DAILY_LOSS').passed).toBe(true);
  });

  it('RISK.DRAWDOWN denies at 10% below peak equity by default', () => {
    deniedOnlyBy({ account: { equity: 90_000_000n, peakEquity: 100_000_000n } }, 'RISK.DRAWDOWN', '1000', '1000');
    expect(checkOf({ account: { equity: 90_000_001n, peakEquity: 100_000_000n } }, 'RISK.DRAWDOWN')).toMatchObject({ passed: true, observed: '1000' });
  });

  it('denies everything bound to a limit when no limits were ever set', () => {
    const outcome = evaluateOrderRisk(input({ limits: null }));
    expect(outcome.accepted).toBe(false);
    expect(outcome.reasons).toEqual([
      'RISK.LIMITS_NOT_SET',
      'RISK.NOTIONAL',
      'RISK.POSITION_LIMIT',
      'RISK.OPEN_ORDERS',
      'RISK.PRICE_COLLAR',
      'RISK.STALE_MARKET_DATA',
      'RISK.RATE_LIMIT',
      'RISK.DAILY_LOSS',
      'RISK.DRAWDOWN',
    ]);
  });

  it('runs and lists every check even when several fail', () => {
    const outcome = evaluateOrderRisk(
      input({ order: { qty: 3n, clientOrderId: 'dup' }, account: { clientOrderIdUsed: true, tradingState: 'HALTED' }, controls: { stopped: true, scope: 'global' } }),
    );
    expect(outcome.checks).toHaveLength(RISK_CHECK_NAMES.length);
    expect(outcome.reasons).toEqual(['RISK.QTY_STEP', 'RISK.DUPLICATE_CLIENT_ORDER_ID', 'RISK.HALTED', 'RISK.EMERGENCY_STOP']);
  });
});

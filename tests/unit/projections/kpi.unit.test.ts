// KPI formulas against hand-computed cases, including the degenerate ones docs/read-models.md lists:
// given the fills of a position, then the round trips and the figures.
import { describe, expect, it } from 'vitest';
import {
  addFill, addReturn, dailyReturn, kpis, NO_RETURNS, NO_TRADES, ratio, sharpe, trackEquity, type RoundTripFill, type RoundTripStep,
} from '../../../projections/read-models/portfolio/kpi.ts';

const returnsOf = (...rs: number[]) => rs.reduce(addReturn, NO_RETURNS);

// Fills of one position as the account books them; positionQty is the signed position after the fill.
const opening = (qty: bigint, fee: bigint, positionQty: bigint): RoundTripFill => ({ fee, closedQty: 0n, openedQty: qty, realizedPnl: 0n, positionQty });
const closing = (qty: bigint, realizedPnl: bigint, fee: bigint, positionQty: bigint): RoundTripFill => ({ fee, closedQty: qty, openedQty: 0n, realizedPnl, positionQty });
const flipping = (closedQty: bigint, openedQty: bigint, realizedPnl: bigint, fee: bigint, positionQty: bigint): RoundTripFill => ({ fee, closedQty, openedQty, realizedPnl, positionQty });

/** Given the fills of one position, from flat: the statistics and the open round trip's P&L. */
const given = (...fills: RoundTripFill[]): RoundTripStep =>
  fills.reduce<RoundTripStep>((step, fill) => addFill(step.trades, step.openTradePnl, fill), { trades: NO_TRADES, openTradePnl: 0n });
/** One round trip per P&L (after fees) on one position: a buy of 1 lot, then its sale, no fees. */
const roundTrips = (...pnls: bigint[]) => given(...pnls.flatMap((pnl) => [opening(1n, 0n, 1n), closing(1n, pnl, 0n, 0n)])).trades;

describe('a trade is a round trip: flat to flat', () => {
  it('has no trades and no figures before any fill', () => {
    expect(NO_TRADES).toEqual({ trades: 0, wins: 0, losses: 0, breakeven: 0, grossProfit: 0n, grossLoss: 0n, closingFills: 0 });
    expect(kpis(NO_TRADES, NO_RETURNS)).toEqual({ profitFactor: null, winRate: null, averageWin: null, averageLoss: null, expectancy: null, netTradePnl: 0n, sharpe: null });
  });

  it('does not count a round trip still open, however many partial closes it had', () => {
    // buy 10 (fee 5), sell 4 (+320, fee 2), sell 3 (+150, fee 1): 3 lots still open
    const { trades, openTradePnl } = given(opening(10n, 5n, 10n), closing(4n, 320n, 2n, 6n), closing(3n, 150n, 1n, 3n));
    expect(trades).toEqual({ ...NO_TRADES, closingFills: 2 });
    expect(openTradePnl).toBe(462n); // -5 + 320 - 2 + 150 - 1, counted when the last 3 lots close
    expect(kpis(trades, NO_RETURNS)).toMatchObject({ winRate: null, expectancy: null, netTradePnl: 0n });
  });

  it('counts a position closed in 13 partial fills as one trade, and the 13 fills as closing fills', () => {
    const fills = [opening(13n, 13n, 13n), ...Array.from({ length: 13 }, (_, i) => closing(1n, 10n, 1n, BigInt(12 - i)))];
    const { trades, openTradePnl } = given(...fills);
    // -13 opening fee + 13 × (10 realized - 1 fee) = 104
    expect(trades).toEqual({ trades: 1, wins: 1, losses: 0, breakeven: 0, grossProfit: 104n, grossLoss: 0n, closingFills: 13 });
    expect(openTradePnl).toBe(0n);
    expect(kpis(trades, NO_RETURNS)).toEqual({ profitFactor: null, winRate: '1.000000', averageWin: '104.000000', averageLoss: null, expectancy: '104.000000', netTradePnl: 104n, sharpe: null });
  });

  it('closes the round trip at a flip and opens the next with the remainder, sharing the flip fill\'s fee by quantity', () => {
    // buy 5 (fee 5); sell 8 closes 5 at -200 and opens 3 short, fee 8 split 5 / 3; buy 3 closes at +90, fee 3
    const afterFlip = given(opening(5n, 5n, 5n), flipping(5n, 3n, -200n, 8n, -3n));
    expect(afterFlip.trades).toEqual({ trades: 1, wins: 0, losses: 1, breakeven: 0, grossProfit: 0n, grossLoss: 210n, closingFills: 1 }); // -5 - 200 - 5
    expect(afterFlip.openTradePnl).toBe(-3n); // the opened part's share of the fee
    const { trades } = given(opening(5n, 5n, 5n), flipping(5n, 3n, -200n, 8n, -3n), closing(3n, 90n, 3n, 0n));
    expect(trades).toEqual({ trades: 2, wins: 1, losses: 1, breakeven: 0, grossProfit: 84n, grossLoss: 210n, closingFills: 2 }); // -3 + 90 - 3
    expect(kpis(trades, NO_RETURNS)).toEqual({
      profitFactor: '0.400000', winRate: '0.500000', averageWin: '84.000000', averageLoss: '210.000000', expectancy: '-63.000000', netTradePnl: -126n, sharpe: null,
    });
  });

  it('rounds the closing share of a flip fee half to even and gives the rest to the next round trip', () => {
    // fee 2 over 1 closed and 2 opened: closing share 2/3 → 1, opening share 1
    const step = given(opening(1n, 0n, 1n), flipping(1n, 2n, 0n, 2n, -2n));
    expect(step.trades).toMatchObject({ trades: 1, losses: 1, grossLoss: 1n });
    expect(step.openTradePnl).toBe(-1n);
  });

  it('counts a round trip whose gain the fees eat to 0 as breakeven: a trade, neither a win nor a loss', () => {
    const { trades } = given(opening(1n, 5n, 1n), closing(1n, 10n, 5n, 0n));
    expect(trades).toEqual({ trades: 1, wins: 0, losses: 0, breakeven: 1, grossProfit: 0n, grossLoss: 0n, closingFills: 1 });
    expect(kpis(trades, NO_RETURNS)).toEqual({ profitFactor: null, winRate: '0.000000', averageWin: null, averageLoss: null, expectancy: '0.000000', netTradePnl: 0n, sharpe: null });
  });

  it('keeps the round trips of two positions apart', () => {
    // long XAU opens; an XAG round trip opens and closes (+40); the XAU round trip closes (-25)
    let xau: RoundTripStep = addFill(NO_TRADES, 0n, opening(2n, 0n, 2n));
    let xag: RoundTripStep = addFill(xau.trades, 0n, opening(1n, 0n, -1n));
    xag = addFill(xag.trades, xag.openTradePnl, closing(1n, 40n, 0n, 0n));
    xau = addFill(xag.trades, xau.openTradePnl, closing(2n, -25n, 0n, 0n));
    expect(xau.trades).toEqual({ trades: 2, wins: 1, losses: 1, breakeven: 0, grossProfit: 40n, grossLoss: 25n, closingFills: 2 });
  });
});

describe('trade KPIs', () => {
  it('profit factor, win rate, averages and expectancy of wins 300 and 100, losses 50 and 150, and one breakeven', () => {
    const k = kpis(roundTrips(300n, -50n, 100n, 0n, -150n), NO_RETURNS);
    expect(k.profitFactor).toBe('2.000000'); // 400 / 200
    expect(k.winRate).toBe('0.400000'); // 2 wins of 5 trades; the breakeven counts as a trade, not a win
    expect(k.averageWin).toBe('200.000000'); // 400 / 2
    expect(k.averageLoss).toBe('100.000000'); // 200 / 2, a positive amount like gross loss
    expect(k.expectancy).toBe('40.000000'); // (400 - 200) / 5 minor units per trade = 0.4 × 200 - 0.4 × 100
    expect(k.netTradePnl).toBe(200n);
  });

  it('has no profit factor and no average loss without a losing trade', () => {
    expect(kpis(roundTrips(100n, 50n), NO_RETURNS)).toEqual({ profitFactor: null, winRate: '1.000000', averageWin: '75.000000', averageLoss: null, expectancy: '75.000000', netTradePnl: 150n, sharpe: null });
  });

  it('has a profit factor of 0 and no average win with only losing trades', () => {
    expect(kpis(roundTrips(-30n, -10n), NO_RETURNS)).toEqual({ profitFactor: '0.000000', winRate: '0.000000', averageWin: null, averageLoss: '20.000000', expectancy: '-20.000000', netTradePnl: -40n, sharpe: null });
  });

  it('keeps fractions of a minor unit in the averages, rounded half to even at six places', () => {
    expect(kpis(roundTrips(1n, 0n, 0n), NO_RETURNS)).toMatchObject({ expectancy: '0.333333', averageWin: '1.000000' });
  });

  it('rounds ratios half to even at six places', () => {
    expect(ratio(1n, 3n)).toBe('0.333333');
    expect(ratio(2n, 3n)).toBe('0.666667');
    expect(ratio(1n, 8_000_000n)).toBe('0.000000'); // 0.000000125 -> even neighbour 0.000000
    expect(ratio(-7n, 2n)).toBe('-3.500000');
  });
});

describe('maximum drawdown', () => {
  it('is the worst fall from a running peak, in minor units and as a share of that peak', () => {
    const points = [1_000n, 1_200n, 900n, 1_100n, 1_300n, 1_040n, 1_250n];
    const dd = points.reduce(trackEquity, { peak: 1_000n, maxDrawdown: 0n, maxDrawdownRatio: null });
    expect(dd).toEqual({ peak: 1_300n, maxDrawdown: 300n, maxDrawdownRatio: '0.250000' }); // 1200 -> 900
  });

  it('is zero with no ratio while equity only rises', () => {
    expect([5n, 6n, 7n].reduce(trackEquity, { peak: 5n, maxDrawdown: 0n, maxDrawdownRatio: null })).toEqual({ peak: 7n, maxDrawdown: 0n, maxDrawdownRatio: null });
  });
});

describe('Sharpe ratio', () => {
  it('annualises mean over sample deviation of daily returns with √252', () => {
    // Returns 1%, -1%, 2%, 0%: mean 0.005, sample variance (0.005² + 0.015² + 0.015² + 0.005²) / 3 = 0.000166…
    const s = Number(sharpe(returnsOf(0.01, -0.01, 0.02, 0)));
    const expected = (0.005 / Math.sqrt(0.0005 / 3)) * Math.sqrt(252);
    expect(s).toBeCloseTo(expected, 5);
    expect(s).toBeCloseTo(6.148170, 5);
  });

  it('is undefined for fewer than two days or returns that never vary', () => {
    expect(sharpe(returnsOf(0.01))).toBeNull();
    expect(sharpe(returnsOf(0.01, 0.01, 0.01))).toBeNull();
  });

  it('measures a day by its trading gain over the opening equity, not by deposits', () => {
    expect(dailyReturn(1_000_000n, 1_150_000n, 100_000n)).toBeCloseTo(0.05, 12);
    expect(dailyReturn(0n, 10n, 0n)).toBeUndefined();
    expect(dailyReturn(-5n, 10n, 0n)).toBeUndefined();
  });
});

// KPI formulas against hand-computed cases, including the degenerate ones docs/read-models.md lists.
import { describe, expect, it } from 'vitest';
import { addReturn, addTrade, dailyReturn, kpis, NO_RETURNS, NO_TRADES, ratio, sharpe, trackEquity } from '../../../projections/read-models/portfolio/kpi.ts';

const tradesOf = (...pnls: bigint[]) => pnls.reduce(addTrade, NO_TRADES);
const returnsOf = (...rs: number[]) => rs.reduce(addReturn, NO_RETURNS);

describe('trade KPIs', () => {
  it('profit factor, win rate and expectancy of wins 300 and 100 against losses 50 and 150 (and one breakeven)', () => {
    const k = kpis(tradesOf(300n, -50n, 100n, 0n, -150n), NO_RETURNS);
    expect(k.profitFactor).toBe('2.000000'); // 400 / 200
    expect(k.winRate).toBe('0.400000'); // 2 wins of 5 trades; the breakeven counts as a trade, not a win
    expect(k.expectancy).toBe('40.000000'); // (400 - 200) / 5 minor units per trade
    expect(k.netTradePnl).toBe(200n);
  });

  it('has no profit factor without a losing trade, and no ratios at all without trades', () => {
    expect(kpis(tradesOf(10n, 20n), NO_RETURNS)).toMatchObject({ profitFactor: null, winRate: '1.000000', expectancy: '15.000000' });
    expect(kpis(NO_TRADES, NO_RETURNS)).toMatchObject({ profitFactor: null, winRate: null, expectancy: null, netTradePnl: 0n, sharpe: null });
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

import { describe, expect, it } from 'vitest';
import {
  RISK_ENGINE_ACTOR,
  accountFigures,
  averageOpenPrice,
  type AccountCommand,
  type AccountEvent,
  type OrderFilled,
} from '../../../../../domain/trading/account/index.ts';
import { XAUUSD_FACTS } from '../../../../../domain/trading/orders/index.ts';
import { ACCOUNT, OFFICER, T0, account, at, fill, meta, open, place, setLimits } from './fixtures.ts';

const filledData = (events: readonly AccountEvent[]): OrderFilled['data'] => {
  const filled = events.find((e): e is OrderFilled => e.type === 'OrderFilled');
  if (filled === undefined) throw new Error('no fill recorded');
  return filled.data;
};
const HOUR = 3_600_000;
const withdraw = (amount: bigint): AccountCommand => ({ type: 'Withdraw', data: { accountId: ACCOUNT, amount }, metadata: meta(T0, OFFICER) });

describe('account: positions and P&L', () => {
  const longTwoLots = (): AccountEvent[] =>
    account.history(
      open(),
      setLimits({ maxOrderNotional: 10n ** 10n }),
      place({ orderId: 'B1' }),
      fill('B1', 100n, 240_000n, 'F1'),
      place({ orderId: 'B2', mid: 241_000n }),
      fill('B2', 100n, 241_000n, 'F2'),
    );

  it('nets fills per instrument and keeps the average open price exactly as cost basis', () => {
    const position = account.fold(longTwoLots()).positions.get('XAUUSD')!;
    expect(position).toEqual({ symbol: 'XAUUSD', qty: 200n, costBasis: 48_100_000n, realizedPnl: 0n });
    expect(averageOpenPrice(position, XAUUSD_FACTS)).toBe(240_500n); // 2405.00
  });

  it('splits a fill larger than the position into a close and an open', () => {
    const history = [...longTwoLots(), ...account.given(longTwoLots()).when(place({ orderId: 'S1', side: 'sell', qty: 300n, mid: 242_000n })).result().events];
    const { events, state } = account.given(history).when(fill('S1', 300n, 242_000n, 'F3')).result();
    expect(filledData(events)).toMatchObject({
      closedQty: 200n,
      openedQty: 100n,
      cashFlow: 72_600_000n,
      realizedPnl: 300_000n, // 200 steps closed at 2420.00 against 2405.00: 3,000.00 USD
      positionQty: -100n,
      positionCostBasis: -24_200_000n, // short 1 lot opened at 2420.00
    });
    expect(state.positions.get('XAUUSD')).toEqual({ symbol: 'XAUUSD', qty: -100n, costBasis: -24_200_000n, realizedPnl: 300_000n });
    expect(state.balance).toBe(100_000_000n + 300_000n);
  });

  it('charges fees to the balance, not to the position', () => {
    const history = account.history(open(), setLimits(), place({ orderId: 'B1' }));
    const { state } = account.given(history).when(fill('B1', 100n, 240_000n, 'F1', T0, 700n)).result();
    expect(state.balance).toBe(100_000_000n - 700n);
    expect(state.positions.get('XAUUSD')?.costBasis).toBe(24_000_000n);
    expect(accountFigures(state, T0)).toMatchObject({ feesPaid: 700n, equity: 100_000_000n - 700n, dailyPnl: -700n });
  });
});

describe('account: limits that halt by themselves', () => {
  const longOneLot = (startingBalance: bigint, limits: Parameters<typeof setLimits>[0] = {}): AccountEvent[] =>
    account.history(open(startingBalance), setLimits(limits), place({ orderId: 'B1' }), fill('B1', 100n, 240_000n, 'F1'));

  it('halts when the day\'s marked loss reaches the daily loss limit', () => {
    const history = longOneLot(100_000_000n, { maxDailyLoss: 100_000n });
    const closing = [...history, ...account.given(history).when(place({ orderId: 'S1', side: 'sell', mid: 238_900n })).result().events];
    // The order placed at a 2389.00 mid was denied (the mark already showed the loss) and halted the account.
    expect(account.fold(closing).trading).toMatchObject({ state: 'HALTED', reasonCode: 'RISK.DAILY_LOSS', changedBy: RISK_ENGINE_ACTOR });
  });

  it('halts on the fill itself, naming the limit, and only once', () => {
    const history = account.history(open(100_000_000n), setLimits({ maxDailyLoss: 100_000n, maxOrderNotional: 10n ** 10n }), place({ orderId: 'B1', qty: 300n }), fill('B1', 100n, 240_000n, 'F1'));
    const { events, state } = account.given(history).when(fill('B1', 100n, 238_900n, 'F2')).result();
    // Long 2 lots from 2394.50 avg marked at 2389.00: 110,000 cents down on the day.
    expect(events.map((e) => e.type)).toEqual(['OrderFilled', 'TradingStateChanged']);
    expect(events[1]).toEqual({
      type: 'TradingStateChanged',
      data: { from: 'ACTIVE', to: 'HALTED', reason: 'RISK.DAILY_LOSS observed -110000, limit -100000', reasonCode: 'RISK.DAILY_LOSS', changedBy: RISK_ENGINE_ACTOR, at: T0.toISOString() },
    });
    expect(state.trading.state).toBe('HALTED');
    const again = [...history, ...events];
    expect(account.given(again).when(fill('B1', 1n, 238_000n, 'F3')).result().events.map((e) => e.type)).not.toContain('TradingStateChanged');
  });

  it('halts at 10% below peak equity by default', () => {
    const history = longOneLot(1_000_000n); // 10,000.00 USD, long 1 lot
    const sell = [...history, ...account.given(history).when(place({ orderId: 'S1', side: 'sell', kind: 'limit', limitPrice: 239_000n })).result().events];
    const { events } = account.given(sell).when(fill('S1', 100n, 239_000n, 'F2')).result();
    expect(events[1]).toMatchObject({ type: 'TradingStateChanged', data: { to: 'HALTED', reasonCode: 'RISK.DRAWDOWN', reason: 'RISK.DRAWDOWN observed 1000, limit 1000' } });
  });

  it('denies an order whose own quote shows the drawdown, and halts the account with it', () => {
    const history = longOneLot(1_000_000n);
    const { events } = account.given(history).when(place({ orderId: 'S1', side: 'sell', mid: 238_900n })).result();
    expect(events.map((e) => e.type)).toEqual(['OrderPlaced', 'RiskDecisionRecorded', 'OrderDenied', 'TradingStateChanged']);
    expect(events[2]).toMatchObject({ data: { reasons: ['RISK.DRAWDOWN'] } });
    expect(events[3]).toMatchObject({ data: { to: 'HALTED', reasonCode: 'RISK.DRAWDOWN' } });
  });

  it('does not count a withdrawal as drawdown', () => {
    const history = account.history(open(1_000_000n), setLimits(), withdraw(600_000n));
    const figures = accountFigures(account.fold(history), T0);
    expect(figures).toMatchObject({ equity: 400_000n, peakEquity: 400_000n, drawdownBps: 0n, dailyPnl: 0n });
  });

  it('starts the daily P&L over at the configured cut-off hour', () => {
    // Cut-off 22:00 UTC. Long 1 lot from 2400.00 at 10:00; by 21:00 gold is 2391.00 (-90,000 on the day).
    const cutoff = { maxDailyLoss: 100_000n, dailyCutoffHourUtc: 22 };
    const history = account.history(open(100_000_000n), setLimits(cutoff), place({ orderId: 'B1' }), fill('B1', 100n, 240_000n, 'F1'), place({ orderId: 'P', kind: 'limit', limitPrice: 239_000n, qty: 5n, mid: 239_100n, now: at(11 * HOUR) }));
    const probe = { side: 'sell' as const, kind: 'limit' as const, limitPrice: 240_000n, qty: 5n, mid: 238_900n };
    // At 21:30 a 2389.00 mark is -110,000 on the day: denied and halted.
    const before = account.given(history).when(place({ ...probe, now: at(11.5 * HOUR) })).result().events;
    expect(before.map((e) => e.type)).toContain('TradingStateChanged');
    // At 22:30 the day began at 2391.00: the same mark is -20,000 and the order passes.
    const after = account.given(history).when(place({ ...probe, now: at(12.5 * HOUR) })).result().events;
    expect(after.map((e) => e.type)).toEqual(['OrderPlaced', 'RiskDecisionRecorded', 'OrderAccepted']);
  });
});

// Post-trade control: a broker's fill is checked against its order and the market before it is booked.
// A refused fill records FillRefused (who reported it, the price, the quote, why) and changes no figure.
import { describe, expect, it } from 'vitest';
import { DEFAULT_FILL_BAND_BPS, accountFigures, type AccountEvent, type FillRefused, type RecordFill } from '../../../../../domain/trading/account/index.ts';
import { BROKER, T0, account, fill, open, place, quoteAt, setLimits } from './fixtures.ts';

const MARKET = { lastQuote: quoteAt(T0, 204_000n), bandBps: DEFAULT_FILL_BAND_BPS }; // 2,039.90 / 2,040.10
const withOrder = (fields: Parameters<typeof place>[0]) => account.history(open(), setLimits(), place({ orderId: 'O1', quote: quoteAt(T0, 204_000n), ...fields }));
const buyLimit = () => withOrder({ side: 'buy', kind: 'limit', limitPrice: 203_900n });
const sellLimit = () => withOrder({ side: 'sell', kind: 'limit', limitPrice: 204_100n });
const reported = (price: bigint, extra: Partial<RecordFill['data']> = {}): RecordFill => {
  const command = fill('O1', 100n, price, 'F1', T0, undefined, MARKET);
  return { ...command, data: { ...command.data, ...extra } };
};
const refusalOf = (events: readonly AccountEvent[]): FillRefused['data'] => {
  expect(events.map((e) => e.type)).toEqual(['FillRefused']);
  return (events[0] as FillRefused).data;
};

describe('account: RecordFill post-trade checks', () => {
  it('refuses a buy limited at 2039.00 filled at 2050.00, and records who reported it, the price and why', () => {
    const history = buyLimit();
    const { events, state } = account.given(history).when(reported(205_000n)).result();
    expect(refusalOf(events)).toEqual({
      fillId: 'F1', orderId: 'O1', symbol: 'XAUUSD', side: 'buy', qty: 100n, price: 205_000n,
      reportedSymbol: null, reportedSide: null, limitPrice: 203_900n,
      quote: { bid: 203_990n, ask: 204_010n, timestamp: MARKET.lastQuote.timestamp.toISOString() }, bandBps: DEFAULT_FILL_BAND_BPS,
      code: 'FILL.WORSE_THAN_LIMIT', reason: expect.stringContaining('203900') as string, reportedBy: BROKER, at: T0.toISOString(),
    });
    // nothing booked: the order still works, no position, the figures unchanged
    const before = account.fold(history);
    expect(state.workingOrders.get('O1')?.filledQty).toBe(0n);
    expect(state.positions.get('XAUUSD')?.qty ?? 0n).toBe(0n);
    expect(accountFigures(state, T0)).toEqual(accountFigures(before, T0));
  });

  it('refuses a sell filled below its limit; books fills at or better than the limit', () => {
    expect(refusalOf(account.given(sellLimit()).when(reported(204_099n)).result().events).code).toBe('FILL.WORSE_THAN_LIMIT');
    expect(account.given(sellLimit()).when(reported(204_100n)).result().events[0]?.type).toBe('OrderFilled');
    expect(account.given(buyLimit()).when(reported(203_900n)).result().events[0]?.type).toBe('OrderFilled');
    expect(account.given(buyLimit()).when(reported(203_800n)).result().events[0]?.type).toBe('OrderFilled');
  });

  it('refuses a fat-finger price against a 2,040 market: no 3.1e15 equity, no halt', () => {
    const history = withOrder({ side: 'sell', kind: 'market' });
    const refusal = refusalOf(account.given(history).when(reported(99_999_999_999_999_999n)).result().events);
    expect(refusal.code).toBe('FILL.OUTSIDE_MARKET_BAND');
  });

  it('takes a market fill at the band edge (1 % of the mid) and refuses one a price unit beyond', () => {
    const history = withOrder({ side: 'buy', kind: 'market' });
    // mid 2,040.00: the band is 20.40 either side
    expect(account.given(history).when(reported(206_040n)).result().events[0]?.type).toBe('OrderFilled');
    expect(account.given(history).when(reported(201_960n)).result().events[0]?.type).toBe('OrderFilled');
    expect(refusalOf(account.given(history).when(reported(206_041n)).result().events).code).toBe('FILL.OUTSIDE_MARKET_BAND');
    expect(refusalOf(account.given(history).when(reported(201_959n)).result().events).code).toBe('FILL.OUTSIDE_MARKET_BAND');
  });

  it('uses the instrument band it is given', () => {
    const history = withOrder({ side: 'buy', kind: 'market' });
    const tight = { ...reported(204_500n), data: { ...reported(204_500n).data, market: { ...MARKET, bandBps: 10n } } };
    expect(refusalOf(account.given(history).when(tight).result().events).code).toBe('FILL.OUTSIDE_MARKET_BAND');
  });

  it('refuses a fill with no usable market quote to check it against', () => {
    const history = withOrder({ side: 'buy', kind: 'market' });
    const none = { ...reported(204_000n), data: { ...reported(204_000n).data, market: { bandBps: DEFAULT_FILL_BAND_BPS } } };
    expect(refusalOf(account.given(history).when(none).result().events).code).toBe('FILL.NO_MARKET_QUOTE');
    const crossed = { ...reported(204_000n), data: { ...reported(204_000n).data, market: { lastQuote: { bid: 204_100n, ask: 203_900n, timestamp: T0 }, bandBps: 100n } } };
    expect(refusalOf(account.given(history).when(crossed).result().events).code).toBe('FILL.NO_MARKET_QUOTE');
  });

  it('refuses a fill reported for another symbol or side, and records what was reported', () => {
    const history = withOrder({ side: 'buy', kind: 'market' });
    const symbol = refusalOf(account.given(history).when(reported(204_000n, { symbol: 'XAGUSD' })).result().events);
    expect(symbol).toMatchObject({ code: 'FILL.SYMBOL_MISMATCH', reportedSymbol: 'XAGUSD', symbol: 'XAUUSD' });
    const side = refusalOf(account.given(history).when(reported(204_000n, { side: 'sell' })).result().events);
    expect(side).toMatchObject({ code: 'FILL.SIDE_MISMATCH', reportedSide: 'sell', side: 'buy' });
    expect(account.given(history).when(reported(204_000n, { symbol: 'XAUUSD', side: 'buy' })).result().events[0]?.type).toBe('OrderFilled');
  });

  it('marks the booked position at the market mid, not at the fill price', () => {
    const history = withOrder({ side: 'buy', kind: 'market' });
    const { events, state } = account.given(history).when(reported(204_500n)).result();
    expect(events[0]).toMatchObject({ type: 'OrderFilled', data: { price: 204_500n, markPrice: 204_000n } });
    expect(state.marks.get('XAUUSD')).toBe(204_000n);
    // bought 1 lot (100 oz) at 2,045.00, marked at 2,040.00: 500.00 USD under water
    expect(accountFigures(state, T0).unrealizedPnl).toBe(-50_000n);
  });

  it('refuses a command without the market to check against (FILL.MARKET_MISSING), recording nothing', () => {
    const history = withOrder({ side: 'buy', kind: 'market' });
    const bare = { ...reported(204_000n), data: { ...reported(204_000n).data, market: undefined as never } };
    account.given(history).when(bare).thenThrows('FILL.MARKET_MISSING');
  });
});

import { describe, expect, it } from 'vitest';
import { fillIdFor, matchOrder, type QuoteTop, type WorkingOrder } from '../../../../../domain/trading/broker/matching.ts';
import type { LedgerError } from '../../../../../domain/shared/errors.ts';

// XAUUSD in price units of 0.01: bid 2345.10, ask 2345.40; slippage 0.05.
const AT = new Date('2026-03-02T14:00:00.000Z');
const SESSION_END = new Date('2026-03-02T22:00:00.000Z');
const quote = (bid: bigint, ask: bigint, at = AT): QuoteTop => ({ bid, ask, at });
const Q = quote(234_510n, 234_540n);
const config = { slippagePriceUnits: 5n };

const order = (overrides: Partial<WorkingOrder>): WorkingOrder => ({
  orderId: 'A1-ord-7',
  side: 'buy',
  kind: 'market',
  timeInForce: 'GTC',
  remainingQty: 3n,
  fillCount: 0,
  ...overrides,
});

const fill = (price: bigint, qty = 3n, sequence = 1) => ({ kind: 'fill', fillId: fillIdFor('A1-ord-7', sequence), price, qty });

function errorOf(run: () => unknown): Pick<LedgerError, 'code' | 'category'> {
  try {
    run();
  } catch (error) {
    const { code, category } = error as LedgerError;
    return { code, category };
  }
  throw new Error('expected a refusal');
}

describe('market orders', () => {
  it('a buy fills its whole quantity at ask + slippage', () => {
    expect(matchOrder(order({ side: 'buy' }), Q, config)).toEqual(fill(234_545n));
  });

  it('a sell fills at bid - slippage', () => {
    expect(matchOrder(order({ side: 'sell' }), Q, config)).toEqual(fill(234_505n));
  });

  it('without slippage a buy fills at the ask and a sell at the bid', () => {
    expect(matchOrder(order({ side: 'buy' }), Q, { slippagePriceUnits: 0n })).toEqual(fill(234_540n));
    expect(matchOrder(order({ side: 'sell' }), Q, { slippagePriceUnits: 0n })).toEqual(fill(234_510n));
  });

  it('a sell never fills below one price unit, however large the slippage', () => {
    expect(matchOrder(order({ side: 'sell' }), quote(3n, 4n), { slippagePriceUnits: 10n })).toEqual(fill(1n));
  });

  it.each(['GTC', 'IOC', 'FOK'] as const)('a %s market order fills on the quote', (timeInForce) => {
    expect(matchOrder(order({ timeInForce }), Q, config)).toEqual(fill(234_545n));
  });
});

describe('limit orders', () => {
  it('a buy limit below the ask does not fill and keeps working (GTC)', () => {
    expect(matchOrder(order({ kind: 'limit', limitPrice: 234_539n }), Q, config)).toEqual({ kind: 'none' });
  });

  it('a buy limit at the ask fills at the ask, without slippage', () => {
    expect(matchOrder(order({ kind: 'limit', limitPrice: 234_540n }), Q, config)).toEqual(fill(234_540n));
  });

  it('a buy limit above the ask fills at the better price: the ask', () => {
    expect(matchOrder(order({ kind: 'limit', limitPrice: 235_000n }), Q, config)).toEqual(fill(234_540n));
  });

  it('a sell limit above the bid does not fill', () => {
    expect(matchOrder(order({ side: 'sell', kind: 'limit', limitPrice: 234_511n }), Q, config)).toEqual({ kind: 'none' });
  });

  it('a sell limit at or below the bid fills at the bid', () => {
    expect(matchOrder(order({ side: 'sell', kind: 'limit', limitPrice: 234_510n }), Q, config)).toEqual(fill(234_510n));
    expect(matchOrder(order({ side: 'sell', kind: 'limit', limitPrice: 230_000n }), Q, config)).toEqual(fill(234_510n));
  });

  it('a resting buy limit fills when a later tick crosses it', () => {
    const resting = order({ kind: 'limit', limitPrice: 234_500n });
    expect(matchOrder(resting, Q, config)).toEqual({ kind: 'none' });
    expect(matchOrder(resting, quote(234_470n, 234_495n), config)).toEqual(fill(234_495n));
  });
});

describe('stop orders', () => {
  it('a buy stop waits while the ask is below it', () => {
    expect(matchOrder(order({ kind: 'stop', stopPrice: 234_541n }), Q, config)).toEqual({ kind: 'none' });
  });

  it('a buy stop triggers when the ask reaches it and fills like a market order', () => {
    expect(matchOrder(order({ kind: 'stop', stopPrice: 234_540n }), Q, config)).toEqual(fill(234_545n));
  });

  it('a sell stop waits while the bid is above it', () => {
    expect(matchOrder(order({ side: 'sell', kind: 'stop', stopPrice: 234_509n }), Q, config)).toEqual({ kind: 'none' });
  });

  it('a sell stop triggers when the bid falls to it and fills at bid - slippage', () => {
    expect(matchOrder(order({ side: 'sell', kind: 'stop', stopPrice: 234_510n }), Q, config)).toEqual(fill(234_505n));
    expect(matchOrder(order({ side: 'sell', kind: 'stop', stopPrice: 234_600n }), Q, config)).toEqual(fill(234_505n));
  });
});

describe('time in force', () => {
  const away = { kind: 'limit', limitPrice: 234_000n } as const;
  const stopAway = { kind: 'stop', stopPrice: 240_000n } as const;

  it('IOC: a limit that cannot fill now is canceled', () => {
    expect(matchOrder(order({ ...away, timeInForce: 'IOC' }), Q, config)).toEqual({ kind: 'cancel', reason: 'IOC_NOT_FILLED' });
  });

  it('IOC: a marketable limit fills in full', () => {
    expect(matchOrder(order({ kind: 'limit', limitPrice: 234_600n, timeInForce: 'IOC' }), Q, config)).toEqual(fill(234_540n));
  });

  it('FOK: all or nothing: a limit that cannot fill now is canceled', () => {
    expect(matchOrder(order({ ...away, timeInForce: 'FOK' }), Q, config)).toEqual({ kind: 'cancel', reason: 'FOK_NOT_FILLED' });
  });

  it('FOK: a marketable sell limit fills its whole quantity', () => {
    expect(matchOrder(order({ side: 'sell', kind: 'limit', limitPrice: 234_000n, timeInForce: 'FOK', remainingQty: 40n }), Q, config)).toEqual(fill(234_510n, 40n));
  });

  it('IOC and FOK stops that are not triggered now are canceled', () => {
    expect(matchOrder(order({ ...stopAway, timeInForce: 'IOC' }), Q, config)).toEqual({ kind: 'cancel', reason: 'IOC_NOT_FILLED' });
    expect(matchOrder(order({ ...stopAway, timeInForce: 'FOK' }), Q, config)).toEqual({ kind: 'cancel', reason: 'FOK_NOT_FILLED' });
  });

  it('GTC: an order that cannot fill keeps working past the session end', () => {
    expect(matchOrder(order({ ...away, timeInForce: 'GTC' }), quote(234_510n, 234_540n, new Date('2026-03-09T10:00:00Z')), config)).toEqual({ kind: 'none' });
  });

  it('DAY: works like GTC before the session end', () => {
    const day = order({ ...away, timeInForce: 'DAY', sessionEndsAt: SESSION_END });
    expect(matchOrder(day, Q, config)).toEqual({ kind: 'none' });
    expect(matchOrder(day, quote(233_900n, 233_950n), config)).toEqual(fill(233_950n));
  });

  it('DAY: expires on the first quote at or after the session end, even one that would fill', () => {
    const day = order({ ...away, timeInForce: 'DAY', sessionEndsAt: SESSION_END });
    expect(matchOrder(day, quote(234_510n, 234_540n, SESSION_END), config)).toEqual({ kind: 'expire' });
    expect(matchOrder(day, quote(233_900n, 233_950n, new Date(SESSION_END.getTime() + 1)), config)).toEqual({ kind: 'expire' });
    expect(matchOrder(day, quote(233_900n, 233_950n, new Date(SESSION_END.getTime() - 1)), config)).toEqual(fill(233_950n));
  });

  it('DAY: a stop and a market order expire too', () => {
    const late = quote(234_510n, 234_540n, SESSION_END);
    expect(matchOrder(order({ ...stopAway, timeInForce: 'DAY', sessionEndsAt: SESSION_END }), late, config)).toEqual({ kind: 'expire' });
    expect(matchOrder(order({ timeInForce: 'DAY', sessionEndsAt: SESSION_END }), late, config)).toEqual({ kind: 'expire' });
  });
});

describe('fill ids', () => {
  it('derive from the order id and the fill sequence, so a replayed broker reports the same id', () => {
    const working = order({ fillCount: 2 });
    const first = matchOrder(working, Q, config);
    const replay = matchOrder(working, quote(234_000n, 234_100n), config);
    expect(first).toMatchObject({ kind: 'fill', fillId: 'A1-ord-7/fill/3' });
    expect(replay).toMatchObject({ kind: 'fill', fillId: 'A1-ord-7/fill/3' });
  });

  it('differ between orders and between fills of one order', () => {
    expect(new Set([fillIdFor('o1', 1), fillIdFor('o1', 2), fillIdFor('o2', 1)]).size).toBe(3);
  });
});

describe('malformed input is refused, never guessed at', () => {
  it.each([
    ['a limit order without a limit price', order({ kind: 'limit' }), 'BROKER.ORDER_INVALID'],
    ['a stop order with a zero stop price', order({ kind: 'stop', stopPrice: 0n }), 'BROKER.ORDER_INVALID'],
    ['nothing left to fill', order({ remainingQty: 0n }), 'BROKER.ORDER_INVALID'],
    ['a DAY order without its session end', order({ timeInForce: 'DAY' }), 'BROKER.ORDER_INVALID'],
    ['an unknown time in force', order({ timeInForce: 'GTD' as never }), 'BROKER.ORDER_INVALID'],
    ['a negative fill count', order({ fillCount: -1 }), 'BROKER.ORDER_INVALID'],
  ])('%s', (_what, working, code) => {
    expect(errorOf(() => matchOrder(working, Q, config))).toEqual({ code, category: 'validation' });
  });

  it.each([
    ['a crossed quote', quote(234_540n, 234_510n)],
    ['a zero bid', quote(0n, 10n)],
    ['an invalid time', quote(1n, 2n, new Date(Number.NaN))],
  ])('%s', (_what, bad) => {
    expect(errorOf(() => matchOrder(order({}), bad, config))).toEqual({ code: 'BROKER.QUOTE_INVALID', category: 'validation' });
  });

  it('negative slippage', () => {
    expect(errorOf(() => matchOrder(order({}), Q, { slippagePriceUnits: -1n }))).toEqual({ code: 'BROKER.CONFIG_INVALID', category: 'validation' });
  });
});

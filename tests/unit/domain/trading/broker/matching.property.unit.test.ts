import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchOrder, type QuoteTop, type WorkingOrder } from '../../../../../domain/trading/broker/matching.ts';

const price = fc.bigInt({ min: 1n, max: 10_000_000n });
const quoteArb: fc.Arbitrary<QuoteTop> = fc
  .record({ bid: price, spread: fc.bigInt({ min: 0n, max: 50n }), at: fc.date({ min: new Date('2026-01-01'), max: new Date('2026-12-31'), noInvalidDate: true }) })
  .map(({ bid, spread, at }) => ({ bid, ask: bid + spread, at }));
const orderArb: fc.Arbitrary<WorkingOrder> = fc.record({
  orderId: fc.string({ minLength: 1, maxLength: 12 }),
  side: fc.constantFrom('buy' as const, 'sell' as const),
  kind: fc.constantFrom('market' as const, 'limit' as const, 'stop' as const),
  timeInForce: fc.constantFrom('GTC' as const, 'IOC' as const, 'FOK' as const, 'DAY' as const),
  limitPrice: price,
  stopPrice: price,
  remainingQty: fc.bigInt({ min: 1n, max: 1_000_000n }),
  fillCount: fc.nat({ max: 50 }),
  sessionEndsAt: fc.date({ min: new Date('2026-01-01'), max: new Date('2026-12-31'), noInvalidDate: true }),
});
// Most interesting cases sit within a few units of the touch, so trigger and limit prices are drawn
// around the quote rather than anywhere on the price axis.
const near = (quote: QuoteTop) => fc.bigInt({ min: -20n, max: 20n }).map((offset) => (offset < 0n ? quote.bid : quote.ask) + offset).filter((p) => p >= 1n);
const orderAndQuote: fc.Arbitrary<[WorkingOrder, QuoteTop]> = quoteArb.chain((quote) =>
  fc.tuple(
    fc.tuple(orderArb, near(quote), near(quote)).map(([order, limitPrice, stopPrice]): WorkingOrder => ({ ...order, limitPrice, stopPrice })),
    fc.constant(quote),
  ),
);
const configArb = fc.record({ slippagePriceUnits: fc.bigInt({ min: 0n, max: 1_000n }) });

describe('matching never fills at a price worse than the desk was promised', () => {
  it('a buy never fills above ask + slippage, a sell never below bid - slippage', () => {
    fc.assert(
      fc.property(orderAndQuote, configArb, ([order, quote], config) => {
        const result = matchOrder(order, quote, config);
        if (result.kind !== 'fill') return;
        if (order.side === 'buy') expect(result.price).toBeLessThanOrEqual(quote.ask + config.slippagePriceUnits);
        else expect(result.price).toBeGreaterThanOrEqual(quote.bid - config.slippagePriceUnits);
        expect(result.price).toBeGreaterThan(0n);
      }),
      { numRuns: 2_000 },
    );
  });

  it('a limit never fills worse than its limit', () => {
    fc.assert(
      fc.property(orderAndQuote.map(([o, q]) => [{ ...o, kind: 'limit' as const }, q] as const), configArb, ([order, quote], config) => {
        const result = matchOrder(order, quote, config);
        if (result.kind !== 'fill') return;
        if (order.side === 'buy') expect(result.price).toBeLessThanOrEqual(order.limitPrice!);
        else expect(result.price).toBeGreaterThanOrEqual(order.limitPrice!);
      }),
      { numRuns: 2_000 },
    );
  });

  it('a fill is always the whole remaining quantity, and only IOC / FOK orders are ever canceled', () => {
    fc.assert(
      fc.property(orderAndQuote, configArb, ([order, quote], config) => {
        const result = matchOrder(order, quote, config);
        if (result.kind === 'fill') expect(result.qty).toBe(order.remainingQty);
        if (result.kind === 'cancel') expect(['IOC', 'FOK']).toContain(order.timeInForce);
        if (result.kind === 'expire') expect(order.timeInForce).toBe('DAY');
        if (order.timeInForce === 'IOC' || order.timeInForce === 'FOK') expect(result.kind).not.toBe('none');
      }),
      { numRuns: 2_000 },
    );
  });

  it('the same order and quote always give the same result (a replayed broker agrees with itself)', () => {
    fc.assert(
      fc.property(orderAndQuote, configArb, ([order, quote], config) => {
        expect(matchOrder({ ...order }, { ...quote }, config)).toEqual(matchOrder(order, quote, config));
      }),
    );
  });
});

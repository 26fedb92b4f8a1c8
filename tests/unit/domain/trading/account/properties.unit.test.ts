import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { absBig } from '../../../../../domain/shared/money.ts';
import {
  DEFAULT_FILL_BAND_BPS,
  accountDecider,
  accountFigures,
  bookFill,
  flatPosition,
  markValue,
  unrealizedPnl,
  type AccountCommand,
  type AccountState,
  type Position,
} from '../../../../../domain/trading/account/index.ts';
import { XAUUSD_FACTS, cashValue, type InstrumentFacts, type OrderSide } from '../../../../../domain/trading/orders/index.ts';
import { ACCOUNT, BROKER, T0, cancel, fill, meta, open, place, setLimits } from './fixtures.ts';

const CAP = 300n;

/** Abstract steps, resolved against the account as it is when each runs. */
type Step =
  | { kind: 'tick'; moveBps: number }
  | { kind: 'place'; side: OrderSide; qty: bigint; limitOffsetBps: number | null }
  | { kind: 'fill'; pick: number; share: number; slipBps: number }
  | { kind: 'cancel'; pick: number; confirm: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('tick' as const), moveBps: fc.integer({ min: -80, max: 80 }) }),
  fc.record({
    kind: fc.constant('place' as const),
    side: fc.constantFrom<OrderSide>('buy', 'sell'),
    qty: fc.bigInt({ min: 1n, max: 250n }),
    limitOffsetBps: fc.option(fc.integer({ min: -150, max: 150 }), { nil: null }),
  }),
  fc.record({ kind: fc.constant('fill' as const), pick: fc.nat(), share: fc.integer({ min: 1, max: 100 }), slipBps: fc.integer({ min: -20, max: 20 }) }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat(), confirm: fc.boolean() }),
);

const bps = (price: bigint, offset: number): bigint => price + (price * BigInt(offset)) / 10_000n;

interface Run {
  state: AccountState;
  mid: bigint;
  now: number;
  /** The cash-flow definition, computed here from each fill independently of the decider. */
  cash: bigint;
  seq: number;
}

function apply(run: Run, command: AccountCommand): void {
  const events = accountDecider.decide(command, run.state);
  run.state = events.reduce(accountDecider.evolve, run.state);
}

function commandFor(run: Run, s: Step): AccountCommand | undefined {
  const working = [...run.state.workingOrders.values()];
  const now = new Date(run.now);
  switch (s.kind) {
    case 'tick':
      run.mid = bps(run.mid, s.moveBps);
      return undefined;
    case 'place': {
      const limit = s.limitOffsetBps === null ? {} : { kind: 'limit' as const, limitPrice: bps(run.mid, s.limitOffsetBps) };
      return place({ side: s.side, qty: s.qty, mid: run.mid, now, ...limit });
    }
    case 'fill': {
      const order = working[s.pick % Math.max(working.length, 1)];
      if (order === undefined) return undefined;
      const remaining = order.qty - order.filledQty;
      const qty = 1n + ((remaining - 1n) * BigInt(s.share)) / 100n;
      const price = bps(run.mid, s.slipBps);
      // a fill worse than the order's limit is refused and books nothing (the slip stays inside the market band)
      const worse = order.limitPrice !== null && (order.side === 'buy' ? price > order.limitPrice : price < order.limitPrice);
      if (!worse) run.cash += (order.side === 'sell' ? 1n : -1n) * cashValue(qty, price, XAUUSD_FACTS);
      run.seq += 1;
      return fill(order.orderId, qty, price, `F${run.seq}`, now, undefined, { lastQuote: { bid: run.mid, ask: run.mid, timestamp: now }, bandBps: DEFAULT_FILL_BAND_BPS });
    }
    case 'cancel': {
      const order = working[s.pick % Math.max(working.length, 1)];
      if (order === undefined) return undefined;
      if (order.status !== 'pending_cancel') return cancel(order.orderId, now);
      return s.confirm ? { type: 'ConfirmCancel', data: { accountId: ACCOUNT, orderId: order.orderId }, metadata: meta(now, BROKER) } : undefined;
    }
  }
}

describe('account properties', () => {
  it('never lets the net position, or its worst case with working orders, exceed the cap; P&L matches cash flow', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const run: Run = { state: accountDecider.initialState(), mid: 240_000n, now: T0.getTime(), cash: 0n, seq: 0 };
        for (const c of [open(), setLimits({ maxPositionQty: CAP, maxOrderNotional: 10n ** 12n, maxOpenOrders: 20, maxSubmitsPerWindow: 1_000, maxDailyLoss: 10n ** 12n, maxDrawdownBps: 10_000n })]) apply(run, c);
        for (const s of steps) {
          run.now += 20;
          const command = commandFor(run, s);
          if (command !== undefined) apply(run, command);
          const position = run.state.positions.get('XAUUSD') ?? flatPosition('XAUUSD');
          let buys = 0n;
          let sells = 0n;
          for (const o of run.state.workingOrders.values()) {
            if (o.side === 'buy') buys += o.qty - o.filledQty;
            else sells += o.qty - o.filledQty;
          }
          expect(absBig(position.qty)).toBeLessThanOrEqual(CAP);
          expect(absBig(position.qty + buys)).toBeLessThanOrEqual(CAP);
          expect(absBig(position.qty - sells)).toBeLessThanOrEqual(CAP);
          const mark = run.state.marks.get('XAUUSD') ?? run.mid;
          const figures = accountFigures(run.state, new Date(run.now));
          expect(figures.realizedPnl + figures.unrealizedPnl).toBe(run.cash + markValue(position, mark, XAUUSD_FACTS));
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** Instruments whose cash values round (a 0.001 price unit on a 1-unit contract) as well as gold's exact grid. */
const instrument: fc.Arbitrary<InstrumentFacts> = fc.constantFrom<InstrumentFacts>(XAUUSD_FACTS, {
  ...XAUUSD_FACTS,
  symbol: 'ODD',
  contractSize: 1n,
  priceScale: 3,
  qtyScale: 0,
});
const fillArb = fc.record({ side: fc.constantFrom<OrderSide>('buy', 'sell'), qty: fc.bigInt({ min: 1n, max: 500n }), price: fc.bigInt({ min: 1n, max: 10_000_000n }) });

describe('position bookkeeping properties', () => {
  it('realized + unrealized P&L equals sell proceeds - buy costs + mark value, exactly', () => {
    fc.assert(
      fc.property(instrument, fc.array(fillArb, { maxLength: 40 }), fc.bigInt({ min: 1n, max: 10_000_000n }), (facts, fills, mark) => {
        let position: Position = flatPosition(facts.symbol);
        let cash = 0n;
        for (const f of fills) {
          const booking = bookFill(position, f.side, f.qty, f.price, facts);
          const flow = f.side === 'sell' ? 1n : -1n;
          if (booking.closedQty > 0n) {
            // A close releases its pro-rata share of the cost basis, to within half a minor unit.
            const released = flow * cashValue(booking.closedQty, f.price, facts) - booking.realizedPnl;
            const held = absBig(position.qty);
            expect(2n * absBig(released * held - position.costBasis * booking.closedQty)).toBeLessThanOrEqual(held);
          }
          position = booking.position;
          cash += flow * cashValue(f.qty, f.price, facts);
        }
        expect(position.qty).toBe(fills.reduce((q, f) => q + (f.side === 'buy' ? f.qty : -f.qty), 0n));
        expect(position.realizedPnl + unrealizedPnl(position, mark, facts)).toBe(cash + markValue(position, mark, facts));
      }),
      { numRuns: 500 },
    );
  });

  it('splits a fill larger than the position into a close of all of it and an open of the rest', () => {
    fc.assert(
      fc.property(instrument, fc.array(fillArb, { minLength: 1, maxLength: 10 }), fc.bigInt({ min: 1n, max: 500n }), fc.bigInt({ min: 1n, max: 10_000_000n }), (facts, opening, extra, price) => {
        const side = opening[0]!.side;
        const position = opening.reduce((p, f) => bookFill(p, side, f.qty, f.price, facts).position, flatPosition(facts.symbol));
        const held = absBig(position.qty);
        const against: OrderSide = side === 'buy' ? 'sell' : 'buy';
        const booking = bookFill(position, against, held + extra, price, facts);
        expect(booking.closedQty).toBe(held);
        expect(booking.openedQty).toBe(extra);
        expect(booking.position.qty).toBe(side === 'buy' ? -extra : extra);
        const closeCash = cashValue(held, price, facts);
        const flow = against === 'sell' ? 1n : -1n;
        expect(booking.realizedPnl).toBe(flow * closeCash - position.costBasis);
        // The new position carries exactly the rest of the fill's cash as its cost basis.
        expect(booking.position.costBasis).toBe(-flow * (cashValue(held + extra, price, facts) - closeCash));
        // Where values do not round, it is the same as closing and then opening in two fills.
        if (facts === XAUUSD_FACTS) {
          const closed = bookFill(position, against, held, price, facts).position;
          expect(booking.position).toEqual(bookFill(closed, against, extra, price, facts).position);
        }
      }),
      { numRuns: 500 },
    );
  });
});

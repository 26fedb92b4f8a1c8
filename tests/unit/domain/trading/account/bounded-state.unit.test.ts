import { describe, expect, it } from 'vitest';
import {
  CLIENT_ORDER_ID_WINDOW_MS, accountDecider, accountSnapshots, bookFill, clientOrderIdsHeld, flatPosition, heldEntries,
  type AccountEvent, type AccountState, type OrderPlaced,
} from '../../../../../domain/trading/account/index.ts';
import { XAUUSD_FACTS } from '../../../../../domain/trading/orders/index.ts';
import { T0, account, fill, open, place, quoteAt, setLimits } from './fixtures.ts';

const EVERY_MS = 10_000; // one order every 10 s: 8,640 a day
const PRICE = 240_000n;
const instrument = { ...XAUUSD_FACTS, qtyStep: 1n };

/**
 * An account that placed `orders` market orders, each accepted and filled at once (buy, sell, buy, ...), folded
 * event by event as the command side folds them, without keeping the events.
 */
function foldSyntheticOrders(orders: number): AccountState {
  let state = account.fold(account.history(open(), setLimits()));
  let position = flatPosition('XAUUSD');
  for (let n = 0; n < orders; n += 1) {
    const at = new Date(T0.getTime() + 60_000 + n * EVERY_MS).toISOString();
    const orderId = `O${String(n).padStart(7, '0')}`; // ids of one width: sizes compare by count, not by digits
    const side = n % 2 === 0 ? 'buy' : 'sell';
    const booking = bookFill(position, side, 10n, PRICE, instrument);
    position = booking.position;
    const placed: OrderPlaced = {
      type: 'OrderPlaced',
      data: {
        orderId, clientOrderId: `client-${String(n).padStart(7, '0')}`, symbol: 'XAUUSD', side, kind: 'market', timeInForce: 'IOC', qty: 10n, limitPrice: null, stopPrice: null,
        reduceOnly: false, instrument, quote: { bid: PRICE - 10n, ask: PRICE + 10n, timestamp: at }, at,
      },
    };
    const events: AccountEvent[] = [
      placed,
      { type: 'OrderAccepted', data: { orderId, at } },
      {
        type: 'OrderFilled',
        data: {
          fillId: `F${String(n).padStart(7, '0')}`, orderId, symbol: 'XAUUSD', side, qty: 10n, price: PRICE, fee: 0n, cashFlow: booking.cashFlow, orderStatus: 'filled', orderFilledQty: 10n,
          closedQty: booking.closedQty, openedQty: booking.openedQty, realizedPnl: booking.realizedPnl, positionQty: position.qty, positionCostBasis: position.costBasis,
          markPrice: PRICE, at,
        },
      },
    ];
    for (const event of events) state = accountDecider.evolve(state, event);
  }
  return state;
}

describe('account state stays bounded as history grows', () => {
  it('holds the same after 1,000,000 orders as after 10,000: working orders, positions and one day of client order ids', () => {
    const small = foldSyntheticOrders(10_000);
    const large = foldSyntheticOrders(1_000_000);
    const day = CLIENT_ORDER_ID_WINDOW_MS / EVERY_MS;
    for (const state of [small, large]) {
      expect(state.workingOrders.size).toBe(0);
      // the duplicate check's window: at least a day of ids, at most a day and an hour
      expect(clientOrderIdsHeld(state.clientOrderIds)).toBeGreaterThanOrEqual(day);
      expect(clientOrderIdsHeld(state.clientOrderIds)).toBeLessThanOrEqual(day + 3_600_000 / EVERY_MS);
    }
    // flat: 100 times the history, the same entries held (to within one hour's slot) and a snapshot of the same size
    expect(Math.abs(heldEntries(large) - heldEntries(small))).toBeLessThanOrEqual(3_600_000 / EVERY_MS);
    const [smallBytes, largeBytes] = [small, large].map((s) => accountSnapshots.encode(s).length);
    expect(largeBytes! / smallBytes!).toBeLessThan(1.1);
    expect(largeBytes).toBeLessThan(1_000_000);
  }, 300_000);

  const later = (ms: number) => new Date(T0.getTime() + 1_000 + ms);
  /** The reasons of the decision on a new order with client order id desk-1, `ms` after the first one. */
  const reasonsAfter = (history: ReturnType<typeof account.history>, ms: number): readonly string[] => {
    const { events } = account.given(history).when(place({ clientOrderId: 'desk-1', now: later(ms) })).result();
    return (events.find((e) => e.type === 'RiskDecisionRecorded')!.data as { reasons: readonly string[] }).reasons;
  };

  it('keeps a client order id taken for at least 24 hours after its order finished, then lets it be used again', () => {
    const history = account.history(open(), setLimits({ maxQuoteAgeMs: 86_400_000 }), place({ orderId: 'O-desk-1', clientOrderId: 'desk-1', now: later(0) }),
      fill('O-desk-1', 100n, 240_000n, 'F-desk-1', later(500)));
    expect(reasonsAfter(history, CLIENT_ORDER_ID_WINDOW_MS - 1)).toContain('RISK.DUPLICATE_CLIENT_ORDER_ID');
    expect(reasonsAfter(history, CLIENT_ORDER_ID_WINDOW_MS + 3_600_000)).not.toContain('RISK.DUPLICATE_CLIENT_ORDER_ID');
  });

  it('keeps the client order id of an order still working taken past the window, for as long as it works', () => {
    const working = account.history(open(), setLimits({ maxQuoteAgeMs: 86_400_000 }),
      place({ orderId: 'O-desk-1', clientOrderId: 'desk-1', kind: 'limit', limitPrice: 239_000n, now: later(0) }));
    // A resting limit placed a week ago: a second order with its client id is still a duplicate.
    expect(reasonsAfter(working, 7 * CLIENT_ORDER_ID_WINDOW_MS)).toContain('RISK.DUPLICATE_CLIENT_ORDER_ID');
    // Once it filled, the id is free again (it left the 24-hour window long ago).
    const filled = account.history(open(), setLimits({ maxQuoteAgeMs: 86_400_000 }),
      place({ orderId: 'O-desk-1', clientOrderId: 'desk-1', kind: 'limit', limitPrice: 239_000n, now: later(0) }),
      fill('O-desk-1', 100n, 239_000n, 'F-desk-1', later(6 * CLIENT_ORDER_ID_WINDOW_MS), undefined, { lastQuote: quoteAt(later(6 * CLIENT_ORDER_ID_WINDOW_MS), 239_000n), bandBps: 100n }));
    expect(reasonsAfter(filled, 7 * CLIENT_ORDER_ID_WINDOW_MS)).not.toContain('RISK.DUPLICATE_CLIENT_ORDER_ID');
  });

  it('answers a fill its order booked before as nothing to record, working or finished', () => {
    const filled = foldSyntheticOrders(1);
    expect(filled.workingOrders.size).toBe(0);
    // the finished order comes with the command (read from the stream by the command side): its fill ids say it was booked
    const order = { orderId: 'O0000000', clientOrderId: 'client-0000000', symbol: 'XAUUSD', side: 'buy' as const, kind: 'market' as const, timeInForce: 'IOC' as const, qty: 10n,
      limitPrice: null, stopPrice: null, reduceOnly: false, status: 'filled' as const, filledQty: 10n, fillNotional: 10n * PRICE, fillIds: ['F0000000'], placedAt: T0.toISOString() };
    const again = { type: 'RecordFill' as const, data: { accountId: 'A1', orderId: 'O0000000', fillId: 'F0000000', qty: 10n, price: PRICE, recordedOrder: order,
      market: { lastQuote: { bid: PRICE, ask: PRICE, timestamp: T0 }, bandBps: 100n } }, metadata: { commandId: 'again', now: T0, actor: { userId: 'b', role: 'service' } } };
    expect(accountDecider.decide(again, filled)).toEqual([]);
    expect(() => accountDecider.decide({ ...again, data: { ...again.data, fillId: 'F-new' } }, filled)).toThrow(/cannot go from filled/);
  });
});

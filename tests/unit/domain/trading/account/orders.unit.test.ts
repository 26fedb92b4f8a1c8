import { describe, expect, it } from 'vitest';
import type { AccountCommand, AccountEvent, RiskDecisionRecorded } from '../../../../../domain/trading/account/index.ts';
import { XAUUSD_FACTS } from '../../../../../domain/trading/orders/index.ts';
import { RISK_CHECK_NAMES } from '../../../../../domain/trading/risk/index.ts';
import { ACCOUNT, BROKER, OFFICER, T0, account, at, cancel, fill, funded, meta, naming, open, place, quoteAt, setLimits, type OrderFields } from './fixtures.ts';

const iso = T0.toISOString();
const decisionOf = (events: readonly AccountEvent[]): RiskDecisionRecorded['data'] => {
  const decision = events.find((e): e is RiskDecisionRecorded => e.type === 'RiskDecisionRecorded');
  if (decision === undefined) throw new Error('no risk decision recorded');
  return decision.data;
};
/** Places an order on `history` and returns the denial reasons (empty when accepted). */
const reasonsFor = (history: readonly AccountEvent[], fields: OrderFields): readonly string[] =>
  decisionOf(account.given(history).when(place(fields)).result().events).reasons;

const confirmCancel = (orderId: string): AccountCommand => ({ type: 'ConfirmCancel', data: { accountId: ACCOUNT, orderId }, metadata: meta(T0, BROKER) });
const reject = (orderId: string, reason = 'no liquidity'): AccountCommand => ({ type: 'RejectOrder', data: { accountId: ACCOUNT, orderId, reason }, metadata: meta(T0, BROKER) });
const expire = (orderId: string): AccountCommand => ({ type: 'ExpireOrder', data: { accountId: ACCOUNT, orderId, reason: 'IOC remainder' }, metadata: meta(T0, BROKER) });
const halt = (): AccountCommand => ({ type: 'SetTradingState', data: { accountId: ACCOUNT, state: 'HALTED', reason: 'desk halt' }, metadata: meta(T0, OFFICER) });
const reducing = (): AccountCommand => ({ type: 'SetTradingState', data: { accountId: ACCOUNT, state: 'REDUCING', reason: 'news' }, metadata: meta(T0, OFFICER) });

describe('account: PlaceOrder', () => {
  it('records the order, the decision with every check, then the acceptance', () => {
    const quote = quoteAt(T0);
    const { events } = account.given(funded()).when(place({ orderId: 'O1', clientOrderId: 'c1', quote })).result();
    expect(events.map((e) => e.type)).toEqual(['OrderPlaced', 'RiskDecisionRecorded', 'OrderAccepted']);
    expect(events[0]).toEqual({
      type: 'OrderPlaced',
      data: {
        orderId: 'O1',
        clientOrderId: 'c1',
        symbol: 'XAUUSD',
        side: 'buy',
        kind: 'market',
        timeInForce: 'GTC',
        qty: 100n,
        limitPrice: null,
        stopPrice: null,
        reduceOnly: false,
        instrument: XAUUSD_FACTS,
        quote: { bid: quote.bid, ask: quote.ask, timestamp: quote.timestamp.toISOString() },
        at: iso,
      },
    });
    const decision = decisionOf(events);
    expect(decision).toMatchObject({ orderId: 'O1', accepted: true, reasons: [], at: iso });
    expect(decision.checks.map((c) => c.name)).toEqual(RISK_CHECK_NAMES);
    expect(decision.checks.find((c) => c.name === 'RISK.POSITION_LIMIT')).toEqual({ name: 'RISK.POSITION_LIMIT', passed: true, observed: '100', limit: '300' });
    expect(events[2]).toEqual({ type: 'OrderAccepted', data: { orderId: 'O1', at: iso } });
  });

  it('records a denial as a successful command, with the reason codes', () => {
    const { events, state } = account.given(funded()).when(place({ orderId: 'O1', qty: 400n })).result();
    expect(events.map((e) => e.type)).toEqual(['OrderPlaced', 'RiskDecisionRecorded', 'OrderDenied']);
    expect(events[2]).toEqual({ type: 'OrderDenied', data: { orderId: 'O1', reasons: ['RISK.NOTIONAL', 'RISK.POSITION_LIMIT'], at: iso } });
    expect(state.workingOrders.size).toBe(0);
  });

  it('names the order after the command id when the caller gives none', () => {
    const command = place();
    const { orderId: _drop, ...data } = command.data;
    const { events } = account.given(funded()).when({ ...command, data }).result();
    expect(events[0]?.data).toMatchObject({ orderId: command.metadata.commandId });
  });

  it('refuses a reused order id and a malformed order without recording anything', () => {
    const history = account.history(open(), setLimits(), place({ orderId: 'O1' }));
    account.given(history).when(place({ orderId: 'O1', clientOrderId: 'other' })).thenThrows('ORDER.ALREADY_EXISTS', { orderId: 'O1' });
    account.given(funded()).when(place({ qty: 0n })).thenThrows('ORDER.QTY_INVALID');
    account.given(funded()).when(place({ kind: 'limit' })).thenThrows('ORDER.LIMIT_PRICE');
    account.given(funded()).when(place({ kind: 'market', stopPrice: 240_000n })).thenThrows('ORDER.STOP_PRICE');
    account.given(funded()).when(place({ side: 'hold' as 'buy' })).thenThrows('ORDER.SIDE_INVALID');
    account.given(funded()).when(place({ symbol: 'XAGUSD' })).thenThrows('ORDER.SYMBOL_MISMATCH');
  });

  it('denies with RISK.LIMITS_NOT_SET on an account nobody has set limits for', () => {
    expect(reasonsFor(account.history(open()), {})).toContain('RISK.LIMITS_NOT_SET');
  });

  it('denies a duplicate client order id, even one whose order was denied', () => {
    const history = account.history(open(), setLimits(), place({ clientOrderId: 'dup', qty: 400n }));
    expect(reasonsFor(history, { clientOrderId: 'dup' })).toEqual(['RISK.DUPLICATE_CLIENT_ORDER_ID']);
  });

  it('counts working orders of the account toward the open-order limit, and stops counting finished ones', () => {
    const five = [1, 2, 3, 4, 5].map((n) => place({ orderId: `O${n}`, kind: 'limit', limitPrice: 239_000n, qty: 10n }));
    const history = account.history(open(), setLimits(), ...five);
    expect(reasonsFor(history, { qty: 10n })).toEqual(['RISK.OPEN_ORDERS']);
    const afterOneFilled = [...history, ...account.given(history).when(fill('O1', 10n, 239_000n, 'F1')).result().events];
    expect(reasonsFor(afterOneFilled, { qty: 10n })).toEqual([]);
  });

  it('holds the net position cap against the worst case of working orders', () => {
    const history = account.history(open(), setLimits(), place({ orderId: 'O1', qty: 200n }), fill('O1', 150n, 240_000n, 'F1'));
    // Long 150 with 50 still working to buy: at most 100 more may be bought.
    expect(reasonsFor(history, { qty: 100n })).toEqual([]);
    expect(reasonsFor(history, { qty: 105n })).toEqual(['RISK.POSITION_LIMIT']);
  });

  it('throttles submissions in the window on recorded event times', () => {
    const ten = Array.from({ length: 10 }, (_, n) => place({ now: at(n * 50), kind: 'limit', limitPrice: 239_000n, qty: 5n }));
    const history = account.history(open(), setLimits({ maxOpenOrders: 50 }), ...ten);
    expect(reasonsFor(history, { now: at(990), qty: 5n })).toEqual(['RISK.RATE_LIMIT']);
    // 1,001 ms after the first, one submission has left the window.
    expect(reasonsFor(history, { now: at(1_001), qty: 5n })).toEqual([]);
  });

  it('denies on stale market data, and without any quote at all', () => {
    expect(reasonsFor(funded(), { quote: { ...quoteAt(T0), timestamp: new Date(T0.getTime() - 5_000) } })).toEqual(['RISK.STALE_MARKET_DATA']);
    expect(reasonsFor(funded(), { quote: null })).toEqual(['RISK.NOTIONAL', 'RISK.STALE_MARKET_DATA']);
  });

  it('denies limit orders priced outside the collar around the last mid', () => {
    expect(reasonsFor(funded(), { kind: 'limit', limitPrice: 250_000n })).toEqual(['RISK.PRICE_COLLAR']);
  });

  it('denies everything while HALTED, risk-reducing orders included', () => {
    const history = account.history(open(), setLimits(), place({ orderId: 'O1' }), fill('O1', 100n, 240_000n, 'F1'), halt());
    expect(reasonsFor(history, { side: 'sell', qty: 100n })).toEqual(['RISK.HALTED']);
  });

  it('accepts only risk-reducing orders while REDUCING', () => {
    const history = account.history(open(), setLimits(), place({ orderId: 'O1' }), fill('O1', 100n, 240_000n, 'F1'), reducing());
    expect(reasonsFor(history, { side: 'sell', qty: 100n })).toEqual([]);
    expect(reasonsFor(history, { side: 'buy', qty: 10n })).toEqual(['RISK.REDUCE_ONLY']);
    expect(reasonsFor(history, { side: 'sell', qty: 110n })).toEqual(['RISK.REDUCE_ONLY']);
  });

  it('denies while an emergency stop applies', () => {
    expect(reasonsFor(funded(), { stopped: true })).toEqual(['RISK.EMERGENCY_STOP']);
  });
});

describe('account: order lifecycle', () => {
  const withWorking = (): AccountEvent[] => account.history(open(), setLimits(), place({ orderId: 'O1', kind: 'limit', limitPrice: 239_000n }));

  it('requests a cancel, which the broker confirms', () => {
    account.given(withWorking()).when(cancel('O1')).then([{ type: 'OrderCancelRequested', data: { orderId: 'O1', reason: 'trader cancel', at: iso } }]);
    const pending = account.history(open(), setLimits(), place({ orderId: 'O1', kind: 'limit', limitPrice: 239_000n }), cancel('O1'));
    account.given(pending).when(confirmCancel('O1')).then([{ type: 'OrderCanceled', data: { orderId: 'O1', at: iso } }]);
    account.given(pending).when(cancel('O1')).then([]);
  });

  it('books a fill racing a cancel', () => {
    const pending = account.history(open(), setLimits(), place({ orderId: 'O1', kind: 'limit', limitPrice: 239_000n }), cancel('O1'));
    const { events, state } = account.given(pending).when(fill('O1', 40n, 239_000n, 'F1')).result();
    expect(events[0]).toMatchObject({ type: 'OrderFilled', data: { orderId: 'O1', qty: 40n, orderStatus: 'pending_cancel', orderFilledQty: 40n } });
    expect(state.positions.get('XAUUSD')?.qty).toBe(40n);
  });

  it('ignores a repeated fill id and refuses an overfill', () => {
    const once = account.history(open(), setLimits(), place({ orderId: 'O1' }), fill('O1', 60n, 240_000n, 'F1'));
    account.given(once).when(fill('O1', 60n, 240_000n, 'F1')).then([]);
    account.given(once).when(fill('O1', 41n, 240_000n, 'F2')).thenThrows('ORDER.OVERFILL', { orderId: 'O1', filledQty: '60', fillQty: '41' });
  });

  it('records broker rejections and expiries once', () => {
    account.given(withWorking()).when(reject('O1')).then([{ type: 'OrderRejected', data: { orderId: 'O1', reason: 'no liquidity', at: iso } }]);
    account.given(withWorking()).when(expire('O1')).then([{ type: 'OrderExpired', data: { orderId: 'O1', reason: 'IOC remainder', at: iso } }]);
    const rejected = account.history(open(), setLimits(), place({ orderId: 'O1', kind: 'limit', limitPrice: 239_000n }), reject('O1'));
    account.given(rejected).when(naming(reject('O1'), rejected)).then([]);
  });

  it('keeps no finished order in the state: a command naming one carries it as recorded, else the order is unknown', () => {
    const rejected = account.history(open(), setLimits(), place({ orderId: 'O1', kind: 'limit', limitPrice: 239_000n }), reject('O1'));
    expect(account.fold(rejected).workingOrders.size).toBe(0);
    account.given(rejected).when(reject('O1')).thenThrows('ORDER.UNKNOWN', { orderId: 'O1' });
    account.given(rejected).when(naming(expire('O1'), rejected)).thenThrows('ORDER.INVALID_TRANSITION', { from: 'rejected', to: 'expired' });
    // the id of a finished order stays taken
    account.given(rejected).when(naming(place({ orderId: 'O1', clientOrderId: 'other' }), rejected)).thenThrows('ORDER.ALREADY_EXISTS', { orderId: 'O1' });
  });

  it('refuses moves an order cannot make, naming from and to', () => {
    const filled = account.history(open(), setLimits(), place({ orderId: 'O1' }), fill('O1', 100n, 240_000n, 'F1'));
    account.given(filled).when(naming(cancel('O1'), filled)).thenThrows('ORDER.INVALID_TRANSITION', { orderId: 'O1', from: 'filled', to: 'pending_cancel' });
    account.given(withWorking()).when(confirmCancel('O1')).thenThrows('ORDER.INVALID_TRANSITION', { from: 'accepted', to: 'canceled' });
    const denied = account.history(open(), setLimits(), place({ orderId: 'O1', qty: 400n }));
    account.given(denied).when(naming(fill('O1', 1n, 240_000n, 'F1'), denied)).thenThrows('ORDER.INVALID_TRANSITION', { from: 'denied' });
    account.given(denied).when(naming(expire('O1'), denied)).thenThrows('ORDER.INVALID_TRANSITION', { from: 'denied', to: 'expired' });
  });

  it('answers ORDER.UNKNOWN for an order the account never placed', () => {
    account.given(funded()).when(cancel('nope')).thenThrows('ORDER.UNKNOWN', { orderId: 'nope' });
  });
});

describe('account: DAY orders end with the account\'s trading day', () => {
  const expiresAt = (cutoff: number | undefined, now: Date, timeInForce: 'DAY' | 'GTC' = 'DAY') => {
    const history = account.history(open(), setLimits(cutoff === undefined ? {} : { dailyCutoffHourUtc: cutoff }));
    const { events } = account.given(history).when(place({ now, timeInForce, kind: 'limit', limitPrice: 239_000n })).result();
    const placed = events.find((e) => e.type === 'OrderPlaced')!.data as { expiresAt?: string };
    return placed.expiresAt;
  };

  it('expires at the next daily cut-off: 22:00 UTC for a desk that closes its day at 17:00 New York', () => {
    expect(expiresAt(22, new Date('2024-05-06T21:30:00.000Z'))).toBe('2024-05-06T22:00:00.000Z');
    expect(expiresAt(22, new Date('2024-05-06T22:00:00.000Z'))).toBe('2024-05-07T22:00:00.000Z');
    expect(expiresAt(22, new Date('2024-05-06T23:59:00.000Z'))).toBe('2024-05-07T22:00:00.000Z');
  });

  it('expires at UTC midnight with the default cut-off, and GTC orders carry no expiry', () => {
    expect(expiresAt(undefined, new Date('2024-05-06T10:00:00.000Z'))).toBe('2024-05-07T00:00:00.000Z');
    expect(expiresAt(22, new Date('2024-05-06T10:00:00.000Z'), 'GTC')).toBeUndefined();
  });
});

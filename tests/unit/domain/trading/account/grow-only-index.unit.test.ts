import { describe, expect, it } from 'vitest';
import { accountDecider, dayOrdersToExpire } from '../../../../../domain/trading/account/index.ts';
import { emptyIndex, has, including, lookup } from '../../../../../domain/trading/account/grow-only-index.ts';
import { T0, account, at, funded, open, place, setLimits } from './fixtures.ts';

describe('grow-only index shared between states', () => {
  it('keeps every earlier state unchanged when a later one grows', () => {
    const a = including(emptyIndex<string>(), 'c1', 'O1');
    const b = including(a, 'c2', 'O2');
    expect(has(a, 'c2')).toBe(false);
    expect(lookup(b, 'c2')).toBe('O2');
    expect(lookup(b, 'c1')).toBe('O1');
  });

  it('gives two branches from one state their own entries', () => {
    const base = including(emptyIndex<string>(), 'c1', 'O1');
    const left = including(base, 'c2', 'left');
    const right = including(base, 'c2', 'right');
    expect(lookup(left, 'c2')).toBe('left');
    expect(lookup(right, 'c2')).toBe('right');
    expect(has(base, 'c2')).toBe(false);
    expect(lookup(including(left, 'c3', 'x'), 'c2')).toBe('left');
  });

  it('lets the same add from the same state be made twice, and still branches on a different value', () => {
    const base = including(emptyIndex<string>(), 'f1', 'O1');
    const first = including(base, 'f2', 'O2');
    const again = including(base, 'f2', 'O2');
    expect(lookup(again, 'f2')).toBe('O2');
    const other = including(base, 'f2', 'O3');
    expect(lookup(other, 'f2')).toBe('O3');
    expect(lookup(first, 'f2')).toBe('O2');
  });

  it('keeps the first value of a key added twice', () => {
    const once = including(emptyIndex<string>(), 'f1', 'O1');
    expect(including(once, 'f1', 'O2')).toBe(once);
  });
});

describe('account state reuse', () => {
  it('decides the same from a cached state after a decision on it was thrown away (a retried command)', () => {
    const state = account.fold(funded());
    const discarded = accountDecider.decide(place({ clientOrderId: 'c-retry' }), state);
    discarded.reduce(accountDecider.evolve, state);
    const retried = accountDecider.decide(place({ clientOrderId: 'c-retry' }), state);
    expect(retried.map((e) => e.type)).toEqual(['OrderPlaced', 'RiskDecisionRecorded', 'OrderAccepted']);
  });

  it('lists DAY orders left working from an earlier trading day for expiry', () => {
    const history = account.history(open(), setLimits(), place({ orderId: 'D1', kind: 'limit', limitPrice: 239_000n, timeInForce: 'DAY' }), place({ orderId: 'G1', kind: 'limit', limitPrice: 239_000n }));
    const state = account.fold(history);
    expect(dayOrdersToExpire(state, at(60_000))).toEqual([]);
    expect(dayOrdersToExpire(state, new Date(T0.getTime() + 14 * 3_600_000))).toEqual(['D1']);
  });
});

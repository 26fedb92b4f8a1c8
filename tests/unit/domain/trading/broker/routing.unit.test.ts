import { describe, expect, it } from 'vitest';
import { controlDecider, type ControlState } from '../../../../../domain/trading/control/decider.ts';
import type { ControlEvent } from '../../../../../domain/trading/control/events.ts';
import type { ControlScope } from '../../../../../domain/trading/control/scope.ts';
import { matchUnlessStopped, routeDecision, toWorkingOrder } from '../../../../../domain/trading/broker/routing.ts';
import type { WorkingOrder } from '../../../../../domain/trading/broker/matching.ts';

const actor = { userId: 'alice', role: 'risk_officer' };
const GOLD: ControlScope = { kind: 'instrument', symbol: 'XAUUSD' };
const engagedFor = (scope: ControlScope): ControlState => {
  const event: ControlEvent = { type: 'EmergencyStopEngaged', data: { scope, reason: 'feed frozen', actor, at: '2026-03-02T10:00:00.000Z' } };
  return controlDecider.evolve(controlDecider.initialState(), event);
};
const quiet: ControlState = controlDecider.initialState();

const quote = { bid: 234_510n, ask: 234_540n, at: new Date('2026-03-02T14:00:00Z') };
const config = { slippagePriceUnits: 5n };
const order = (overrides: Partial<WorkingOrder>): WorkingOrder => ({
  orderId: 'o1',
  side: 'buy',
  kind: 'market',
  timeInForce: 'GTC',
  remainingQty: 1n,
  fillCount: 0,
  ...overrides,
});

describe('the broker under emergency stops', () => {
  it('routes when no stop applies', () => {
    expect(routeDecision({ global: quiet, instrument: quiet, account: quiet })).toEqual({ kind: 'route' });
  });

  it('refuses to route while an instrument stop applies, naming the scope', () => {
    expect(routeDecision({ global: quiet, instrument: engagedFor(GOLD) })).toEqual({ kind: 'reject', reason: 'EMERGENCY_STOP', scopes: [GOLD] });
  });

  it('does not fill a working order while a stop applies; it fills once the stop is gone', () => {
    const working = order({ kind: 'limit', limitPrice: 235_000n });
    expect(matchUnlessStopped(working, quote, config, { global: engagedFor({ kind: 'global' }) })).toEqual({ kind: 'none' });
    expect(matchUnlessStopped(working, quote, config, { global: quiet })).toMatchObject({ kind: 'fill', price: 234_540n });
  });

  it('cancels an IOC / FOK that would have filled during a stop: it cannot wait for the release', () => {
    const stopped = { account: engagedFor({ kind: 'account', accountId: 'A1' }) };
    expect(matchUnlessStopped(order({ timeInForce: 'IOC' }), quote, config, stopped)).toEqual({ kind: 'cancel', reason: 'IOC_NOT_FILLED' });
    expect(matchUnlessStopped(order({ timeInForce: 'FOK' }), quote, config, stopped)).toEqual({ kind: 'cancel', reason: 'FOK_NOT_FILLED' });
  });

  it('still expires a DAY order during a stop', () => {
    const day = order({ timeInForce: 'DAY', sessionEndsAt: quote.at });
    expect(matchUnlessStopped(day, quote, config, { global: engagedFor({ kind: 'global' }) })).toEqual({ kind: 'expire' });
  });
});

describe('toWorkingOrder', () => {
  it('leaves what is not yet filled to match, and continues the fill sequence', () => {
    const routed = {
      accountId: 'A1', orderId: 'o9', symbol: 'XAUUSD', side: 'sell', kind: 'limit', timeInForce: 'GTC',
      limitPrice: 234_500n, qty: 10n, filledQty: 4n, fillCount: 2,
    } as const;
    const working = toWorkingOrder(routed);
    expect(working).toEqual({ orderId: 'o9', side: 'sell', kind: 'limit', timeInForce: 'GTC', limitPrice: 234_500n, remainingQty: 6n, fillCount: 2 });
    expect(matchUnlessStopped(working, quote, config, {})).toEqual({ kind: 'fill', fillId: 'o9/fill/3', price: 234_510n, qty: 6n });
  });
});

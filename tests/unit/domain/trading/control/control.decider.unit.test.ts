import { describe, expect, it } from 'vitest';
import type { ControlActor, ControlCommand, ControlEvent } from '../../../../../domain/trading/control/events.ts';
import type { ControlScope } from '../../../../../domain/trading/control/scope.ts';
import { controlStreamId } from '../../../../../domain/trading/control/scope.ts';
import { controlDecider } from '../../../../../domain/trading/control/decider.ts';
import { controlTradingState, stopApplies } from '../../../../../domain/trading/control/stop-applies.ts';
import { given } from './given-when-then.ts';

const GLOBAL: ControlScope = { kind: 'global' };
const GOLD: ControlScope = { kind: 'instrument', symbol: 'XAUUSD' };
const ACCOUNT: ControlScope = { kind: 'account', accountId: 'A1' };

const alice: ControlActor = { userId: 'alice', role: 'risk_officer' };
const bob: ControlActor = { userId: 'bob', role: 'admin' };
const trader: ControlActor = { userId: 'tom', role: 'trader' };

const T0 = new Date('2026-03-02T10:00:00.000Z');
const T1 = new Date('2026-03-02T10:05:00.000Z');
const T2 = new Date('2026-03-02T10:09:00.000Z');

/** An approval carries the approver's verified second factor, as the trading service hands it in. */
function command(type: ControlCommand['type'], scope: ControlScope, reason: string, actor: ControlActor, now = T1): ControlCommand {
  const secondFactor = type === 'ApproveEmergencyStopRelease' ? { secondFactor: { userId: actor.userId, step: 1 } } : {};
  return { type, data: { scope, reason, ...secondFactor }, metadata: { commandId: `cmd-${type}-${actor.userId}`, now, actor } };
}

const engaged = (scope: ControlScope, actor = alice, reason = 'feed frozen', at = T0): ControlEvent => ({
  type: 'EmergencyStopEngaged',
  data: { scope, reason, actor, at: at.toISOString() },
});
const releaseRequested = (actor = alice, reason = 'feed back', at = T1): ControlEvent => ({
  type: 'EmergencyStopReleaseRequested',
  data: { scope: GLOBAL, reason, actor, at: at.toISOString() },
});

describe('EngageEmergencyStop', () => {
  it.each([
    ['global', GLOBAL],
    ['instrument', GOLD],
    ['account', ACCOUNT],
  ])('a risk officer engages the %s stop: the stream halts trading with actor and reason', (_name, scope) => {
    const state = given()
      .when(command('EngageEmergencyStop', scope, '  feed frozen ', alice, T0))
      .then([
        engaged(scope),
        { type: 'TradingStateChanged', data: { scope, from: 'ACTIVE', to: 'HALTED', reason: 'feed frozen', actor: alice, at: T0.toISOString() } },
      ]);
    expect(controlTradingState(state)).toBe('HALTED');
    expect(stopApplies({ global: state }).stopped).toBe(true);
  });

  it('an admin may engage', () => {
    given().when(command('EngageEmergencyStop', GOLD, 'news spike', bob, T0)).then([
      engaged(GOLD, bob, 'news spike'),
      { type: 'TradingStateChanged', data: { scope: GOLD, from: 'ACTIVE', to: 'HALTED', reason: 'news spike', actor: bob, at: T0.toISOString() } },
    ]);
  });

  it.each(['trader', 'compliance', 'analyst', 'service'])('a %s may not engage: CONTROL.FORBIDDEN', (role) => {
    given().when(command('EngageEmergencyStop', GLOBAL, 'panic', { userId: 'x', role })).thenFails('CONTROL.FORBIDDEN', 'forbidden');
  });

  it.each(['', '   '])('a reason is required (%j)', (reason) => {
    given().when(command('EngageEmergencyStop', GLOBAL, reason, alice)).thenFails('CONTROL.REASON_REQUIRED', 'validation');
  });

  it('an overly long reason is refused', () => {
    given().when(command('EngageEmergencyStop', GLOBAL, 'x'.repeat(501), alice)).thenFails('CONTROL.REASON_TOO_LONG', 'validation');
  });

  it('engaging an engaged stop records nothing and keeps the first reason', () => {
    const state = given(engaged(GLOBAL)).when(command('EngageEmergencyStop', GLOBAL, 'still broken', bob)).then([]);
    expect(state.stop?.reason).toBe('feed frozen');
  });

  it('engaging while a global release waits voids the request: the approval then has nothing to approve', () => {
    const state = given(engaged(GLOBAL), releaseRequested(alice))
      .when(command('EngageEmergencyStop', GLOBAL, 'spreads blew out again', bob, T2))
      .then([engaged(GLOBAL, bob, 'spreads blew out again', T2)]);
    expect(state.stop?.pendingRelease).toBeNull();
    given(engaged(GLOBAL), releaseRequested(alice), engaged(GLOBAL, bob, 'again', T2))
      .when(command('ApproveEmergencyStopRelease', GLOBAL, 'ok', bob))
      .thenFails('CONTROL.NO_RELEASE_REQUESTED', 'domain');
  });

  it('a command for another scope than the stream holds is refused', () => {
    given(engaged(GOLD)).when(command('EngageEmergencyStop', { kind: 'instrument', symbol: 'XAGUSD' }, 'x', alice)).thenFails('CONTROL.SCOPE_MISMATCH', 'validation');
  });

  it.each([
    { kind: 'instrument', symbol: '' },
    { kind: 'account', accountId: 'has space' },
    { kind: 'desk' },
  ])('a malformed scope %j is refused', (scope) => {
    given().when(command('EngageEmergencyStop', scope as ControlScope, 'x', alice)).thenFails('CONTROL.SCOPE_INVALID', 'validation');
  });
});

describe('global release: two different approvers', () => {
  it('the first risk officer only records the request; trading stays halted', () => {
    const state = given(engaged(GLOBAL))
      .when(command('RequestEmergencyStopRelease', GLOBAL, 'feed back', alice))
      .then([releaseRequested(alice)]);
    expect(stopApplies({ global: state })).toEqual({ stopped: true, scopes: [GLOBAL] });
  });

  it('a second, different risk officer approves: the stop is released and trading resumes', () => {
    const state = given(engaged(GLOBAL), releaseRequested(alice))
      .when(command('ApproveEmergencyStopRelease', GLOBAL, 'confirmed with ops', bob, T2))
      .then([
        {
          type: 'EmergencyStopReleased',
          data: { scope: GLOBAL, reason: 'confirmed with ops', actor: bob, at: T2.toISOString(), requestedBy: alice, requestReason: 'feed back' },
        },
        { type: 'TradingStateChanged', data: { scope: GLOBAL, from: 'HALTED', to: 'ACTIVE', reason: 'confirmed with ops', actor: bob, at: T2.toISOString() } },
      ]);
    expect(controlTradingState(state)).toBe('ACTIVE');
    expect(stopApplies({ global: state }).stopped).toBe(false);
  });

  it('the requester cannot approve its own request: CONTROL.SAME_APPROVER', () => {
    given(engaged(GLOBAL), releaseRequested(alice))
      .when(command('ApproveEmergencyStopRelease', GLOBAL, 'me again', { userId: 'alice', role: 'admin' }))
      .thenFails('CONTROL.SAME_APPROVER', 'domain');
  });

  it('an approval without the approver\'s second factor is refused MFA.REQUIRED; a proof of another user does not count', () => {
    const approval: ControlCommand = { type: 'ApproveEmergencyStopRelease', data: { scope: GLOBAL, reason: 'ok' }, metadata: { commandId: 'cmd-no-code', now: T2, actor: bob } };
    given(engaged(GLOBAL), releaseRequested(alice)).when(approval).thenFails('MFA.REQUIRED', 'unauthenticated');
    given(engaged(GLOBAL), releaseRequested(alice))
      .when({ ...approval, data: { ...approval.data, secondFactor: { userId: 'alice', step: 7 } } })
      .thenFails('MFA.REQUIRED', 'unauthenticated');
  });

  it('a trader cannot approve: CONTROL.FORBIDDEN', () => {
    given(engaged(GLOBAL), releaseRequested(alice)).when(command('ApproveEmergencyStopRelease', GLOBAL, 'go', trader)).thenFails('CONTROL.FORBIDDEN', 'forbidden');
  });

  it('a trader cannot request a release: CONTROL.FORBIDDEN', () => {
    given(engaged(GLOBAL)).when(command('RequestEmergencyStopRelease', GLOBAL, 'go', trader)).thenFails('CONTROL.FORBIDDEN', 'forbidden');
  });

  it('approving needs a reason', () => {
    given(engaged(GLOBAL), releaseRequested(alice)).when(command('ApproveEmergencyStopRelease', GLOBAL, ' ', bob)).thenFails('CONTROL.REASON_REQUIRED', 'validation');
  });

  it('requesting needs a reason', () => {
    given(engaged(GLOBAL)).when(command('RequestEmergencyStopRelease', GLOBAL, '', alice)).thenFails('CONTROL.REASON_REQUIRED', 'validation');
  });

  it('approving with no request waiting is refused', () => {
    given(engaged(GLOBAL)).when(command('ApproveEmergencyStopRelease', GLOBAL, 'go', bob)).thenFails('CONTROL.NO_RELEASE_REQUESTED', 'domain');
  });

  it('a second request while one waits is refused; the second officer approves instead', () => {
    given(engaged(GLOBAL), releaseRequested(alice)).when(command('RequestEmergencyStopRelease', GLOBAL, 'go', bob)).thenFails('CONTROL.RELEASE_PENDING', 'domain');
  });

  it('the officer who engaged the stop may approve a release another officer requested', () => {
    given(engaged(GLOBAL, alice), releaseRequested(bob))
      .when(command('ApproveEmergencyStopRelease', GLOBAL, 'agreed', alice, T2))
      .then([
        { type: 'EmergencyStopReleased', data: { scope: GLOBAL, reason: 'agreed', actor: alice, at: T2.toISOString(), requestedBy: bob, requestReason: 'feed back' } },
        { type: 'TradingStateChanged', data: { scope: GLOBAL, from: 'HALTED', to: 'ACTIVE', reason: 'agreed', actor: alice, at: T2.toISOString() } },
      ]);
  });
});

describe('instrument and account release: one step', () => {
  it.each([
    ['instrument', GOLD],
    ['account', ACCOUNT],
  ])('a risk officer releases the %s stop on request', (_name, scope) => {
    const state = given(engaged(scope))
      .when(command('RequestEmergencyStopRelease', scope, 'resolved', alice))
      .then([
        { type: 'EmergencyStopReleased', data: { scope, reason: 'resolved', actor: alice, at: T1.toISOString(), requestedBy: null, requestReason: null } },
        { type: 'TradingStateChanged', data: { scope, from: 'HALTED', to: 'ACTIVE', reason: 'resolved', actor: alice, at: T1.toISOString() } },
      ]);
    expect(state.stop).toBeNull();
  });

  it('there is nothing to approve on an instrument stop', () => {
    given(engaged(GOLD)).when(command('ApproveEmergencyStopRelease', GOLD, 'go', bob)).thenFails('CONTROL.NO_RELEASE_REQUESTED', 'domain');
  });

  it('a trader cannot release an account stop', () => {
    given(engaged(ACCOUNT)).when(command('RequestEmergencyStopRelease', ACCOUNT, 'let me trade', trader)).thenFails('CONTROL.FORBIDDEN', 'forbidden');
  });
});

describe('release when not engaged', () => {
  it.each([
    ['RequestEmergencyStopRelease', GLOBAL],
    ['ApproveEmergencyStopRelease', GLOBAL],
    ['RequestEmergencyStopRelease', GOLD],
  ] as const)('%s on %j with no stop: CONTROL.NOT_ENGAGED', (type, scope) => {
    given().when(command(type, scope, 'go', alice)).thenFails('CONTROL.NOT_ENGAGED', 'domain');
  });

  it('a released stop cannot be released again, and can be engaged again', () => {
    const released: ControlEvent[] = [
      engaged(GOLD),
      { type: 'EmergencyStopReleased', data: { scope: GOLD, reason: 'ok', actor: alice, at: T1.toISOString(), requestedBy: null, requestReason: null } },
    ];
    given(...released).when(command('RequestEmergencyStopRelease', GOLD, 'again', alice)).thenFails('CONTROL.NOT_ENGAGED', 'domain');
    given(...released).when(command('EngageEmergencyStop', GOLD, 'second incident', bob, T2)).then([
      engaged(GOLD, bob, 'second incident', T2),
      { type: 'TradingStateChanged', data: { scope: GOLD, from: 'ACTIVE', to: 'HALTED', reason: 'second incident', actor: bob, at: T2.toISOString() } },
    ]);
  });
});

describe('stopApplies', () => {
  const stateOf = (...events: ControlEvent[]) => events.reduce(controlDecider.evolve, controlDecider.initialState());
  const releasedGold: ControlEvent = {
    type: 'EmergencyStopReleased',
    data: { scope: GOLD, reason: 'ok', actor: alice, at: T1.toISOString(), requestedBy: null, requestReason: null },
  };

  it('nothing engaged, or no control stream yet: trading is not stopped', () => {
    expect(stopApplies({})).toEqual({ stopped: false, scopes: [] });
    expect(stopApplies({ global: stateOf(), instrument: stateOf(engaged(GOLD), releasedGold) })).toEqual({ stopped: false, scopes: [] });
  });

  it('lists every engaged scope, widest first', () => {
    const verdict = stopApplies({ account: stateOf(engaged(ACCOUNT)), instrument: stateOf(engaged(GOLD)), global: stateOf(engaged(GLOBAL)) });
    expect(verdict).toEqual({ stopped: true, scopes: [GLOBAL, GOLD, ACCOUNT] });
  });

  it('an account stop alone stops that account', () => {
    expect(stopApplies({ global: stateOf(), account: stateOf(engaged(ACCOUNT)) })).toEqual({ stopped: true, scopes: [ACCOUNT] });
  });

  it('a global release waiting for its approver still stops trading', () => {
    expect(stopApplies({ global: stateOf(engaged(GLOBAL), releaseRequested(alice)) })).toEqual({ stopped: true, scopes: [GLOBAL] });
  });
});

describe('controlStreamId', () => {
  it('names one stream per scope', () => {
    expect([GLOBAL, GOLD, ACCOUNT].map(controlStreamId)).toEqual(['control-global', 'control-instrument-XAUUSD', 'control-account-A1']);
  });
});

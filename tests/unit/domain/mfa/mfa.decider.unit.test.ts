// given(events).when(command).then(events | error) for a user's second factor.
import { describe, expect, it } from 'vitest';
import { MAX_FAILURES, mfaDecider, type MfaCommand, type MfaEvent, type MfaState } from '../../../../domain/mfa/index.ts';
import type { Actor } from '../../../../domain/ports/event-store.ts';
import type { LedgerError } from '../../../../domain/shared/errors.ts';

const officer: Actor = { userId: 'officer-1', role: 'risk_officer' };
const admin: Actor = { userId: 'admin-1', role: 'admin' };
const NOW = new Date('2026-03-02T10:00:00.000Z');
const at = NOW.toISOString();
const STEP = 59_000_000;
const SECRET = { keyId: 'k', iv: 'iv', ciphertext: 'c', tag: 't' };
const PURPOSE = { command: 'SetRiskLimits', commandId: 'cmd-1', streamId: 'account-A1' };

const meta = (actor: Actor) => ({ commandId: 'c', now: NOW, actor });
const enrolled: MfaEvent = { type: 'MfaEnrolled', data: { userId: 'officer-1', enrolmentId: 'e1', secret: SECRET, algorithm: 'SHA1', digits: 6, periodSeconds: 30, at } };
const verified = (step: number): MfaEvent => ({ type: 'MfaCodeVerified', data: { userId: 'officer-1', enrolmentId: 'e1', step, purpose: PURPOSE, at } });
const failed = (failures: number): MfaEvent => ({ type: 'MfaCodeFailed', data: { userId: 'officer-1', reason: 'INVALID_CODE', step: STEP, failures, purpose: PURPOSE, at } });
const lockedOut: MfaEvent = { type: 'MfaLockedOut', data: { userId: 'officer-1', failures: MAX_FAILURES, at } };
const code = (matchedSteps: number[], actor = officer, enrolmentId = 'e1'): MfaCommand => ({
  type: 'VerifySecondFactor',
  data: { userId: 'officer-1', enrolmentId, currentStep: STEP, matchedSteps, purpose: PURPOSE },
  metadata: meta(actor),
});
const unlock = (actor: Actor, reason = 'called the officer back'): MfaCommand => ({ type: 'UnlockSecondFactor', data: { userId: 'officer-1', reason }, metadata: meta(actor) });

function given(...history: MfaEvent[]) {
  const state = history.reduce(mfaDecider.evolve, mfaDecider.initialState());
  return {
    state,
    when(command: MfaCommand) {
      const run = () => [...mfaDecider.decide(command, state)];
      return {
        then(expected: MfaEvent[]): MfaState {
          const events = run();
          expect(events).toEqual(expected);
          return events.reduce(mfaDecider.evolve, state);
        },
        thenFails(errorCode: string, category: LedgerError['category']): void {
          expect(run).toThrow(expect.objectContaining({ code: errorCode, category }));
        },
      };
    },
  };
}

describe('enrolment', () => {
  it('the user enrols for themselves, once; the recorded secret is the sealed one', () => {
    given().when({ type: 'EnrolSecondFactor', data: { userId: 'officer-1', enrolmentId: 'e1', secret: SECRET }, metadata: meta(officer) }).then([enrolled]);
    given(enrolled).when({ type: 'EnrolSecondFactor', data: { userId: 'officer-1', enrolmentId: 'e2', secret: SECRET }, metadata: meta(officer) }).thenFails('MFA.ALREADY_ENROLLED', 'conflict');
  });

  it('nobody enrols for someone else', () => {
    given().when({ type: 'EnrolSecondFactor', data: { userId: 'officer-1', enrolmentId: 'e1', secret: SECRET }, metadata: meta(admin) }).thenFails('MFA.FORBIDDEN', 'forbidden');
  });

  it('a code before enrolment is MFA.NOT_ENROLLED', () => {
    given().when(code([STEP])).thenFails('MFA.NOT_ENROLLED', 'forbidden');
  });
});

describe('codes', () => {
  it.each([STEP - 1, STEP, STEP + 1])('a code of step %i (the current one +-1) is verified', (step) => {
    const state = given(enrolled).when(code([step])).then([verified(step)]);
    expect(state.lastUsedStep).toBe(step);
  });

  it('a step outside the window does not count, whatever the caller says', () => {
    given(enrolled).when(code([STEP - 2, STEP + 2])).then([{ type: 'MfaCodeFailed', data: { userId: 'officer-1', reason: 'INVALID_CODE', step: STEP, failures: 1, purpose: PURPOSE, at } }]);
  });

  it('a used code is refused the second time (MFA.CODE_REUSED as a recorded failure), and so is an older step', () => {
    given(enrolled, verified(STEP)).when(code([STEP])).then([{ type: 'MfaCodeFailed', data: { userId: 'officer-1', reason: 'CODE_REUSED', step: STEP, failures: 1, purpose: PURPOSE, at } }]);
    given(enrolled, verified(STEP + 1)).when(code([STEP])).then([{ type: 'MfaCodeFailed', data: { userId: 'officer-1', reason: 'CODE_REUSED', step: STEP, failures: 1, purpose: PURPOSE, at } }]);
    given(enrolled, verified(STEP - 1)).when(code([STEP])).then([verified(STEP)]);
  });

  it(`${MAX_FAILURES} failures in a row lock the factor; a good code in between starts the count again`, () => {
    const four = [1, 2, 3, 4].map(failed);
    const state = given(enrolled, ...four).when(code([])).then([
      { type: 'MfaCodeFailed', data: { userId: 'officer-1', reason: 'INVALID_CODE', step: STEP, failures: MAX_FAILURES, purpose: PURPOSE, at } },
      lockedOut,
    ]);
    expect(state.locked).toBe(true);
    const reset = given(enrolled, ...four, verified(STEP - 1)).when(code([])).then([failed(1)]);
    expect(reset.locked).toBe(false);
  });

  it('while locked even the right code is refused MFA.LOCKED, and nothing is recorded', () => {
    given(enrolled, ...[1, 2, 3, 4, 5].map(failed), lockedOut).when(code([STEP])).thenFails('MFA.LOCKED', 'forbidden');
  });

  it('only the user presents their code, for their current enrolment', () => {
    given(enrolled).when(code([STEP], admin)).thenFails('MFA.FORBIDDEN', 'forbidden');
    given(enrolled).when(code([STEP], officer, 'e0')).thenFails('MFA.ENROLMENT_CHANGED', 'conflict');
  });
});

describe('unlock and reset', () => {
  const locked = [enrolled, ...[1, 2, 3, 4, 5].map(failed), lockedOut];

  it('another admin unlocks, with a reason; the count starts again and codes work', () => {
    const state = given(...locked).when(unlock(admin)).then([{ type: 'MfaUnlocked', data: { userId: 'officer-1', reason: 'called the officer back', actor: admin, at } }]);
    expect(state).toMatchObject({ locked: false, failures: 0 });
    given(...locked, { type: 'MfaUnlocked', data: { userId: 'officer-1', reason: 'r', actor: admin, at } }).when(code([STEP])).then([verified(STEP)]);
  });

  it('a risk officer cannot unlock, nor an admin their own factor, nor without a reason', () => {
    given(...locked).when(unlock({ userId: 'officer-2', role: 'risk_officer' })).thenFails('MFA.FORBIDDEN', 'forbidden');
    given(...locked).when(unlock({ userId: 'officer-1', role: 'admin' })).thenFails('MFA.SELF_SERVICE', 'forbidden');
    given(...locked).when(unlock(admin, ' ')).thenFails('MFA.REASON_REQUIRED', 'validation');
    given(enrolled).when(unlock(admin)).thenFails('MFA.NOT_LOCKED', 'domain');
  });

  it('a reset removes the enrolment (and a lock): the user enrols again', () => {
    const reset: MfaCommand = { type: 'ResetSecondFactor', data: { userId: 'officer-1', reason: 'lost phone' }, metadata: meta(admin) };
    const state = given(...locked).when(reset).then([{ type: 'MfaReset', data: { userId: 'officer-1', reason: 'lost phone', actor: admin, at } }]);
    expect(state).toEqual(mfaDecider.initialState());
    given().when(reset).thenFails('MFA.NOTHING_TO_RESET', 'domain');
  });
});

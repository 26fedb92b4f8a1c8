// A user's second factor as a decider, one stream per user (`mfa-{userId}`).
//
// Choices a desk should know about:
// - Only the user enrols, once. A second enrolment is refused (MFA.ALREADY_ENROLLED): a stolen session
//   token must not be able to swap the secret. A lost device is an admin's reset, then a new enrolment.
// - A code is good for the current 30 s step and one step either side (clock drift), and once: a step at
//   or before the last one used is refused (MFA.CODE_REUSED), whichever process checked it first.
// - MAX_FAILURES wrong or reused codes in a row lock the factor until an admin (not the user) unlocks
//   it; a verified code resets the count. Attempts while locked are refused and change nothing.
// - The decider never sees the secret or the code: the write side computes which steps the code
//   matches and passes them as data, the decider judges them against the recorded history.
import { assertNever, type CommandMetadata, type Decider } from '../shared/decider.ts';
import { MfaError } from './errors.ts';
import type { MfaActor, MfaCommand, MfaEvent, ResetSecondFactor, SealedSecret, UnlockSecondFactor, VerifySecondFactor } from './events.ts';

export const MAX_FAILURES = 5;
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of the current one a code may belong to. */
export const TOTP_WINDOW_STEPS = 1;
export const MAX_REASON_LENGTH = 500;

export const mfaStreamId = (userId: string): string => `mfa-${userId}`;

export type MfaEnrolment = { readonly enrolmentId: string; readonly secret: SealedSecret; readonly enrolledAt: string };

export type MfaState = {
  readonly enrolment: MfaEnrolment | null;
  /** The latest time step whose code was accepted; a code of this step or an earlier one is spent. */
  readonly lastUsedStep: number | null;
  /** Failures in a row since the last verified code or unlock. */
  readonly failures: number;
  readonly locked: boolean;
};

export const initialMfaState = (): MfaState => ({ enrolment: null, lastUsedStep: null, failures: 0, locked: false });

export function evolveMfa(state: MfaState, event: MfaEvent): MfaState {
  switch (event.type) {
    case 'MfaEnrolled': {
      const { enrolmentId, secret, at } = event.data;
      return { enrolment: { enrolmentId, secret, enrolledAt: at }, lastUsedStep: null, failures: 0, locked: false };
    }
    case 'MfaCodeVerified':
      return { ...state, lastUsedStep: event.data.step, failures: 0 };
    case 'MfaCodeFailed':
      return { ...state, failures: event.data.failures };
    case 'MfaLockedOut':
      return { ...state, locked: true };
    case 'MfaUnlocked':
      return { ...state, locked: false, failures: 0 };
    case 'MfaReset':
      return initialMfaState();
    default:
      return assertNever(event, 'mfa event');
  }
}

export function decideMfa(command: MfaCommand, state: MfaState): MfaEvent[] {
  switch (command.type) {
    case 'EnrolSecondFactor': {
      const { userId, enrolmentId, secret } = command.data;
      ownFactor(command.metadata, userId, 'enrol a second factor');
      if (state.enrolment) {
        throw new MfaError('MFA.ALREADY_ENROLLED', `${userId} already has a second factor (enrolled ${state.enrolment.enrolledAt}); an admin resets it before a new enrolment`, { userId });
      }
      const at = command.metadata.now.toISOString();
      return [{ type: 'MfaEnrolled', data: { userId, enrolmentId, secret, algorithm: 'SHA1', digits: TOTP_DIGITS, periodSeconds: TOTP_PERIOD_SECONDS, at } }];
    }
    case 'VerifySecondFactor':
      return verify(command, state);
    case 'UnlockSecondFactor':
      return unlock(command, state);
    case 'ResetSecondFactor':
      return reset(command, state);
    default:
      return assertNever(command, 'mfa command');
  }
}

export const mfaDecider: Decider<MfaCommand, MfaEvent, MfaState> = { initialState: initialMfaState, evolve: evolveMfa, decide: decideMfa };

function ownFactor(metadata: CommandMetadata, userId: string, action: string): void {
  if (metadata.actor.userId !== userId) {
    throw new MfaError('MFA.FORBIDDEN', `only ${userId} may ${action} for ${userId}`, { userId, actor: metadata.actor.userId });
  }
}

/** Refuses a command on a factor that cannot check codes now, with what to do about it. */
export function assertUsable(state: MfaState, userId: string): MfaEnrolment {
  if (!state.enrolment) throw new MfaError('MFA.NOT_ENROLLED', `${userId} has no second factor: enrol first (POST /v1/mfa/enrolment) and add it to an authenticator app`, { userId });
  if (state.locked) {
    throw new MfaError('MFA.LOCKED', `${userId}'s second factor is locked after ${state.failures} failed codes in a row: an admin unlocks it (POST /v1/mfa/users/${userId}/unlock)`, { userId, failures: state.failures });
  }
  return state.enrolment;
}

function verify(command: VerifySecondFactor, state: MfaState): MfaEvent[] {
  const { userId, enrolmentId, currentStep, matchedSteps, purpose } = command.data;
  ownFactor(command.metadata, userId, 'present a code');
  const enrolment = assertUsable(state, userId);
  if (enrolment.enrolmentId !== enrolmentId) {
    throw new MfaError('MFA.ENROLMENT_CHANGED', `${userId}'s second factor was enrolled again while the code was checked: send a code of the new enrolment`, { userId });
  }
  const at = command.metadata.now.toISOString();
  const window = matchedSteps.filter((step) => Math.abs(step - currentStep) <= TOTP_WINDOW_STEPS);
  const fresh = window.filter((step) => state.lastUsedStep === null || step > state.lastUsedStep);
  if (fresh.length > 0) return [{ type: 'MfaCodeVerified', data: { userId, enrolmentId, step: Math.min(...fresh), purpose, at } }];
  const failures = state.failures + 1;
  const reason = window.length > 0 ? 'CODE_REUSED' : 'INVALID_CODE';
  const failed: MfaEvent = { type: 'MfaCodeFailed', data: { userId, reason, step: currentStep, failures, purpose, at } };
  return failures >= MAX_FAILURES ? [failed, { type: 'MfaLockedOut', data: { userId, failures, at } }] : [failed];
}

/** An admin acts on someone else's factor, with a reason: a user cannot lift their own lock-out. */
function adminAction(command: UnlockSecondFactor | ResetSecondFactor, action: string): { actor: MfaActor; reason: string } {
  const { userId: actorId, role } = command.metadata.actor;
  if (role !== 'admin') throw new MfaError('MFA.FORBIDDEN', `only an admin may ${action}`, { role });
  if (actorId === command.data.userId) throw new MfaError('MFA.SELF_SERVICE', `an admin may not ${action} for themselves: another admin does`, { userId: actorId });
  const reason = typeof command.data.reason === 'string' ? command.data.reason.trim() : '';
  if (reason === '' || reason.length > MAX_REASON_LENGTH) {
    throw new MfaError('MFA.REASON_REQUIRED', `a reason of 1 to ${MAX_REASON_LENGTH} characters is required`, { field: 'reason' });
  }
  return { actor: { userId: actorId, role }, reason };
}

function unlock(command: UnlockSecondFactor, state: MfaState): MfaEvent[] {
  const { actor, reason } = adminAction(command, 'unlock a second factor');
  const { userId } = command.data;
  if (!state.locked) throw new MfaError('MFA.NOT_LOCKED', `${userId}'s second factor is not locked`, { userId });
  return [{ type: 'MfaUnlocked', data: { userId, reason, actor, at: command.metadata.now.toISOString() } }];
}

function reset(command: ResetSecondFactor, state: MfaState): MfaEvent[] {
  const { actor, reason } = adminAction(command, 'reset a second factor');
  const { userId } = command.data;
  if (!state.enrolment) throw new MfaError('MFA.NOTHING_TO_RESET', `${userId} has no second factor to reset`, { userId });
  return [{ type: 'MfaReset', data: { userId, reason, actor, at: command.metadata.now.toISOString() } }];
}

// Commands and events of a user's second factor (stream `mfa-{userId}`): a TOTP secret (RFC 6238, SHA-1,
// 30 s steps, 6 digits) enrolled by the user, every code checked against it, lock-out and unlock.
// The secret is recorded sealed (encrypted by the write side with a key from config), never in clear.
import type { EventData } from '../ports/event-store.ts';
import type { Command, DomainEvent } from '../shared/decider.ts';

/** An encrypted TOTP secret: AES-256-GCM, base64 fields; keyId names the key that sealed it. */
export type SealedSecret = { readonly keyId: string; readonly iv: string; readonly ciphertext: string; readonly tag: string };

/** What a checked code was for: the protected command, so compliance can pair the two. */
export type SecondFactorPurpose = { readonly command: string; readonly commandId: string; readonly streamId: string };

/** Who did it, as recorded in event data. */
export type MfaActor = { readonly userId: string; readonly role: string };

export type FailureReason = 'INVALID_CODE' | 'CODE_REUSED';

export type EnrolSecondFactor = Command<'EnrolSecondFactor', { readonly userId: string; readonly enrolmentId: string; readonly secret: SealedSecret }>;
/**
 * A code checked by the write side: `matchedSteps` are the time steps within the window (current step
 * +-1) whose code equals the one given, computed from the secret of enrolment `enrolmentId`.
 */
export type VerifySecondFactor = Command<
  'VerifySecondFactor',
  {
    readonly userId: string;
    readonly enrolmentId: string;
    readonly currentStep: number;
    readonly matchedSteps: readonly number[];
    readonly purpose: SecondFactorPurpose;
  }
>;
export type UnlockSecondFactor = Command<'UnlockSecondFactor', { readonly userId: string; readonly reason: string }>;
/** Removes the enrolment (a lost device): the user enrols again. */
export type ResetSecondFactor = Command<'ResetSecondFactor', { readonly userId: string; readonly reason: string }>;

export type MfaCommand = EnrolSecondFactor | VerifySecondFactor | UnlockSecondFactor | ResetSecondFactor;

export type MfaEnrolled = DomainEvent<
  'MfaEnrolled',
  {
    readonly userId: string;
    readonly enrolmentId: string;
    readonly secret: SealedSecret;
    readonly algorithm: 'SHA1';
    readonly digits: number;
    readonly periodSeconds: number;
    readonly at: string;
  }
>;
export type MfaCodeVerified = DomainEvent<
  'MfaCodeVerified',
  { readonly userId: string; readonly enrolmentId: string; readonly step: number; readonly purpose: SecondFactorPurpose; readonly at: string }
>;
/** `failures` counts the failures in a row, this one included. */
export type MfaCodeFailed = DomainEvent<
  'MfaCodeFailed',
  { readonly userId: string; readonly reason: FailureReason; readonly step: number; readonly failures: number; readonly purpose: SecondFactorPurpose; readonly at: string }
>;
export type MfaLockedOut = DomainEvent<'MfaLockedOut', { readonly userId: string; readonly failures: number; readonly at: string }>;
export type MfaUnlocked = DomainEvent<'MfaUnlocked', { readonly userId: string; readonly reason: string; readonly actor: MfaActor; readonly at: string }>;
export type MfaReset = DomainEvent<'MfaReset', { readonly userId: string; readonly reason: string; readonly actor: MfaActor; readonly at: string }>;

export type MfaEvent = MfaEnrolled | MfaCodeVerified | MfaCodeFailed | MfaLockedOut | MfaUnlocked | MfaReset;

// Compile-time proof that every event's data can be appended to the event store unchanged.
type AppendableData<E extends MfaEvent> = E['data'] extends EventData ? true : never;
const _mfaEventDataIsAppendable: AppendableData<MfaEvent> = true;

// What a protected command carries once the write side has checked the actor's code: the rule that a
// command needs one lives in its decider, so no path to the event store skips it.
import type { CommandMetadata } from '../shared/decider.ts';
import { MfaError } from './errors.ts';

/** The actor's code was verified (and spent) for this command, at this time step. */
export type SecondFactorProof = { readonly userId: string; readonly step: number };

export function requireSecondFactor(proof: SecondFactorProof | undefined, metadata: CommandMetadata, action: string): void {
  if (proof === undefined || proof.userId !== metadata.actor.userId) {
    throw new MfaError('MFA.REQUIRED', `${action} needs a current code of your second factor: send it in the X-TOTP-Code header`, { userId: metadata.actor.userId });
  }
}

// The second factor on the write side: enrolment, code checks, unlock and reset, each a command on the
// user's stream `mfa-{userId}` through the one command loop, so every check is an event appended at the
// stream's expected revision. Two processes checking the same code race for one revision: the loser
// decides again on the stream as the winner left it and finds the step spent (MFA.CODE_REUSED).
import { randomBytes, randomUUID } from 'node:crypto';
import {
  MAX_FAILURES,
  MfaError,
  TOTP_DIGITS,
  TOTP_PERIOD_SECONDS,
  TOTP_WINDOW_STEPS,
  assertUsable,
  mfaDecider,
  mfaStreamId,
  type MfaCodeFailed,
  type MfaCommand,
  type MfaEvent,
  type MfaState,
  type SecondFactorProof,
  type SecondFactorPurpose,
} from '../../domain/mfa/index.ts';
import type { EventStore } from '../../domain/ports/event-store.ts';
import type { CommandMetadata } from '../../domain/shared/decider.ts';
import { isLedgerError } from '../../domain/shared/errors.ts';
import type { CommandResult } from '../handling/handle-command.ts';
import { StateCache } from '../handling/state-cache.ts';
import { StreamQueue } from '../handling/stream-queue.ts';
import type { CommandContext } from '../trading/service.ts';
import { openSecret, sealSecret, secretKeyId } from './sealed-secret.ts';
import { base32Encode, matchingSteps, otpauthUri, timeStep } from './totp.ts';

/** 160 bits, the secret length RFC 4226 recommends. */
const SECRET_BYTES = 20;
export const DEFAULT_MFA_ISSUER = 'NICEGOLD Ledger';

export interface SecondFactorDeps {
  readonly eventStore: EventStore;
  /** 32 bytes (MFA_SECRET_KEY): seals new enrolments and opens the secrets it sealed. */
  readonly secretKey: Uint8Array;
  /** Keys before a rotation (MFA_SECRET_KEY_PREVIOUS): they open the secrets they sealed, and seal nothing. */
  readonly previousSecretKeys?: readonly Uint8Array[];
  readonly clock?: () => Date;
  /** Recorded in each event's metadata.source. */
  readonly source?: string;
  /** Shown by authenticator apps beside the user id. */
  readonly issuer?: string;
}

/** Returned once, at enrolment: the only time the secret leaves the ledger in clear. */
export interface Enrolment {
  readonly userId: string;
  readonly otpauthUri: string;
  /** Base32, for typing into an app that cannot scan the URI. */
  readonly secret: string;
  readonly algorithm: 'SHA1';
  readonly digits: number;
  readonly periodSeconds: number;
  readonly enrolledAt: string;
}

export interface SecondFactorStatus {
  readonly userId: string;
  readonly enrolled: boolean;
  readonly enrolledAt: string | null;
  readonly locked: boolean;
  readonly failures: number;
  /** The id of the key the enrolment's secret is sealed under (null: not enrolled). */
  readonly sealedWithKey: string | null;
  /** Whether that is this process's MFA_SECRET_KEY: an old key may leave MFA_SECRET_KEY_PREVIOUS once no user answers false. */
  readonly sealedWithCurrentKey: boolean | null;
}

export interface SecondFactor {
  /** Creates a secret for the calling user; refused (MFA.ALREADY_ENROLLED) if they have one. */
  enrol(ctx: CommandContext): Promise<Enrolment>;
  /** Checks and spends ctx.secondFactorCode for `purpose`; throws MFA.* unless it is a fresh code of the actor. */
  verify(ctx: CommandContext, purpose: Omit<SecondFactorPurpose, 'commandId'>): Promise<SecondFactorProof>;
  /** An admin lifts a lock-out of another user. */
  unlock(ctx: CommandContext, input: { readonly userId: string; readonly reason: string }): Promise<void>;
  /** An admin removes another user's enrolment (a lost device): the user enrols again. */
  reset(ctx: CommandContext, input: { readonly userId: string; readonly reason: string }): Promise<void>;
  status(userId: string): Promise<SecondFactorStatus>;
}

const failureMessages = {
  INVALID_CODE: 'the code is not the current one of your second factor: check the time on your device and send the code it shows now',
  CODE_REUSED: 'this code was already used: wait for the next one (every 30 s) and send that',
} as const;

export function createSecondFactor(deps: SecondFactorDeps): SecondFactor {
  const clock = deps.clock ?? (() => new Date());
  const issuer = deps.issuer ?? DEFAULT_MFA_ISSUER;
  const handler = { eventStore: deps.eventStore, cache: new StateCache(), maxAttempts: 10, ...(deps.source ? { source: deps.source } : {}) };
  const streams = new StreamQueue(handler);
  const openingKeys = [deps.secretKey, ...(deps.previousSecretKeys ?? [])];
  const currentKeyId = secretKeyId(deps.secretKey);

  const metadata = (ctx: CommandContext, commandId: string, now: Date): CommandMetadata => ({
    commandId,
    now,
    actor: { userId: ctx.actor.userId, role: ctx.actor.role },
    correlationId: ctx.correlationId ?? ctx.commandId,
  });

  const current = async (userId: string): Promise<MfaState> => (await streams.catchUp(mfaDecider, mfaStreamId(userId))).state;

  /** The command loop, and once more on the stream read anew when a refusal may rest on a cached state another process moved on. */
  async function run(userId: string, command: MfaCommand): Promise<CommandResult<MfaEvent>> {
    const streamId = mfaStreamId(userId);
    try {
      return await streams.command(mfaDecider, streamId, command);
    } catch (error) {
      if (!isLedgerError(error) || error.category === 'unavailable') throw error;
      await streams.catchUp(mfaDecider, streamId);
      return streams.command(mfaDecider, streamId, command);
    }
  }

  async function enrol(ctx: CommandContext): Promise<Enrolment> {
    const { userId } = ctx.actor;
    const secret = randomBytes(SECRET_BYTES);
    const enrolmentId = randomUUID();
    const now = clock();
    const sealed = sealSecret(deps.secretKey, userId, enrolmentId, secret);
    const result = await run(userId, { type: 'EnrolSecondFactor', data: { userId, enrolmentId, secret: sealed }, metadata: metadata(ctx, ctx.commandId, now) });
    // A repeat of the enrolment's command id: the secret was handed out once and is not handed out again.
    if (!result.applied) throw new MfaError('MFA.ALREADY_ENROLLED', `${userId} already enrolled with this command; an admin resets the factor before a new enrolment`, { userId });
    const options = { algorithm: 'SHA1', digits: TOTP_DIGITS, periodSeconds: TOTP_PERIOD_SECONDS } as const;
    return { userId, otpauthUri: otpauthUri(issuer, userId, secret, options), secret: base32Encode(secret), ...options, enrolledAt: now.toISOString() };
  }

  async function verify(ctx: CommandContext, purpose: Omit<SecondFactorPurpose, 'commandId'>): Promise<SecondFactorProof> {
    const { userId } = ctx.actor;
    const code = ctx.secondFactorCode;
    if (code === undefined || code === '') {
      throw new MfaError('MFA.REQUIRED', `${purpose.command} needs a current code of your second factor: send it in the X-TOTP-Code header`, { userId });
    }
    const enrolment = assertUsable(await current(userId), userId);
    const secret = openSecret(openingKeys, userId, enrolment.enrolmentId, enrolment.secret);
    const now = clock();
    const currentStep = timeStep(now, TOTP_PERIOD_SECONDS);
    const matchedSteps = /^\d{6}$/.test(code) ? matchingSteps(secret, code, currentStep, TOTP_WINDOW_STEPS) : [];
    const data = { userId, enrolmentId: enrolment.enrolmentId, currentStep, matchedSteps, purpose: { ...purpose, commandId: ctx.commandId } };
    // Every check is a command of its own (a fresh id): a retried request is checked again, so its code is spent.
    const { events } = await run(userId, { type: 'VerifySecondFactor', data, metadata: metadata(ctx, randomUUID(), now) });
    for (const event of events) {
      if (event.type === 'MfaCodeVerified') return { userId, step: event.data.step };
    }
    const failed = events.find((e): e is MfaCodeFailed => e.type === 'MfaCodeFailed');
    if (!failed) throw new Error(`VerifySecondFactor for ${userId} recorded neither a verification nor a failure`);
    const { reason, failures } = failed.data;
    if (events.some((e) => e.type === 'MfaLockedOut')) {
      throw new MfaError('MFA.LOCKED', `${failureMessages[reason]}; that was ${failures} failures in a row, so your second factor is now locked: an admin unlocks it (POST /v1/mfa/users/${userId}/unlock)`, { userId, reason, failures });
    }
    throw new MfaError(reason === 'CODE_REUSED' ? 'MFA.CODE_REUSED' : 'MFA.INVALID_CODE', `${failureMessages[reason]} (${MAX_FAILURES - failures} more failures in a row lock it)`, {
      userId,
      failures,
      failuresLeft: MAX_FAILURES - failures,
    });
  }

  async function adminCommand(ctx: CommandContext, type: 'UnlockSecondFactor' | 'ResetSecondFactor', input: { userId: string; reason: string }): Promise<void> {
    await run(input.userId, { type, data: { userId: input.userId, reason: input.reason }, metadata: metadata(ctx, ctx.commandId, clock()) });
  }

  async function status(userId: string): Promise<SecondFactorStatus> {
    const state = await current(userId);
    const sealedWithKey = state.enrolment?.secret.keyId ?? null;
    return {
      userId, enrolled: state.enrolment !== null, enrolledAt: state.enrolment?.enrolledAt ?? null, locked: state.locked, failures: state.failures,
      sealedWithKey, sealedWithCurrentKey: sealedWithKey === null ? null : sealedWithKey === currentKeyId,
    };
  }

  return {
    enrol,
    verify,
    unlock: (ctx, input) => adminCommand(ctx, 'UnlockSecondFactor', input),
    reset: (ctx, input) => adminCommand(ctx, 'ResetSecondFactor', input),
    status,
  };
}

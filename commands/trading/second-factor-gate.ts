// The controls that move risk (changing an account's limits, approving a global stop release) need the
// actor's second factor on top of the token. The rule is the decider's (a command without a proof is
// refused MFA.REQUIRED); this gate supplies the proof, spending the actor's code, only once the command
// is known to be one the decider would otherwise take: a request refused for its content (no release
// waiting, limits out of bounds, a version conflict) costs no code and records no check.
import type { SecondFactorProof } from '../../domain/mfa/index.ts';
import { MfaError } from '../../domain/mfa/index.ts';
import type { EventStore } from '../../domain/ports/event-store.ts';
import type { Command, Decider, DomainEvent } from '../../domain/shared/decider.ts';
import { commandEvents } from '../handling/handle-command.ts';
import type { StreamQueue } from '../handling/stream-queue.ts';
import type { SecondFactor } from '../mfa/second-factor.ts';
import type { CommandContext, CommandOutcome } from './service.ts';

export interface SecondFactorGate<C extends Command, E extends DomainEvent, S> {
  readonly decider: Decider<C, E, S>;
  readonly streamId: string;
  /** Whether the command needs a code on this state (the decider's own rule, so both agree). */
  readonly needs: (state: S) => boolean;
}

/** What a command recorded on a stream before, found by its command id, as its first answer said it. */
export async function recordedBefore(eventStore: EventStore, streamId: string, commandId: string): Promise<CommandOutcome | undefined> {
  const { recorded, revision } = await commandEvents(eventStore, streamId, commandId);
  if (recorded.length === 0) return undefined;
  return { commandId, streamId, applied: false, events: recorded.map(({ type, data }) => ({ type, data })), revision };
}

export async function throughSecondFactor<C extends Command, E extends DomainEvent, S>(
  io: { readonly streams: StreamQueue; readonly eventStore: EventStore; readonly secondFactor: SecondFactor | undefined },
  gate: SecondFactorGate<C, E, S>,
  ctx: CommandContext,
  command: C,
  run: (command: C) => Promise<CommandOutcome>,
): Promise<CommandOutcome> {
  const { state } = await io.streams.catchUp(gate.decider, gate.streamId);
  if (!gate.needs(state)) return run(command);
  // A retry of a command already recorded (its idempotency record gone) is answered, not checked again.
  const earlier = await recordedBefore(io.eventStore, gate.streamId, ctx.commandId);
  if (earlier) return earlier;
  // Every command a gate guards carries `secondFactor?: SecondFactorProof` in its data (SetRiskLimits, ApproveEmergencyStopRelease).
  const withProof = (proof: SecondFactorProof): C => ({ ...command, data: { ...(command.data as object), secondFactor: proof } });
  gate.decider.decide(withProof({ userId: ctx.actor.userId, step: -1 }), state); // throws what the command would be refused for anyway
  if (!io.secondFactor) {
    throw new MfaError('MFA.NOT_CONFIGURED', `${command.type} needs a second factor and this process checks none: run it on the api role`, { command: command.type });
  }
  const proof = await io.secondFactor.verify(ctx, { command: command.type, streamId: gate.streamId });
  return run(withProof(proof));
}

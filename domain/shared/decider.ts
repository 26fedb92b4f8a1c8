// The shape of every aggregate: three pure pieces. `decide` gets the time as data in the command's
// metadata and never reads a clock, a database or the network.
import type { Actor } from '../ports/event-store.ts';

export interface CommandMetadata {
  readonly commandId: string;
  readonly now: Date;
  readonly actor: Actor;
  readonly correlationId?: string;
}

/** A command as handlers receive it: a discriminated union member plus metadata. */
export type Command<Type extends string = string, Data = unknown> = Readonly<{ type: Type; data: Data; metadata: CommandMetadata }>;

/** A domain event before it is enveloped: type and data only; ids and positions are added on append. */
export type DomainEvent<Type extends string = string, Data = unknown> = Readonly<{ type: Type; data: Data }>;

export interface Decider<C extends Command, E extends DomainEvent, S> {
  readonly initialState: () => S;
  readonly evolve: (state: S, event: E) => S;
  /** Returns the events to record, or throws a typed DomainError / ValidationError. */
  readonly decide: (command: C, state: S) => readonly E[];
  /**
   * The key of an event that must be recorded once per stream ever, whichever command makes it (a booked
   * fill: its fill id). The handler derives such an event's id from the key instead of the command id,
   * so the store's unique event id refuses a second one without the state remembering every key.
   */
  readonly onceKey?: (event: E) => string | undefined;
  /** How a state is kept as a snapshot, for aggregates whose streams grow long; absent: always folded from the start. */
  readonly snapshot?: SnapshotCodec<S>;
}

/**
 * A state as text and back. `version` names the fold that made the state: a snapshot of another version
 * is ignored (the stream is folded from its start), so it must change whenever evolve folds differently.
 */
export interface SnapshotCodec<S> {
  readonly version: string;
  encode(state: S): string;
  decode(text: string): S;
}

/** Ends a switch over a discriminated union: a new member that is not handled fails to compile. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}

// The one command-handling loop every aggregate uses: load state (cached per stream), decide, append
// with the expected revision, and on a version conflict reload and decide again, a bounded number of times.
import {
  EventIdReused, ExpectedRevisionConflict,
  type AppendOptions, type EventData, type EventMetadata, type EventStore, type NewEvent, type RecordedEvent,
} from '../../domain/ports/event-store.ts';
import type { Command, Decider, DomainEvent } from '../../domain/shared/decider.ts';
import { LedgerError } from '../../domain/shared/errors.ts';
import { eventIdFor, onceEventId } from './event-ids.ts';
import { StateCache } from './state-cache.ts';

export interface HandlerDeps {
  readonly eventStore: EventStore;
  readonly cache?: StateCache;
  readonly maxAttempts?: number;
  /** Recorded in each event's metadata.source (the role or process). */
  readonly source?: string;
}

export interface CommandResult<E extends DomainEvent> {
  readonly streamId: string;
  readonly events: readonly E[];
  readonly recorded: readonly RecordedEvent[];
  /** False when this command id had been applied before: the original events are returned. */
  readonly applied: boolean;
  readonly nextRevision: bigint | undefined;
}

export class TooMuchContention extends LedgerError {
  constructor(streamId: string, attempts: number) {
    super('COMMAND.CONTENTION', 'conflict', `stream ${streamId} kept changing; gave up after ${attempts} attempts: retry the command`, { streamId, attempts });
  }
}

export async function handleCommand<C extends Command, E extends DomainEvent, S>(
  deps: HandlerDeps,
  decider: Decider<C, E, S>,
  streamId: string,
  command: C,
  /** Passed to every append (AppendOptions.unchanged: the other streams the command was built on). */
  appendOptions?: AppendOptions,
): Promise<CommandResult<E>> {
  const cache = deps.cache ?? new StateCache();
  const attempts = deps.maxAttempts ?? 5;
  let refresh = false;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const { state, revision } = await cache.load(deps.eventStore, decider, streamId, refresh);
    const events = decider.decide(command, state);
    if (events.length === 0) return { streamId, events, recorded: [], applied: true, nextRevision: revision };
    const metadata = eventMetadataOf(command, deps.source);
    const toAppend = events.map((event, index) => envelope(command, streamId, index, event, metadata, decider.onceKey));
    try {
      const result = await deps.eventStore.append(streamId, toAppend, revision === undefined ? 'no_stream' : revision, appendOptions);
      if (!result.written) return await originalResult(deps.eventStore, cache, decider, streamId, toAppend);
      const recorded = toAppend.map((e, i) => recordedFrom(e, streamId, result.nextRevision - BigInt(toAppend.length - 1 - i)));
      cache.remember(streamId, events.reduce(decider.evolve, state), result.nextRevision, toAppend[toAppend.length - 1]!.eventId);
      return { streamId, events, recorded, applied: true, nextRevision: result.nextRevision };
    } catch (error) {
      if (error instanceof EventIdReused) return await originalResult(deps.eventStore, cache, decider, streamId, toAppend);
      if (!(error instanceof ExpectedRevisionConflict)) throw error;
      refresh = true; // another writer got there first: catch up and decide again
    }
  }
  throw new TooMuchContention(streamId, attempts);
}

/** The metadata every event of the command carries: one object for all of them (the store encodes it once). */
export function eventMetadataOf(command: Command, source?: string): EventMetadata {
  const { metadata } = command;
  return {
    commandId: metadata.commandId,
    correlationId: metadata.correlationId ?? metadata.commandId,
    causationId: metadata.commandId,
    actor: { userId: metadata.actor.userId, role: metadata.actor.role },
    ...(source ? { source } : {}),
  };
}

/** The event as appended; its id derives from the command id, or from its once-key when the decider gives one. */
export function envelope<E extends DomainEvent>(
  command: Command, streamId: string, index: number, event: E, metadata: EventMetadata, onceKey?: (event: E) => string | undefined,
): NewEvent {
  const key = onceKey?.(event);
  const eventId = key === undefined ? eventIdFor(command.metadata.commandId, streamId, index) : onceEventId(streamId, key);
  return { eventId, type: event.type, occurredAt: command.metadata.now, data: event.data as EventData, metadata };
}

/** A global position is only known after reading back; callers that need it read the stream. */
export const recordedFrom = (e: NewEvent, streamId: string, revision: bigint): RecordedEvent => ({
  eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion ?? 1, streamId, revision, globalPosition: -1n,
  occurredAt: e.occurredAt ?? new Date(), recordedAt: new Date(), data: e.data, metadata: e.metadata ?? {},
});

/**
 * The events a command recorded on a stream, oldest first (looked for among the stream's last 1,000), and
 * the stream's revision after them: what the command's first answer said.
 */
export async function commandEvents(store: EventStore, streamId: string, commandId: string | undefined): Promise<{ recorded: RecordedEvent[]; revision: bigint | undefined }> {
  const recent = await store.readStream(streamId, { direction: 'backwards', maxCount: 1_000 });
  const recorded = recent.filter((e) => e.metadata.commandId === commandId).reverse();
  return { recorded, revision: recorded.length > 0 ? recorded[recorded.length - 1]!.revision : recent[0]?.revision };
}

/**
 * The command was applied before (a retry): return what it recorded then, never apply it again. The
 * cached state may not hold those events yet: it is caught up from its revision (not dropped, which would
 * replay the whole stream on the next command).
 */
async function originalResult<E extends DomainEvent, S>(
  store: EventStore, cache: StateCache, decider: Decider<never, E, S>, streamId: string, attempted: readonly NewEvent[],
): Promise<CommandResult<E>> {
  await cache.load(store, decider, streamId, true).catch(() => cache.forget(streamId));
  const { recorded, revision } = await commandEvents(store, streamId, attempted[0]?.metadata?.commandId);
  const events = recorded.map((e) => ({ type: e.type, data: e.data }) as unknown as E);
  return { streamId, events, recorded, applied: false, nextRevision: revision };
}

// The event store port. Every adapter (PostgreSQL on pg, PostgreSQL on PGlite, EventStoreDB) implements
// it and passes the one contract suite in tests/contracts/event-store.contract.ts.
//
// Positions and revisions are bigint: EventStoreDB positions are 64-bit byte offsets and the PostgreSQL
// adapter's positions are sparse 64-bit keys, so neither fits a JS number safely.
import { LedgerError } from '../shared/errors.ts';

export type JsonValue = null | boolean | number | string | bigint | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type EventData = { readonly [key: string]: JsonValue };

export interface Actor {
  readonly userId: string;
  readonly role: string;
}

export interface EventMetadata {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly commandId?: string;
  readonly actor?: Actor;
  readonly source?: string;
  readonly [key: string]: JsonValue | Actor | undefined;
}

/** An event as a writer hands it to `append`. */
export interface NewEvent<Type extends string = string, Data extends EventData = EventData> {
  readonly eventId: string; // uuid; derived from the command id so a retried command writes nothing twice
  readonly type: Type;
  readonly schemaVersion?: number; // defaults to 1
  readonly occurredAt?: Date; // defaults to the time of the append
  readonly data: Data;
  readonly metadata?: EventMetadata;
}

/** An event as it was recorded. */
export interface RecordedEvent<Type extends string = string, Data extends EventData = EventData> {
  readonly eventId: string;
  readonly type: Type;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly revision: bigint;
  readonly globalPosition: bigint;
  readonly occurredAt: Date;
  readonly recordedAt: Date;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  readonly nextRevision: bigint;
  /** Global position of the last event of this append. */
  readonly position: bigint;
  /** False when the same event ids were already recorded at the same place (idempotent retry). */
  readonly written: boolean;
}

/** A stream an append was decided on: it must still end at `revision` (undefined: it has no events yet). */
export interface StreamUnchanged {
  readonly streamId: string;
  readonly revision: bigint | undefined;
}

/** How many other streams one append may depend on (AppendOptions.unchanged); every store refuses more. */
export const MAX_UNCHANGED_STREAMS = 16;

export interface AppendOptions {
  /**
   * Append only if each of these other streams is still where the writer read it; otherwise nothing is
   * written and the append fails with StreamsChanged. A decision taken on another stream's state (an
   * order judged on the emergency-stop streams) is so recorded only while that state holds. PostgreSQL
   * checks it in the append's own statement; see the EventStoreDB adapter for its weaker form.
   */
  readonly unchanged?: readonly StreamUnchanged[];
  /**
   * Written only once this settles: the store checks and encodes the events at once and holds them
   * until then, so a writer whose next append depends on the one in flight (a batch validated on top of
   * the batch before) hands it over early and it goes the moment its turn comes. If it rejects, nothing
   * is written and the append rejects with its error.
   */
  readonly after?: Promise<unknown>;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive start revision; defaults to the start (forwards) or the end (backwards). */
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
}

/** One stream of a `readStreams` call: its events forwards from `fromRevision` (inclusive, default 0). */
export interface StreamRead {
  readonly streamId: string;
  readonly fromRevision?: bigint;
}

export interface EventFilter {
  readonly streamPrefix?: string;
  readonly eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omit to read from the start. */
  readonly after?: bigint;
  readonly filter?: EventFilter;
  readonly maxCount?: number;
}

export interface ReadAllPage {
  readonly events: readonly RecordedEvent[];
  /**
   * The position up to which the log was examined, matching or not. Resume from here so a rarely
   * matching filter does not rescan the same stretch. Equals `after` when nothing new was visible.
   */
  readonly checkpoint: bigint | undefined;
  /** True when the page stopped at maxCount: there may be more right away. */
  readonly hasMore: boolean;
}

export interface SubscribeOptions {
  /** Exclusive: deliver events after this position (the last one the consumer handled). */
  readonly after?: bigint;
  readonly filter?: EventFilter;
  /** Events read per round trip during catch-up. */
  readonly batchSize?: number;
  /**
   * How long this subscriber may leave appends of market data only (ticks, signals) unread to read several
   * together, where the adapter coalesces its wake-ups (PostgreSQL / PGlite, in process); the adapter's
   * default when unset. Orders, fills and stops wake it at once whatever this says.
   */
  readonly marketDataEveryMs?: number;
}

/** Catch-up then live. Pull-based: the next page is read only when the consumer asks for more. */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  /** Ends the iteration; pending `next()` calls resolve as done. */
  close(): Promise<void>;
}

export interface EventStore {
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, options?: AppendOptions): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * Several streams forwards at once (one round trip where the backend allows): each stream's events
   * from its `fromRevision`, up to `maxCountPerStream` (default 10,000) each. Missing streams map to [].
   */
  readStreams(reads: readonly StreamRead[], options?: { readonly maxCountPerStream?: number }): Promise<Map<string, RecordedEvent[]>>;
  readAll(options?: ReadAllOptions): Promise<ReadAllPage>;
  /**
   * Optional: the events of one stream that place or move this order (data.orderId; the account stream's
   * order lifecycle events), oldest first, found by an index instead of a scan. A finished order is not
   * kept in the account's state; this is where it is read back from. Stores without such an index leave
   * it out and callers scan the stream backwards (commands/trading/recorded-orders.ts).
   */
  readOrderEvents?(streamId: string, orderId: string): Promise<RecordedEvent[]>;
  subscribe(options?: SubscribeOptions): Subscription;
  /** The position of the newest event visible to readers, or undefined for an empty store. */
  headPosition(): Promise<bigint | undefined>;
  close(): Promise<void>;
}

/** The stream was not at the revision the writer expected. Reload and decide again. */
export class ExpectedRevisionConflict extends LedgerError {
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  /** The stream's actual last revision; undefined when the stream does not exist. */
  readonly actual: bigint | undefined;

  constructor(streamId: string, expected: ExpectedRevision, actual: bigint | undefined, options?: { cause?: unknown }) {
    super(
      'EVENT_STORE.EXPECTED_REVISION_CONFLICT',
      'conflict',
      `stream ${streamId}: expected revision ${String(expected)}, actual ${actual === undefined ? 'no stream' : String(actual)}`,
      { streamId, expected: String(expected), actual: actual === undefined ? null : String(actual) },
      options,
    );
    this.streamId = streamId;
    this.expected = expected;
    this.actual = actual;
  }
}

/** A stream the append was decided on (AppendOptions.unchanged) has moved on: read it again and decide again. */
export class StreamsChanged extends LedgerError {
  readonly streamId: string;
  /** The streams that moved. */
  readonly changed: readonly string[];

  constructor(streamId: string, changed: readonly string[]) {
    super('EVENT_STORE.STREAMS_CHANGED', 'conflict', `stream ${streamId}: not appended, the streams it was decided on changed: ${changed.join(', ')}`, {
      streamId,
      changed: [...changed],
    });
    this.streamId = streamId;
    this.changed = changed;
  }
}

/** Some of the event ids were recorded before, but not as the same append: a reused id, not a retry. */
export class EventIdReused extends LedgerError {
  constructor(streamId: string, eventIds: readonly string[]) {
    super('EVENT_STORE.EVENT_ID_REUSED', 'conflict', `stream ${streamId}: event ids already recorded elsewhere: ${eventIds.join(', ')}`, { streamId, eventIds: [...eventIds] });
  }
}

/** The backend could not be reached or failed; the append may be retried with the same event ids. */
export class EventStoreUnavailable extends LedgerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EVENT_STORE.UNAVAILABLE', 'unavailable', message, {}, options);
  }
}

// The event store port on EventStoreDB / KurrentDB through @eventstore/db-client. Thin on purpose:
// EventStoreDB already does optimistic concurrency, idempotent appends and catch-up subscriptions; this
// adapter maps shapes (eventstoredb-mapping.ts), translates driver errors and pages $all.
//
// Known differences from the PostgreSQL adapter, all forced by the server or the v6 client:
// - `written: false` on an idempotent retry is detected by comparing the append's position with the
//   head of the log read just before it (EventStoreDB answers a repeat exactly like a fresh write). Two
//   identical appends racing each other may both report `written: true`; only one is stored.
// - Reused event ids are caught only within the same stream and revision window (EventStoreDB reports
//   a partial repeat as a wrong expected version); ids reused in another stream are not detected.
// - The v6 client cannot filter readAll on the server, so readAll filters each page client-side and
//   scans at most SCAN_WINDOWS windows per call; the checkpoint still moves past what it examined.
//   Subscriptions filter on the server.
// - AppendOptions.unchanged is checked by reading those streams just before the append, not atomically
//   with it (an append transaction spans one stream).
import { BACKWARDS, END, EventStoreDBClient, FORWARDS, START, StreamNotFoundError } from '@eventstore/db-client';
import type { AllStreamResolvedEvent, AppendResult as EsdbAppendResult, ReadPosition } from '@eventstore/db-client';
import { LedgerError, ValidationError } from '../../domain/shared/errors.ts';
import { StreamsChanged } from '../../domain/ports/event-store.ts';
import type {
  AppendOptions,
  AppendResult,
  EventFilter,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
  StreamRead,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../../domain/ports/event-store.ts';
import { MAX_PAGE, validateAppend, validateReadAll, validateReadStream, validateReadStreams, validateStreamId } from './validation.ts';
import {
  fromEsdbEvent,
  isSystemRecord,
  matchesFilter,
  toEsdbEvent,
  toEsdbExpectedRevision,
  toEsdbFilter,
  toEsdbPosition,
  translateEsdbError,
} from './eventstoredb-mapping.ts';
import { EventStoreDbSubscription } from './eventstoredb-subscription.ts';

export interface EventStoreDbOptions {
  /**
   * Prepended to every stream id on the server; reads, subscriptions and headPosition see only streams
   * under it. Lets several environments (or test runs) share one EventStoreDB. Empty by default.
   */
  readonly streamNamespace?: string;
}

const DEFAULT_PAGE = 1_000;
// A filtered readAll examines at most SCAN_WINDOWS raw windows per call (16k records at the smallest
// window), so a rare filter over a long log returns a short page with hasMore instead of stalling.
const MIN_SCAN_WINDOW = 1_000;
const SCAN_WINDOWS = 16;
const HEAD_SCAN_PAGE = 500;
const DEFAULT_SUBSCRIPTION_BATCH = 256;

interface RawWindow {
  readonly records: readonly AllStreamResolvedEvent[];
  readonly atEnd: boolean;
}

export class EventStoreDbEventStore implements EventStore {
  readonly #client: EventStoreDBClient;
  readonly #namespace: string;
  readonly #subscriptions = new Set<EventStoreDbSubscription>();

  constructor(client: EventStoreDBClient, options: EventStoreDbOptions = {}) {
    this.#client = client;
    this.#namespace = options.streamNamespace ?? '';
    if (this.#namespace !== '') validateStreamId(this.#namespace);
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, options: AppendOptions = {}): Promise<AppendResult> {
    validateAppend(streamId, events, expected, { unchanged: options.unchanged });
    if (options.after !== undefined) await options.after;
    // EventStoreDB checks one stream per append: the streams it depends on are read just before, so a
    // change that lands between that read and the append is not caught (the stop sweep covers orders).
    const changed: string[] = [];
    for (const { streamId: other, revision } of options.unchanged ?? []) {
      const [last] = await this.readStream(other, { direction: 'backwards', maxCount: 1 });
      if (last?.revision !== revision) changed.push(other);
    }
    if (changed.length > 0) throw new StreamsChanged(streamId, changed);
    const stream = this.#namespace + streamId;
    const appendedAt = new Date();
    let result: EsdbAppendResult;
    let headBefore: bigint;
    try {
      headBefore = await this.#rawHead();
      result = await this.#client.appendToStream(stream, events.map((event) => toEsdbEvent(event, appendedAt)), {
        expectedRevision: toEsdbExpectedRevision(expected),
      });
    } catch (error) {
      throw translateEsdbError(error, { streamId, expected });
    }
    // The reply's position is not documented as the last event's, so read that event's own position.
    const position = (await this.#positionAt(stream, result.nextExpectedRevision)) ?? result.position?.commit;
    if (position === undefined) {
      throw new LedgerError('EVENT_STORE.NO_POSITION', 'internal', `EventStoreDB reported no position for the append to ${streamId}`);
    }
    // Servers before 22.x send no position at all for an idempotent repeat.
    const written = result.position !== undefined && position > headBefore;
    return { nextRevision: result.nextExpectedRevision, position, written };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    validateReadStream(streamId, options);
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    const events: RecordedEvent[] = [];
    try {
      const reading = this.#client.readStream(this.#namespace + streamId, {
        direction: forwards ? FORWARDS : BACKWARDS,
        fromRevision: options.fromRevision ?? (forwards ? START : END),
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      });
      for await (const resolved of reading) {
        const event = resolved.event && fromEsdbEvent(resolved.event, this.#namespace, resolved.commitPosition);
        if (event !== undefined) events.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw translateEsdbError(error);
    }
    return events;
  }

  async readStreams(reads: readonly StreamRead[], options: { readonly maxCountPerStream?: number } = {}): Promise<Map<string, RecordedEvent[]>> {
    validateReadStreams(reads, options.maxCountPerStream);
    // EventStoreDB reads one stream per call; the calls go out together.
    const maxCount = options.maxCountPerStream ?? MAX_PAGE;
    const results = await Promise.all(reads.map((r) => this.readStream(r.streamId, { fromRevision: r.fromRevision ?? 0n, maxCount })));
    return new Map(reads.map((r, i) => [r.streamId, results[i]!]));
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllPage> {
    validateReadAll(options);
    const pageSize = options.maxCount ?? DEFAULT_PAGE;
    const window = Math.min(Math.max(pageSize, MIN_SCAN_WINDOW), MAX_PAGE);
    const events: RecordedEvent[] = [];
    let checkpoint = options.after;
    for (let scanned = 0; scanned < SCAN_WINDOWS; scanned += 1) {
      const { records, atEnd } = await this.#readWindow(checkpoint, window);
      for (const record of records) {
        checkpoint = record.event?.position.commit ?? record.commitPosition ?? checkpoint;
        const event = this.#toOurs(record, options.filter);
        if (event !== undefined) events.push(event);
        if (events.length === pageSize) return { events, checkpoint, hasMore: true };
      }
      if (atEnd) return { events, checkpoint, hasMore: false };
    }
    return { events, checkpoint, hasMore: true };
  }

  subscribe(options: SubscribeOptions = {}): Subscription {
    validateReadAll({ after: options.after, filter: options.filter });
    const batchSize = options.batchSize ?? DEFAULT_SUBSCRIPTION_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_PAGE) {
      throw new ValidationError('EVENT_STORE.INVALID_BATCH_SIZE', `batchSize must be an integer from 1 to ${MAX_PAGE}`);
    }
    const filter = toEsdbFilter(this.#namespace, options.filter);
    const subscription = new EventStoreDbSubscription(
      {
        open: (after) => this.#client.subscribeToAll({ fromPosition: this.#fromPosition(after), filter }, { highWaterMark: batchSize }),
        toEvent: (resolved) => this.#toOurs(resolved, options.filter),
      },
      options.after,
      (closed) => this.#subscriptions.delete(closed),
    );
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint | undefined> {
    // The newest of our events: system records ($stats and the like) keep arriving on an idle server.
    let from: ReadPosition = END;
    for (;;) {
      const records = await this.#collect(this.#client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: HEAD_SCAN_PAGE }));
      const newest = records.find((record) => this.#isOurs(record));
      if (newest?.event !== undefined) return newest.event.position.commit;
      const oldest = records.at(-1)?.event?.position;
      if (records.length < HEAD_SCAN_PAGE || oldest === undefined) return undefined;
      from = oldest;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    await this.#client.dispose();
  }

  #isOurs(resolved: AllStreamResolvedEvent, filter?: EventFilter): boolean {
    const record = resolved.event;
    if (record === undefined || isSystemRecord(record.streamId, record.type) || !record.streamId.startsWith(this.#namespace)) return false;
    return matchesFilter({ streamId: record.streamId.slice(this.#namespace.length), type: record.type }, filter);
  }

  /** Decodes only what passes the filter, so foreign or unwanted payloads are never parsed. */
  #toOurs(resolved: AllStreamResolvedEvent, filter?: EventFilter): RecordedEvent | undefined {
    if (!this.#isOurs(resolved, filter)) return undefined;
    return resolved.event && fromEsdbEvent(resolved.event, this.#namespace, resolved.commitPosition);
  }

  #fromPosition(after: bigint | undefined): ReadPosition {
    return after === undefined ? START : toEsdbPosition(after);
  }

  /** Raw $all records strictly after `after`; a forwards read from a position includes that position. */
  async #readWindow(after: bigint | undefined, size: number): Promise<RawWindow> {
    const records = await this.#collect(this.#client.readAll({ direction: FORWARDS, fromPosition: this.#fromPosition(after), maxCount: size }));
    const fresh = records.filter((record) => after === undefined || (record.event?.position.commit ?? record.commitPosition ?? after) > after);
    return { records: fresh, atEnd: records.length < size };
  }

  async #collect(reading: AsyncIterable<AllStreamResolvedEvent>): Promise<AllStreamResolvedEvent[]> {
    const records: AllStreamResolvedEvent[] = [];
    try {
      for await (const record of reading) records.push(record);
    } catch (error) {
      throw translateEsdbError(error);
    }
    return records;
  }

  /** Commit position of the record at the head of the whole log, system records included; -1 when empty. */
  async #rawHead(): Promise<bigint> {
    const [newest] = await this.#collect(this.#client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
    return newest?.event?.position.commit ?? newest?.commitPosition ?? -1n;
  }

  async #positionAt(stream: string, revision: bigint): Promise<bigint | undefined> {
    try {
      for await (const resolved of this.#client.readStream(stream, { fromRevision: revision, maxCount: 1 })) {
        return resolved.event?.position?.commit ?? resolved.commitPosition;
      }
    } catch (error) {
      throw translateEsdbError(error);
    }
    return undefined;
  }
}

/** An EventStore on the EventStoreDB / KurrentDB at `connectionString` (esdb://host:2113?tls=false). */
export function createEventStoreDbEventStore(connectionString: string, options: EventStoreDbOptions = {}): EventStore {
  let client: EventStoreDBClient;
  try {
    client = EventStoreDBClient.connectionString(connectionString);
  } catch (error) {
    throw new ValidationError('EVENT_STORE.INVALID_CONNECTION_STRING', `EVENTSTORE_URL is not an EventStoreDB connection string: ${String(error)}`, {}, { cause: error });
  }
  return new EventStoreDbEventStore(client, options);
}

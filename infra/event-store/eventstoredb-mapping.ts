// Pure translation between the event store port and @eventstore/db-client: expected revisions, event
// payloads and metadata, positions, filters and driver errors. No I/O here, so all of it is unit-tested
// without a server.
//
// Positions: EventStoreDB addresses $all by {commit, prepare}. Every event appended through the gRPC
// API is committed by itself, so its commit position equals its prepare position and is unique; we
// expose the commit position as `globalPosition` and resume from {commit: p, prepare: p}. (Only legacy
// TCP-era explicit transactions share one commit position across events; nothing here writes them.)
import {
  ANY,
  CancelledError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  STREAM_EXISTS,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
} from '@eventstore/db-client';
import type {
  AppendExpectedRevision,
  CurrentRevision,
  EventData as EsdbEventData,
  Filter,
  JSONType,
  Position,
  RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import { LedgerError, ValidationError } from '../../domain/shared/errors.ts';
import {
  EventStoreUnavailable,
  ExpectedRevisionConflict,
} from '../../domain/ports/event-store.ts';
import type {
  EventFilter,
  EventMetadata,
  ExpectedRevision,
  JsonValue,
  NewEvent,
  RecordedEvent,
} from '../../domain/ports/event-store.ts';
import { decodeJson, encodeJson } from './codec.ts';

/** Metadata keys we add next to the writer's metadata; stripped again on read. */
export const SCHEMA_VERSION_KEY = '$schemaVersion';
export const OCCURRED_AT_KEY = '$occurredAt';

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return expected;
  }
}

export const toEsdbPosition = (position: bigint): Position => ({ commit: position, prepare: position });

// The driver JSON.stringifies `data` and `metadata` itself, so we hand it the parse of our bigint-safe
// encoding: the bytes it stores are exactly encodeJson's output, and the event stays marked as JSON for
// EventStoreDB's UI and projections.
const toWireJson = (value: unknown): JSONType => JSON.parse(encodeJson(value)) as JSONType;

function fromWireJson(value: unknown): JsonValue {
  if (value instanceof Uint8Array) return decodeJson(new TextDecoder().decode(value));
  return decodeJson(JSON.stringify(value));
}

export function toEsdbEvent(event: NewEvent, appendedAt: Date): EsdbEventData {
  const metadata = {
    ...event.metadata,
    [SCHEMA_VERSION_KEY]: event.schemaVersion ?? 1,
    [OCCURRED_AT_KEY]: (event.occurredAt ?? appendedAt).toISOString(),
  };
  return jsonEvent({ id: event.eventId, type: event.type, data: toWireJson(event.data), metadata: toWireJson(metadata) });
}

const isPlainObject = (value: unknown): value is Record<string, JsonValue> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export interface DecodedMetadata {
  readonly metadata: EventMetadata;
  readonly schemaVersion: number;
  readonly occurredAt: Date | undefined;
}

export function decodeEsdbMetadata(raw: unknown): DecodedMetadata {
  const decoded = raw === undefined ? {} : fromWireJson(raw);
  if (!isPlainObject(decoded)) return { metadata: {}, schemaVersion: 1, occurredAt: undefined };
  const { [SCHEMA_VERSION_KEY]: schemaVersion, [OCCURRED_AT_KEY]: occurredAt, ...metadata } = decoded;
  const at = typeof occurredAt === 'string' ? new Date(occurredAt) : undefined;
  return {
    metadata,
    schemaVersion: typeof schemaVersion === 'number' && Number.isInteger(schemaVersion) ? schemaVersion : 1,
    occurredAt: at !== undefined && !Number.isNaN(at.getTime()) ? at : undefined,
  };
}

/** System records ($stats, $> links, $metadata, projection output) never reach our readers. */
export const isSystemRecord = (streamId: string, type: string): boolean => streamId.startsWith('$') || type.startsWith('$');

/**
 * Maps a driver record to ours, or undefined when it is a system record or lies outside the store's
 * stream namespace. `fallbackPosition` covers servers that report the position only on the envelope.
 */
export function fromEsdbEvent(record: EsdbRecordedEvent, namespace: string, fallbackPosition?: bigint): RecordedEvent | undefined {
  if (isSystemRecord(record.streamId, record.type) || !record.streamId.startsWith(namespace)) return undefined;
  const globalPosition = record.position?.commit ?? fallbackPosition;
  if (globalPosition === undefined) {
    throw new LedgerError('EVENT_STORE.NO_POSITION', 'internal', `EventStoreDB reported no position for event ${record.id}; the adapter needs a server from 22.6 on`);
  }
  const data = fromWireJson(record.data);
  if (!isPlainObject(data)) {
    throw new LedgerError('EVENT_STORE.UNDECODABLE_EVENT', 'internal', `event ${record.id} in ${record.streamId} has data that is not a JSON object`);
  }
  const { metadata, schemaVersion, occurredAt } = decodeEsdbMetadata(record.metadata);
  return {
    eventId: record.id,
    type: record.type,
    schemaVersion,
    streamId: record.streamId.slice(namespace.length),
    revision: record.revision,
    globalPosition,
    occurredAt: occurredAt ?? record.created,
    recordedAt: record.created,
    data,
    metadata,
  };
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The server-side part of a filter. EventStoreDB filters on stream name or on event type, not both:
 * the stream prefix (namespace plus the caller's prefix) wins, and `matchesFilter` checks the rest.
 */
export function toEsdbFilter(namespace: string, filter: EventFilter = {}): Filter {
  const prefix = namespace + (filter.streamPrefix ?? '');
  if (prefix !== '') return streamNameFilter({ prefixes: [prefix] });
  if (filter.eventTypes !== undefined) {
    // Exact names, not prefixes; an empty list matches nothing, like the other adapters.
    const names = filter.eventTypes.map(escapeRegex).join('|');
    return eventTypeFilter({ regex: filter.eventTypes.length === 0 ? '^(?!)' : `^(?:${names})$` });
  }
  return excludeSystemEvents();
}

/** The whole filter, applied to a mapped event (stream id already without the namespace). */
export function matchesFilter(event: Pick<RecordedEvent, 'streamId' | 'type'>, filter: EventFilter = {}): boolean {
  if (filter.streamPrefix !== undefined && !event.streamId.startsWith(filter.streamPrefix)) return false;
  return filter.eventTypes === undefined || filter.eventTypes.includes(event.type);
}

const RESUBSCRIBE_BASE_MS = 100;
export const RESUBSCRIBE_CAP_MS = 5_000;

/** Wait before resubscription attempt `attempt` (0-based): doubling from 100 ms, capped at 5 s. */
export const resubscribeDelayMs = (attempt: number): number => Math.min(RESUBSCRIBE_CAP_MS, RESUBSCRIBE_BASE_MS * 2 ** Math.min(attempt, 16));

const actualRevision = (current: CurrentRevision): bigint | undefined =>
  typeof current === 'bigint' && current >= 0n ? current : undefined;

const TRANSIENT_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);
// gRPC status codes: 1 CANCELLED, 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE.
const TRANSIENT_GRPC_CODES = new Set([1, 4, 14]);

/** True for failures a retry may cure: the server is unreachable, slow, or not the leader. */
export function isTransientEsdbError(error: unknown): boolean {
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof NotLeaderError ||
    error instanceof CancelledError
  ) return true;
  if (error === null || typeof error !== 'object') return false;
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'number' && TRANSIENT_GRPC_CODES.has(code)) || (typeof code === 'string' && TRANSIENT_SOCKET_CODES.has(code));
}

/**
 * Driver errors become ours at the boundary. `streamId` and `expected` are the caller's, so a conflict
 * names the stream as the caller knows it (without the namespace).
 */
export function translateEsdbError(error: unknown, append?: { streamId: string; expected: ExpectedRevision }): Error {
  if (error instanceof LedgerError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof WrongExpectedVersionError && append !== undefined) {
    return new ExpectedRevisionConflict(append.streamId, append.expected, actualRevision(error.actualVersion), { cause: error });
  }
  if (error instanceof MaxAppendSizeExceededError) {
    return new ValidationError('EVENT_STORE.APPEND_TOO_LARGE', `the append exceeds EventStoreDB's maximum append size: ${message}`, {}, { cause: error });
  }
  if (isTransientEsdbError(error)) return new EventStoreUnavailable(`EventStoreDB is unavailable: ${message}`, { cause: error });
  return new LedgerError('EVENT_STORE.BACKEND_FAILED', 'internal', `EventStoreDB failed: ${message}`, {}, { cause: error });
}

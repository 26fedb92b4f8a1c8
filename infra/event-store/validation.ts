// Input checks every adapter runs before touching its backend, so bad input is refused the same way
// everywhere and nothing is written.
import { ValidationError } from '../../domain/shared/errors.ts';
import { MAX_UNCHANGED_STREAMS, type ExpectedRevision, type NewEvent, type ReadAllOptions, type ReadStreamOptions, type StreamRead } from '../../domain/ports/event-store.ts';
import { assertSerializable } from './codec.ts';

export const MAX_STREAM_ID_LENGTH = 200;
export const MAX_EVENT_TYPE_LENGTH = 200;
export const MAX_EVENTS_PER_APPEND = 10_000;
export const MAX_PAGE = 10_000;
/** 8-4-4-4-12 hex digits (either case), checked by hand: it runs for every event appended. */
function isUuid(text: string): boolean {
  if (text.length !== 36) return false;
  for (let i = 0; i < 36; i += 1) {
    const code = text.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 45) return false;
    } else if (!((code >= 48 && code <= 57) || (code >= 97 && code <= 102) || (code >= 65 && code <= 70))) return false;
  }
  return true;
}
// Printable characters only: no control characters, no whitespace at the ends.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

const invalid = (code: string, message: string, details: Record<string, unknown> = {}) => new ValidationError(code, message, details);

export function validateStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.length === 0) throw invalid('EVENT_STORE.INVALID_STREAM_ID', 'stream id must be a non-empty string');
  if (streamId.length > MAX_STREAM_ID_LENGTH) {
    throw invalid('EVENT_STORE.INVALID_STREAM_ID', `stream id is ${streamId.length} characters; the maximum is ${MAX_STREAM_ID_LENGTH}`, { length: streamId.length });
  }
  if (CONTROL.test(streamId) || streamId.trim() !== streamId || streamId.startsWith('$')) {
    throw invalid('EVENT_STORE.INVALID_STREAM_ID', 'stream id must not contain control characters, surrounding spaces or start with $', { streamId });
  }
}

export function validateExpected(expected: unknown): asserts expected is ExpectedRevision {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected === 'bigint' && expected >= 0n) return;
  throw invalid('EVENT_STORE.INVALID_EXPECTED_REVISION', `expected revision must be 'any', 'no_stream', 'stream_exists' or a revision >= 0, got ${String(expected)}`);
}

/**
 * `payloads: false` skips the deep payload walk for an adapter that encodes with encodeCheckedJson
 * (which checks the same things while it encodes) before any I/O.
 */

export function validateAppend(
  streamId: unknown, events: unknown, expected: unknown, options: { payloads?: boolean; unchanged?: unknown } = {},
): asserts events is readonly NewEvent[] {
  const checkPayloads = options.payloads !== false;
  validateStreamId(streamId);
  validateExpected(expected);
  if (options.unchanged !== undefined) validateUnchanged(streamId, options.unchanged);
  if (!Array.isArray(events) || events.length === 0) throw invalid('EVENT_STORE.NO_EVENTS', 'append needs at least one event');
  if (events.length > MAX_EVENTS_PER_APPEND) throw invalid('EVENT_STORE.TOO_MANY_EVENTS', `at most ${MAX_EVENTS_PER_APPEND} events per append`, { count: events.length });
  const ids = new Set<string>();
  let typeChecked: string | undefined; // the events of one append mostly share a type: checked once
  events.forEach((event: unknown, index) => {
    if (event === null || typeof event !== 'object') throw invalid('EVENT_STORE.INVALID_EVENT', `event ${index} is not an object`, { index });
    const e = event as Record<string, unknown>;
    if (typeof e.type !== 'string' || e.type !== typeChecked) {
      if (typeof e.type !== 'string' || e.type.length === 0) throw invalid('EVENT_STORE.MISSING_EVENT_TYPE', `event ${index} has no type`, { index });
      if (e.type.length > MAX_EVENT_TYPE_LENGTH || CONTROL.test(e.type)) throw invalid('EVENT_STORE.INVALID_EVENT_TYPE', `event ${index} has an invalid type`, { index });
      typeChecked = e.type;
    }
    if (typeof e.eventId !== 'string' || !isUuid(e.eventId)) throw invalid('EVENT_STORE.INVALID_EVENT_ID', `event ${index} needs a uuid eventId`, { index });
    const id = e.eventId.toLowerCase();
    if (ids.has(id)) throw invalid('EVENT_STORE.DUPLICATE_EVENT_ID', `event ${index} repeats event id ${id} within one append`, { index });
    ids.add(id);
    if (e.schemaVersion !== undefined && (!Number.isInteger(e.schemaVersion) || (e.schemaVersion as number) < 1 || (e.schemaVersion as number) > 32_767)) {
      throw invalid('EVENT_STORE.INVALID_SCHEMA_VERSION', `event ${index} schemaVersion must be an integer from 1`, { index });
    }
    if (e.occurredAt !== undefined && !(e.occurredAt instanceof Date && !Number.isNaN(e.occurredAt.getTime()))) {
      throw invalid('EVENT_STORE.INVALID_OCCURRED_AT', `event ${index} occurredAt must be a valid Date`, { index });
    }
    if (e.data === null || typeof e.data !== 'object' || Array.isArray(e.data)) throw invalid('EVENT_STORE.INVALID_EVENT_DATA', `event ${index} data must be an object`, { index });
    if (checkPayloads) assertSerializable(e.data, `events[${index}].data`);
    if (e.metadata !== undefined) {
      if (e.metadata === null || typeof e.metadata !== 'object' || Array.isArray(e.metadata)) throw invalid('EVENT_STORE.INVALID_METADATA', `event ${index} metadata must be an object`, { index });
      if (checkPayloads) assertSerializable(e.metadata, `events[${index}].metadata`);
    }
  });
}

function validateUnchanged(streamId: string, unchanged: unknown): void {
  if (!Array.isArray(unchanged)) throw invalid('EVENT_STORE.INVALID_UNCHANGED', 'unchanged must be a list of { streamId, revision }');
  if (unchanged.length > MAX_UNCHANGED_STREAMS) throw invalid('EVENT_STORE.INVALID_UNCHANGED', `an append may depend on at most ${MAX_UNCHANGED_STREAMS} other streams`, { count: unchanged.length });
  const seen = new Set<string>();
  unchanged.forEach((entry: unknown, index) => {
    const e = entry as { streamId?: unknown; revision?: unknown } | null;
    if (e === null || typeof e !== 'object') throw invalid('EVENT_STORE.INVALID_UNCHANGED', `unchanged[${index}] is not an object`, { index });
    validateStreamId(e.streamId);
    if (e.revision !== undefined && (typeof e.revision !== 'bigint' || e.revision < 0n)) {
      throw invalid('EVENT_STORE.INVALID_UNCHANGED', `unchanged[${index}].revision must be a bigint >= 0 or undefined (no events yet)`, { index });
    }
    if (e.streamId === streamId) throw invalid('EVENT_STORE.INVALID_UNCHANGED', `unchanged[${index}] names the stream appended to: that is what the expected revision is for`, { index });
    if (seen.has(e.streamId)) throw invalid('EVENT_STORE.INVALID_UNCHANGED', `unchanged[${index}] repeats stream ${String(e.streamId)}`, { index });
    seen.add(e.streamId);
  });
}

export function validateReadStream(streamId: unknown, options: ReadStreamOptions = {}): void {
  validateStreamId(streamId);
  if (options.fromRevision !== undefined && (typeof options.fromRevision !== 'bigint' || options.fromRevision < 0n)) {
    throw invalid('EVENT_STORE.INVALID_REVISION', 'fromRevision must be a bigint >= 0');
  }
  validateMaxCount(options.maxCount);
  if (options.direction !== undefined && options.direction !== 'forwards' && options.direction !== 'backwards') {
    throw invalid('EVENT_STORE.INVALID_DIRECTION', "direction must be 'forwards' or 'backwards'");
  }
}

export const MAX_STREAMS_PER_READ = 1_000;

export function validateReadStreams(reads: unknown, maxCountPerStream: unknown): asserts reads is readonly StreamRead[] {
  if (!Array.isArray(reads)) throw invalid('EVENT_STORE.INVALID_READ', 'readStreams needs an array of { streamId, fromRevision }');
  if (reads.length > MAX_STREAMS_PER_READ) throw invalid('EVENT_STORE.TOO_MANY_STREAMS', `at most ${MAX_STREAMS_PER_READ} streams per read`, { count: reads.length });
  const seen = new Set<string>();
  reads.forEach((read: unknown, index) => {
    if (read === null || typeof read !== 'object') throw invalid('EVENT_STORE.INVALID_READ', `read ${index} is not an object`, { index });
    const { streamId, fromRevision } = read as Record<string, unknown>;
    validateReadStream(streamId, fromRevision === undefined ? {} : { fromRevision: fromRevision as bigint });
    if (seen.has(streamId as string)) throw invalid('EVENT_STORE.DUPLICATE_STREAM', `stream ${String(streamId)} is read twice in one call`, { index });
    seen.add(streamId as string);
  });
  validateMaxCount(maxCountPerStream);
}

export function validateReadAll(options: ReadAllOptions = {}): void {
  if (options.after !== undefined && (typeof options.after !== 'bigint' || options.after < 0n)) {
    throw invalid('EVENT_STORE.INVALID_POSITION', 'after must be a bigint position >= 0');
  }
  validateMaxCount(options.maxCount);
  const filter = options.filter;
  if (filter?.streamPrefix !== undefined && (typeof filter.streamPrefix !== 'string' || filter.streamPrefix.length > MAX_STREAM_ID_LENGTH)) {
    throw invalid('EVENT_STORE.INVALID_FILTER', 'streamPrefix must be a string of at most 200 characters');
  }
  if (filter?.eventTypes !== undefined && (!Array.isArray(filter.eventTypes) || filter.eventTypes.some((t) => typeof t !== 'string'))) {
    throw invalid('EVENT_STORE.INVALID_FILTER', 'eventTypes must be an array of strings');
  }
}

function validateMaxCount(maxCount: unknown): void {
  if (maxCount === undefined) return;
  if (!Number.isInteger(maxCount) || (maxCount as number) < 1 || (maxCount as number) > MAX_PAGE) {
    throw invalid('EVENT_STORE.INVALID_MAX_COUNT', `maxCount must be an integer from 1 to ${MAX_PAGE}`);
  }
}

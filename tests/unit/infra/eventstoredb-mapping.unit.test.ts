// The EventStoreDB adapter's translation layer, exercised without a server: what the driver receives for
// our events, what we make of what it hands back, how its errors surface, and how a subscription
// survives a dropped connection. The live contract runs in tests/integration/infra/eventstoredb.int.test.ts.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  DeadlineExceededError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { AllStreamResolvedEvent, AllStreamSubscription, CurrentRevision, RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import { EventStoreUnavailable, ExpectedRevisionConflict } from '../../../domain/ports/event-store.ts';
import type { NewEvent, RecordedEvent } from '../../../domain/ports/event-store.ts';
import { LedgerError, ValidationError } from '../../../domain/shared/errors.ts';
import {
  fromEsdbEvent,
  matchesFilter,
  resubscribeDelayMs,
  toEsdbEvent,
  toEsdbExpectedRevision,
  toEsdbFilter,
  translateEsdbError,
} from '../../../infra/event-store/eventstoredb-mapping.ts';
import { EventStoreDbSubscription } from '../../../infra/event-store/eventstoredb-subscription.ts';
import { createEventStoreDbEventStore } from '../../../infra/event-store/eventstoredb.ts';

const orderPlaced: NewEvent = {
  eventId: '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
  type: 'OrderPlaced',
  schemaVersion: 3,
  occurredAt: new Date('2024-03-01T09:30:00.125Z'),
  data: { orderId: 'o-1', priceUnits: 235_012n, quantitySteps: 10, note: 'ทองคำ 金 🪙', legs: [{ notionalMinor: 12_345_678_901_234_567_890n }] },
  metadata: { correlationId: 'c-1', commandId: 'cmd-1', actor: { userId: 'u-7', role: 'trader' } },
};

/** What the driver hands back for an event it stored: it JSON-stringifies on write and parses on read. */
function asStoredByDriver(event: NewEvent, streamId: string, commit: bigint, appendedAt = new Date()): EsdbRecordedEvent {
  const sent = toEsdbEvent(event, appendedAt);
  return {
    streamId,
    id: sent.id,
    isJson: true,
    revision: 0n,
    type: sent.type,
    created: new Date('2024-03-01T09:30:01Z'),
    data: JSON.parse(JSON.stringify(sent.data)) as Record<string, unknown>,
    metadata: JSON.parse(JSON.stringify(sent.metadata)) as Record<string, unknown>,
    position: { commit, prepare: commit },
  };
}

function wrongExpectedVersion(current: CurrentRevision): WrongExpectedVersionError {
  // The driver builds this error from gRPC trailers; its second constructor form takes the versions.
  const Ctor = WrongExpectedVersionError as unknown as new (raw: undefined, versions: { streamName: string; expected: unknown; current: CurrentRevision }) => WrongExpectedVersionError;
  return new Ctor(undefined, { streamName: 'account-1', expected: 4n, current });
}

describe('expected revision sent to EventStoreDB', () => {
  it.each([
    ['any', 'any'],
    ['no_stream', 'no_stream'],
    ['stream_exists', 'stream_exists'],
    [7n, 7n],
    [0n, 0n],
  ] as const)('%s becomes %s', (ours, theirs) => {
    expect(toEsdbExpectedRevision(ours)).toBe(theirs);
  });
});

describe('event payload and metadata round trip through the driver', () => {
  it('keeps data exactly, bigints and unicode included, and marks it as JSON', () => {
    const sent = toEsdbEvent(orderPlaced, new Date());
    expect(sent.contentType).toBe('application/json');
    expect(sent.id).toBe(orderPlaced.eventId);
    const read = fromEsdbEvent(asStoredByDriver(orderPlaced, 'account-1', 42n), '');
    expect(read?.data).toEqual(orderPlaced.data);
    expect(read?.globalPosition).toBe(42n);
    expect(read?.streamId).toBe('account-1');
  });

  it('records schema version and occurredAt in the metadata and strips them on read', () => {
    const sent = toEsdbEvent(orderPlaced, new Date());
    expect(sent.metadata).toMatchObject({ $schemaVersion: 3, $occurredAt: '2024-03-01T09:30:00.125Z' });
    const read = fromEsdbEvent(asStoredByDriver(orderPlaced, 'account-1', 1n), '');
    expect(read?.metadata).toEqual(orderPlaced.metadata);
    expect(read?.schemaVersion).toBe(3);
    expect(read?.occurredAt.toISOString()).toBe('2024-03-01T09:30:00.125Z');
    expect(read?.recordedAt.toISOString()).toBe('2024-03-01T09:30:01.000Z');
  });

  it('defaults schema version to 1 and occurredAt to the append time', () => {
    const appendedAt = new Date('2024-05-05T00:00:00Z');
    const bare: NewEvent = { eventId: '0b3a8d4c-1e2f-4a5b-9c6d-7e8f9a0b1c2d', type: 'TickReceived', data: { bid: 1n } };
    const read = fromEsdbEvent(asStoredByDriver(bare, 'ticks-XAUUSD-20240505', 9n, appendedAt), '');
    expect(read?.schemaVersion).toBe(1);
    expect(read?.occurredAt).toEqual(appendedAt);
    expect(read?.metadata).toEqual({});
  });

  it('decodes metadata the driver could only hand back as bytes', () => {
    const stored = asStoredByDriver(orderPlaced, 'account-1', 5n);
    const bytes = new TextEncoder().encode(JSON.stringify(stored.metadata));
    const read = fromEsdbEvent({ ...stored, metadata: bytes }, '');
    expect(read?.metadata).toEqual(orderPlaced.metadata);
  });

  it('hides system records and streams outside the namespace, and strips the namespace', () => {
    expect(fromEsdbEvent(asStoredByDriver({ ...orderPlaced, type: '$statsCollected' }, 'account-1', 1n), '')).toBeUndefined();
    expect(fromEsdbEvent(asStoredByDriver(orderPlaced, '$ce-account', 1n), '')).toBeUndefined();
    expect(fromEsdbEvent(asStoredByDriver(orderPlaced, 'other-account-1', 1n), 'desk-a-')).toBeUndefined();
    expect(fromEsdbEvent(asStoredByDriver(orderPlaced, 'desk-a-account-1', 1n), 'desk-a-')?.streamId).toBe('account-1');
  });
});

describe('driver errors translated at the boundary', () => {
  const append = { streamId: 'account-1', expected: 4n } as const;

  it('a wrong expected version becomes ExpectedRevisionConflict carrying the actual revision', () => {
    const error = translateEsdbError(wrongExpectedVersion(6n), append);
    expect(error).toBeInstanceOf(ExpectedRevisionConflict);
    expect(error).toMatchObject({ code: 'EVENT_STORE.EXPECTED_REVISION_CONFLICT', streamId: 'account-1', expected: 4n, actual: 6n });
  });

  it('a conflict on a missing stream has no actual revision', () => {
    expect(translateEsdbError(wrongExpectedVersion('no_stream'), append)).toMatchObject({ actual: undefined });
  });

  it.each([
    ['unavailable', new UnavailableError(undefined, 'connection refused')],
    ['deadline exceeded', new DeadlineExceededError(undefined, 'too slow')],
    ['socket reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
  ])('%s becomes EventStoreUnavailable', (_name, driverError) => {
    const error = translateEsdbError(driverError);
    expect(error).toBeInstanceOf(EventStoreUnavailable);
    expect(error.cause).toBe(driverError);
  });

  it('anything else becomes an internal LedgerError that keeps the cause', () => {
    const driverError = new AccessDeniedError(undefined, 'no access');
    const error = translateEsdbError(driverError);
    expect(error).toBeInstanceOf(LedgerError);
    expect(error).toMatchObject({ code: 'EVENT_STORE.BACKEND_FAILED', category: 'internal' });
    expect(error.cause).toBe(driverError);
  });
});

describe('filters', () => {
  it('filters on the stream prefix on the server when there is one', () => {
    expect(toEsdbFilter('run-7-', { streamPrefix: 'account-', eventTypes: ['OrderPlaced'] })).toMatchObject({ filterOn: 'streamName', prefixes: ['run-7-account-'] });
  });

  it('matches event types exactly, not as prefixes or regex', () => {
    const filter = toEsdbFilter('', { eventTypes: ['Order.Placed', 'OrderFilled'] });
    expect(filter.filterOn).toBe('eventType');
    const regex = new RegExp((filter as { regex: string }).regex);
    expect(['Order.Placed', 'OrderFilled'].every((type) => regex.test(type))).toBe(true);
    expect(['OrderXPlaced', 'OrderFilledLate', 'XOrderFilled'].some((type) => regex.test(type))).toBe(false);
  });

  it('without a filter excludes system events on the server', () => {
    expect(toEsdbFilter('', {})).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
  });

  it('applies prefix and types together on our side', () => {
    const filter = { streamPrefix: 'account-', eventTypes: ['OrderPlaced'] };
    expect(matchesFilter({ streamId: 'account-1', type: 'OrderPlaced' }, filter)).toBe(true);
    expect(matchesFilter({ streamId: 'account-1', type: 'OrderFilled' }, filter)).toBe(false);
    expect(matchesFilter({ streamId: 'ticks-XAUUSD', type: 'OrderPlaced' }, filter)).toBe(false);
    expect(matchesFilter({ streamId: 'account-1', type: 'OrderPlaced' }, { eventTypes: [] })).toBe(false);
  });
});

describe('resubscription backoff', () => {
  it('doubles from 100 ms and stops growing at 5 s', () => {
    expect([0, 1, 2, 3].map(resubscribeDelayMs)).toEqual([100, 200, 400, 800]);
    expect(resubscribeDelayMs(6)).toBe(5_000);
    expect(resubscribeDelayMs(500)).toBe(5_000);
  });
});

/** A stand-in for the driver's subscription: yields the given records, then fails or stays open. */
function driverSubscription(records: AllStreamResolvedEvent[], then: 'fail-unavailable' | 'fail-denied' | 'stay-open'): AllStreamSubscription {
  async function* flow(): AsyncGenerator<AllStreamResolvedEvent> {
    yield* records;
    if (then === 'fail-unavailable') throw new UnavailableError(undefined, 'connection dropped');
    if (then === 'fail-denied') throw new AccessDeniedError(undefined, 'access denied');
    await new Promise(() => undefined);
  }
  return Object.assign(Readable.from(flow()), { unsubscribe: async () => undefined });
}

const resolvedAt = (commit: bigint): AllStreamResolvedEvent => {
  const event = asStoredByDriver({ ...orderPlaced, data: { seq: commit } }, 'account-1', commit);
  return { event: { ...event, position: { commit, prepare: commit } } };
};

async function take(subscription: EventStoreDbSubscription, count: number): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of subscription) {
    events.push(event);
    if (events.length === count) break;
  }
  return events;
}

describe('subscription over a dropping connection', () => {
  it('resubscribes from the last delivered position and delivers each event once', async () => {
    const opens: (bigint | undefined)[] = [];
    const drivers = [
      driverSubscription([resolvedAt(10n), resolvedAt(20n)], 'fail-unavailable'),
      driverSubscription([resolvedAt(20n), resolvedAt(30n)], 'stay-open'),
    ];
    const subscription = new EventStoreDbSubscription(
      {
        open: (after) => {
          opens.push(after);
          return drivers[opens.length - 1]!;
        },
        toEvent: (resolved) => fromEsdbEvent(resolved.event!, ''),
      },
      undefined,
      () => undefined,
    );
    const events = await take(subscription, 3);
    expect(events.map((event) => event.globalPosition)).toEqual([10n, 20n, 30n]);
    expect(opens).toEqual([undefined, 20n]);
  });

  it('surfaces a failure a retry cannot cure as a translated error', async () => {
    const subscription = new EventStoreDbSubscription(
      { open: () => driverSubscription([], 'fail-denied'), toEvent: (resolved) => fromEsdbEvent(resolved.event!, '') },
      5n,
      () => undefined,
    );
    await expect(take(subscription, 1)).rejects.toMatchObject({ code: 'EVENT_STORE.BACKEND_FAILED' });
  });

  it('close() ends a consumer waiting for the next live event', async () => {
    let closedCallback = false;
    const subscription = new EventStoreDbSubscription(
      { open: () => driverSubscription([], 'stay-open'), toEvent: (resolved) => fromEsdbEvent(resolved.event!, '') },
      undefined,
      () => {
        closedCallback = true;
      },
    );
    const waiting = subscription[Symbol.asyncIterator]().next();
    await subscription.close();
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
    expect(closedCallback).toBe(true);
  });
});

describe('store against an unreachable server', () => {
  const store = createEventStoreDbEventStore('esdb://127.0.0.1:1?tls=false');

  it('refuses bad input with a ValidationError before any I/O', async () => {
    await expect(store.append('', [orderPlaced], 'any')).rejects.toBeInstanceOf(ValidationError);
    await expect(store.append('account-1', [{ ...orderPlaced, type: '' }], 'any')).rejects.toMatchObject({ code: 'EVENT_STORE.MISSING_EVENT_TYPE' });
    await expect(store.readStream('account-1', { fromRevision: -1n })).rejects.toBeInstanceOf(ValidationError);
  });

  it('reports the server as unavailable, not as a driver error', async () => {
    await expect(store.append('account-1', [orderPlaced], 'any')).rejects.toBeInstanceOf(EventStoreUnavailable);
    await expect(store.readStream('account-1')).rejects.toBeInstanceOf(EventStoreUnavailable);
    await expect(store.readAll()).rejects.toBeInstanceOf(EventStoreUnavailable);
    await store.close();
  });

  it('refuses a malformed connection string with a message naming EVENTSTORE_URL', () => {
    expect(() => createEventStoreDbEventStore('http://not esdb')).toThrow(/EVENTSTORE_URL/);
  });
});

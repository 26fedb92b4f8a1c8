// The one contract every EventStore adapter passes. Each test uses its own stream prefix, so the suite
// also runs against a store that holds other data (a shared EventStoreDB).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ExpectedRevisionConflict, StreamsChanged, type EventStore, type NewEvent, type RecordedEvent,
} from '../../domain/ports/event-store.ts';
import { LedgerError } from '../../domain/shared/errors.ts';

export interface StoreUnderTest {
  readonly store: EventStore;
  cleanup(): Promise<void>;
}

export const event = (type = 'Tested', data: Record<string, unknown> = {}, extra: Partial<NewEvent> = {}): NewEvent =>
  ({ eventId: randomUUID(), type, data: data as NewEvent['data'], ...extra });

const prefix = () => `ct${randomUUID().slice(0, 8)}`;

async function collect(store: EventStore, count: number, options: Parameters<EventStore['subscribe']>[0]): Promise<RecordedEvent[]> {
  const subscription = store.subscribe(options);
  const seen: RecordedEvent[] = [];
  for await (const e of subscription) {
    seen.push(e);
    if (seen.length >= count) break;
  }
  await subscription.close();
  return seen;
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, `expected a refusal with code ${code}`).toBeInstanceOf(LedgerError);
  expect((error as LedgerError).code).toBe(code);
}

export interface ContractOptions {
  /**
   * Whether the backend refuses an event id recorded before at another place. PostgreSQL enforces a
   * global unique index; EventStoreDB deduplicates only a retry at the same expected revision.
   */
  readonly uniqueEventIdsAcrossStreams?: boolean;
}

export function describeEventStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>, options: ContractOptions = {}): void {
  const uniqueIds = options.uniqueEventIdsAcrossStreams ?? true;
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let handle: StoreUnderTest;
    beforeAll(async () => {
      handle = await makeStore();
      store = handle.store;
    });
    afterAll(async () => handle?.cleanup());

    describe('expected revision', () => {
      it('creates a stream with no_stream and refuses a second no_stream with the actual revision', async () => {
        const stream = `${prefix()}-a`;
        const first = await store.append(stream, [event(), event()], 'no_stream');
        expect(first.nextRevision).toBe(1n);
        expect(first.written).toBe(true);
        const error = await store.append(stream, [event()], 'no_stream').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ExpectedRevisionConflict);
        expect((error as ExpectedRevisionConflict).actual).toBe(1n);
        expect((error as ExpectedRevisionConflict).code).toBe('EVENT_STORE.EXPECTED_REVISION_CONFLICT');
      });

      it('appends at the exact revision and refuses a stale one', async () => {
        const stream = `${prefix()}-b`;
        await store.append(stream, [event()], 'no_stream');
        expect((await store.append(stream, [event()], 0n)).nextRevision).toBe(1n);
        const stale = await store.append(stream, [event()], 0n).catch((e: unknown) => e);
        expect(stale).toBeInstanceOf(ExpectedRevisionConflict);
        expect((stale as ExpectedRevisionConflict).actual).toBe(1n);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('stream_exists refuses a missing stream; any appends anywhere', async () => {
        const stream = `${prefix()}-c`;
        const missing = await store.append(stream, [event()], 'stream_exists').catch((e: unknown) => e);
        expect(missing).toBeInstanceOf(ExpectedRevisionConflict);
        expect((missing as ExpectedRevisionConflict).actual).toBeUndefined();
        expect((await store.append(stream, [event()], 'any')).nextRevision).toBe(0n);
        expect((await store.append(stream, [event()], 'stream_exists')).nextRevision).toBe(1n);
        expect((await store.append(stream, [event()], 'any')).nextRevision).toBe(2n);
        const revision = await store.append(`${prefix()}-c2`, [event()], 5n).catch((e: unknown) => e);
        expect(revision).toBeInstanceOf(ExpectedRevisionConflict);
      });

      it('lets exactly one of two racing appenders win each revision', async () => {
        const stream = `${prefix()}-race`;
        await store.append(stream, [event()], 'no_stream');
        for (let revision = 0n; revision < 10n; revision += 1n) {
          const results = await Promise.allSettled([store.append(stream, [event('A')], revision), store.append(stream, [event('B')], revision)]);
          expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
          const loser = results.find((r) => r.status === 'rejected');
          expect((loser as PromiseRejectedResult).reason).toBeInstanceOf(ExpectedRevisionConflict);
        }
        const events = await store.readStream(stream);
        expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 11 }, (_, i) => BigInt(i)));
      });
    });

    describe('many appenders at once', () => {
      it('answers each of many concurrent multi-event appends with its own last revision and position', async () => {
        const p = prefix();
        const streams = Array.from({ length: 40 }, (_, i) => `${p}-m${i}`);
        await Promise.all(streams.map((s, i) => store.append(s, [event('Seeded', { i })], 'no_stream')));
        const answers = await Promise.all(streams.map((s, i) => store.append(s, Array.from({ length: 1 + (i % 4) }, (_, k) => event('More', { i, k })), 0n)));
        for (const [i, s] of streams.entries()) {
          const recorded = await store.readStream(s);
          const last = recorded[recorded.length - 1]!;
          expect(answers[i]!.nextRevision).toBe(BigInt(1 + (i % 4)));
          expect(last.revision).toBe(answers[i]!.nextRevision);
          expect(last.globalPosition).toBe(answers[i]!.position);
          expect(recorded.map((e) => e.data.k ?? null)).toEqual([null, ...Array.from({ length: 1 + (i % 4) }, (_, k) => k)]);
        }
      });

      it('keeps concurrent appends apart: a stale one, a retry and a repeat fail or pass on their own', async () => {
        const p = prefix();
        const retried = [event('Once', { n: 1 })];
        await store.append(`${p}-retry`, retried, 'no_stream');
        await store.append(`${p}-stale`, [event(), event()], 'no_stream');
        await store.append(`${p}-taken`, [event()], 'no_stream');
        const fresh = Array.from({ length: 20 }, (_, i) => store.append(`${p}-fresh${i}`, [event('Fresh', { i })], 'no_stream'));
        const [stale, retry, taken, ...rest] = await Promise.allSettled([
          store.append(`${p}-stale`, [event('Late')], 0n),
          store.append(`${p}-retry`, retried, 'no_stream'),
          store.append(`${p}-taken`, [event('Again')], 'no_stream'),
          ...fresh,
        ]);
        expect((stale as PromiseRejectedResult).reason).toBeInstanceOf(ExpectedRevisionConflict);
        expect(((stale as PromiseRejectedResult).reason as ExpectedRevisionConflict).actual).toBe(1n);
        expect((retry as PromiseFulfilledResult<{ written: boolean }>).value.written).toBe(false);
        expect(((taken as PromiseRejectedResult).reason as ExpectedRevisionConflict).actual).toBe(0n);
        expect(rest.every((r) => r.status === 'fulfilled' && r.value.written)).toBe(true);
        expect(await store.readStream(`${p}-stale`)).toHaveLength(2);
        expect(await store.readStream(`${p}-retry`)).toHaveLength(1);
        expect(await store.readStream(`${p}-taken`)).toHaveLength(1);
        for (let i = 0; i < 20; i += 1) expect((await store.readStream(`${p}-fresh${i}`)).map((e) => e.data.i)).toEqual([i]);
      });

      it('keeps stream ids and types with quotes, backslashes, commas, braces and spaces exactly, alone and in groups', async () => {
        const p = prefix();
        const awkward = ['a"b', 'back\\slash', 'com,ma', '{brace}', 'in ner', 'NULL', '"', '\\'];
        const streams = awkward.map((s) => `${p}-${s}`);
        await Promise.all(streams.map((s, i) => store.append(s, [event(`Type ${awkward[i]!}`, { i })], 'no_stream')));
        const moved = `${p}-moved "x"`;
        await store.append(moved, [event(), event()], 'no_stream');
        const answers = await Promise.allSettled(streams.map((s, i) => store.append(s, [event(`Next,${awkward[i]!}`, { i }), event('Two', { i })], 0n, {
          unchanged: i % 2 === 0 ? [{ streamId: streams[(i + 1) % streams.length]!, revision: 0n }] : [{ streamId: moved, revision: 0n }],
        })));
        for (const [i, s] of streams.entries()) {
          const recorded = await store.readStream(s);
          expect(recorded.every((e) => e.streamId === s)).toBe(true);
          if (i % 2 === 0) {
            expect(answers[i]!.status).toBe('fulfilled');
            expect(recorded.map((e) => e.type)).toEqual([`Type ${awkward[i]!}`, `Next,${awkward[i]!}`, 'Two']);
          } else {
            const answer = answers[i]!;
            expect(answer.status === 'rejected' && answer.reason instanceof StreamsChanged && answer.reason.changed.includes(moved)).toBe(true);
            expect(recorded.map((e) => e.type)).toEqual([`Type ${awkward[i]!}`]);
          }
        }
      });

      it('applies appends to one stream in the order they were made', async () => {
        const stream = `${prefix()}-order`;
        const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => store.append(stream, [event('Next', { i })], 'any')));
        expect(answers.map((a) => a.nextRevision)).toEqual(Array.from({ length: 12 }, (_, i) => BigInt(i)));
        expect((await store.readStream(stream)).map((e) => e.data.i)).toEqual(Array.from({ length: 12 }, (_, i) => i));
      });
    });

    describe('appends handed over early (after)', () => {
      it('writes nothing until `after` settles, then in its turn after the append before it', async () => {
        const stream = `${prefix()}-after`;
        let release!: () => void;
        const gate = new Promise<void>((resolve) => { release = resolve; });
        const second = store.append(stream, [event('Second')], 'any', { after: gate });
        const first = store.append(stream, [event('First')], 'any');
        await first;
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['First']);
        release();
        expect((await second).nextRevision).toBe(1n);
        expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['First', 'Second']);
      });

      it('writes nothing and rejects with its error when `after` rejects', async () => {
        const stream = `${prefix()}-withdrawn`;
        const reason = new Error('the batch below was not recorded');
        const refused = await store.append(stream, [event('Never')], 'any', { after: Promise.reject(reason) }).then(() => undefined, (e: unknown) => e);
        expect(refused).toBe(reason);
        await store.append(stream, [event('Later')], 'any');
        expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['Later']);
      });
    });

    describe('appends decided on other streams (unchanged)', () => {
      it('appends while the streams it depends on are where the writer read them, empty ones included', async () => {
        const p = prefix();
        await store.append(`${p}-stop`, [event('Engaged'), event('Released')], 'no_stream');
        const answer = await store.append(`${p}-acct`, [event('Placed')], 'no_stream', {
          unchanged: [{ streamId: `${p}-stop`, revision: 1n }, { streamId: `${p}-never`, revision: undefined }],
        });
        expect(answer.written).toBe(true);
        expect((await store.readStream(`${p}-acct`)).map((e) => e.type)).toEqual(['Placed']);
      });

      it('writes nothing and names the moved streams when one moved on, or a stream read as empty got events', async () => {
        const p = prefix();
        await store.append(`${p}-stop`, [event('Released')], 'no_stream');
        await store.append(`${p}-stop`, [event('Engaged')], 0n); // recorded after the writer read revision 0
        await store.append(`${p}-late`, [event('Engaged')], 'no_stream'); // the writer read it as empty
        const refused = await store.append(`${p}-acct`, [event('Placed')], 'no_stream', {
          unchanged: [{ streamId: `${p}-stop`, revision: 0n }, { streamId: `${p}-late`, revision: undefined }, { streamId: `${p}-same`, revision: undefined }],
        }).then(() => undefined, (e: unknown) => e);
        expect(refused).toBeInstanceOf(StreamsChanged);
        expect([...(refused as StreamsChanged).changed].sort()).toEqual([`${p}-late`, `${p}-stop`]);
        expect((refused as StreamsChanged).code).toBe('EVENT_STORE.STREAMS_CHANGED');
        expect(await store.readStream(`${p}-acct`)).toEqual([]);
      });

      it('among many concurrent appends, refuses exactly those that depend on a moved stream', async () => {
        const p = prefix();
        await store.append(`${p}-moved`, [event(), event()], 'no_stream');
        await store.append(`${p}-still`, [event()], 'no_stream');
        const answers = await Promise.allSettled(Array.from({ length: 24 }, (_, i) => store.append(`${p}-a${i}`, [event('Placed', { i }), event('Decided', { i })], 'no_stream', {
          unchanged: i % 3 === 0 ? [{ streamId: `${p}-still`, revision: 0n }, { streamId: `${p}-moved`, revision: 0n }] : [{ streamId: `${p}-still`, revision: 0n }],
        })));
        for (const [i, answer] of answers.entries()) {
          const recorded = await store.readStream(`${p}-a${i}`);
          if (i % 3 === 0) {
            expect(answer.status === 'rejected' && answer.reason instanceof StreamsChanged).toBe(true);
            expect(recorded).toEqual([]);
          } else {
            expect(answer.status).toBe('fulfilled');
            expect(recorded.map((e) => e.data.i)).toEqual([i, i]);
          }
        }
      });
    });

    describe('reading', () => {
      it('reads a stream forwards and backwards from a revision with a max count', async () => {
        const stream = `${prefix()}-read`;
        await store.append(stream, Array.from({ length: 10 }, (_, i) => event('Counted', { i })), 'no_stream');
        const forwards = await store.readStream(stream, { fromRevision: 3n, maxCount: 4 });
        expect(forwards.map((e) => e.data.i)).toEqual([3, 4, 5, 6]);
        const backwards = await store.readStream(stream, { direction: 'backwards', fromRevision: 8n, maxCount: 3 });
        expect(backwards.map((e) => e.data.i)).toEqual([8, 7, 6]);
        const last = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
        expect(last[0]?.revision).toBe(9n);
        expect(await store.readStream(`${prefix()}-none`)).toEqual([]);
      });

      it('records the envelope: ids, type, schema version, stream, revision, positions and times', async () => {
        const stream = `${prefix()}-env`;
        const occurredAt = new Date('2026-01-02T03:04:05.678Z');
        const input = event('Enveloped', { x: 1 }, { schemaVersion: 3, occurredAt, metadata: { correlationId: 'c-1', actor: { userId: 'u1', role: 'trader' } } });
        const result = await store.append(stream, [input], 'no_stream');
        const [recorded] = await store.readStream(stream);
        expect(recorded).toMatchObject({ eventId: input.eventId, type: 'Enveloped', schemaVersion: 3, streamId: stream, revision: 0n, data: { x: 1 } });
        expect(recorded!.globalPosition).toBe(result.position);
        expect(recorded!.occurredAt.toISOString()).toBe(occurredAt.toISOString());
        expect(recorded!.recordedAt).toBeInstanceOf(Date);
        expect(recorded!.metadata).toMatchObject({ correlationId: 'c-1', actor: { userId: 'u1', role: 'trader' } });
      });

      it('reads several streams at once, each from its own revision', async () => {
        const p = prefix();
        await store.append(`${p}-one`, Array.from({ length: 5 }, (_, i) => event('One', { i })), 'no_stream');
        await store.append(`${p}-two`, Array.from({ length: 3 }, (_, i) => event('Two', { i })), 'no_stream');
        const read = await store.readStreams([
          { streamId: `${p}-one`, fromRevision: 2n },
          { streamId: `${p}-two` },
          { streamId: `${p}-none` },
          { streamId: `${p}-two-beyond`, fromRevision: 9n },
        ], { maxCountPerStream: 2 });
        expect(read.get(`${p}-one`)!.map((e) => e.data.i)).toEqual([2, 3]);
        expect(read.get(`${p}-two`)!.map((e) => [e.type, e.revision])).toEqual([['Two', 0n], ['Two', 1n]]);
        expect(read.get(`${p}-none`)).toEqual([]);
        expect(read.get(`${p}-two-beyond`)).toEqual([]);
        await expectCode(store.readStreams([{ streamId: `${p}-one` }, { streamId: `${p}-one` }]), 'EVENT_STORE.DUPLICATE_STREAM');
        await expectCode(store.readStreams([{ streamId: '' }]), 'EVENT_STORE.INVALID_STREAM_ID');
      });

      it('reads one order\'s lifecycle events of a stream, oldest first, where the store has an index for it', async (test) => {
        if (store.readOrderEvents === undefined) return test.skip(); // optional: callers scan the stream instead
        const stream = `${prefix()}-orders`;
        await store.append(stream, [
          event('OrderPlaced', { orderId: 'o-1' }), event('RiskDecisionRecorded', { orderId: 'o-1' }), event('OrderPlaced', { orderId: 'o-2' }),
          event('OrderAccepted', { orderId: 'o-1' }), event('FillRefused', { orderId: 'o-1' }), event('OrderFilled', { orderId: 'o-1' }), event('OrderCanceled', { orderId: 'o-2' }),
        ], 'no_stream');
        await store.append(`${stream}-other`, [event('OrderPlaced', { orderId: 'o-1' })], 'no_stream');
        const read = await store.readOrderEvents(stream, 'o-1');
        expect(read.map((e) => [e.type, e.revision])).toEqual([['OrderPlaced', 0n], ['OrderAccepted', 3n], ['OrderFilled', 5n]]);
        expect(await store.readOrderEvents(stream, 'o-none')).toEqual([]);
      });

      it('pages through readAll in position order with a stream prefix and type filter', async () => {
        const p = prefix();
        for (let i = 0; i < 5; i += 1) await store.append(`${p}-s${i}`, [event('Kept', { i }), event('Dropped', { i })], 'no_stream');
        await store.append(`${prefix()}-other`, [event('Kept')], 'no_stream');
        const seen: RecordedEvent[] = [];
        let after: bigint | undefined;
        for (let pages = 0; pages < 20; pages += 1) {
          const page = await store.readAll({ after, filter: { streamPrefix: p, eventTypes: ['Kept'] }, maxCount: 2 });
          expect(page.events.length).toBeLessThanOrEqual(2);
          seen.push(...page.events);
          after = page.checkpoint;
          if (!page.hasMore) break;
        }
        expect(seen.map((e) => e.data.i)).toEqual([0, 1, 2, 3, 4]);
        expect(seen.every((e) => e.type === 'Kept' && e.streamId.startsWith(p))).toBe(true);
        const positions = seen.map((e) => e.globalPosition);
        expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
      });
    });

    describe('subscriptions', () => {
      it('delivers every event of 8 concurrent writers exactly once, in position order, while they write', async () => {
        const p = prefix();
        const perWriter = 40;
        const received = collect(store, 8 * perWriter, { filter: { streamPrefix: p }, batchSize: 37 });
        await Promise.all(Array.from({ length: 8 }, async (_, writer) => {
          for (let i = 0; i < perWriter; i += 2) {
            await store.append(`${p}-w${writer}`, [event('Written', { writer, i }), event('Written', { writer, i: i + 1 })], i === 0 ? 'no_stream' : BigInt(i - 1));
          }
        }));
        const events = await received;
        expect(events).toHaveLength(8 * perWriter);
        expect(new Set(events.map((e) => e.eventId)).size).toBe(8 * perWriter);
        for (let i = 1; i < events.length; i += 1) expect(events[i]!.globalPosition > events[i - 1]!.globalPosition).toBe(true);
        for (let writer = 0; writer < 8; writer += 1) {
          expect(events.filter((e) => e.data.writer === writer).map((e) => e.data.i)).toEqual(Array.from({ length: perWriter }, (_, i) => i));
        }
      });

      it('catches up from the start, then goes live', async () => {
        const p = prefix();
        await store.append(`${p}-x`, [event('Old', { n: 1 }), event('Old', { n: 2 })], 'no_stream');
        const received = collect(store, 3, { filter: { streamPrefix: p } });
        await new Promise((resolve) => setTimeout(resolve, 100));
        await store.append(`${p}-x`, [event('New', { n: 3 })], 1n);
        expect((await received).map((e) => e.data.n)).toEqual([1, 2, 3]);
      });

      it('resumes after the last position the consumer handled, without repeats or gaps', async () => {
        const p = prefix();
        await store.append(`${p}-r`, Array.from({ length: 10 }, (_, n) => event('Step', { n })), 'no_stream');
        const firstPart = await collect(store, 4, { filter: { streamPrefix: p }, batchSize: 3 });
        const checkpoint = firstPart[firstPart.length - 1]!.globalPosition;
        const rest = await collect(store, 6, { after: checkpoint, filter: { streamPrefix: p } });
        expect([...firstPart, ...rest].map((e) => e.data.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      });

      it('filters by event type', async () => {
        const p = prefix();
        await store.append(`${p}-f`, [event('Skip'), event('Take', { n: 1 }), event('Skip'), event('Take', { n: 2 })], 'no_stream');
        const taken = await collect(store, 2, { filter: { streamPrefix: p, eventTypes: ['Take'] } });
        expect(taken.map((e) => e.data.n)).toEqual([1, 2]);
      });

      it('ends a waiting iteration when closed', async () => {
        const subscription = store.subscribe({ filter: { streamPrefix: prefix() } });
        const iterator = subscription[Symbol.asyncIterator]();
        const next = iterator.next();
        await subscription.close();
        expect((await next).done).toBe(true);
      });
    });

    describe('idempotent retry', () => {
      it('answers a repeated append of the same event ids at the same place without writing', async () => {
        const stream = `${prefix()}-idem`;
        const batch = [event('Once', { n: 1 }), event('Once', { n: 2 })];
        const first = await store.append(stream, batch, 'no_stream');
        const again = await store.append(stream, batch, 'no_stream');
        expect(again).toEqual({ ...first, written: false });
        const anyAgain = await store.append(stream, batch, 'any');
        expect(anyAgain.written).toBe(false);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it.skipIf(!uniqueIds)(`refuses the same event ids at another place${uniqueIds ? '' : ' (skipped: this backend does not index event ids across streams)'}`, async () => {
        const stream = `${prefix()}-idem2`;
        const batch = [event('Once')];
        await store.append(stream, batch, 'no_stream');
        await store.append(stream, [event()], 0n);
        await expect(store.append(stream, batch, 1n)).rejects.toBeInstanceOf(LedgerError);
        await expect(store.append(`${prefix()}-elsewhere`, batch, 'any')).rejects.toBeInstanceOf(LedgerError);
        expect(await store.readStream(stream)).toHaveLength(2);
      });
    });

    describe('payloads', () => {
      it('keeps large payloads, unicode and bigints exactly', async () => {
        const stream = `${prefix()}-payload`;
        const big = 'ทองคำ 金 🪙 Ünïcødé — '.repeat(30_000);
        const data = {
          big,
          nul: 'before\u0000after',
          rtl: 'الذهب',
          amount: 123456789012345678901234567890n,
          negative: -9007199254740993n,
          nested: { list: [1, 'two', null, true, { deep: 2n ** 70n }] },
        };
        await store.append(stream, [event('Heavy', data)], 'no_stream');
        const [recorded] = await store.readStream(stream);
        expect(recorded!.data).toEqual(data);
        expect(typeof recorded!.data.amount).toBe('bigint');
      });
    });

    describe('bad input is refused and nothing is written', () => {
      const cases: Array<[string, string, (stream: string) => Promise<unknown>]> = [
        ['an empty stream name', 'EVENT_STORE.INVALID_STREAM_ID', () => store.append('', [event()], 'any')],
        ['an over-long stream name', 'EVENT_STORE.INVALID_STREAM_ID', () => store.append('x'.repeat(201), [event()], 'any')],
        ['no events', 'EVENT_STORE.NO_EVENTS', (s) => store.append(s, [], 'any')],
        ['an event without a type', 'EVENT_STORE.MISSING_EVENT_TYPE', (s) => store.append(s, [{ eventId: randomUUID(), data: {} } as unknown as NewEvent], 'any')],
        ['a negative revision', 'EVENT_STORE.INVALID_EXPECTED_REVISION', (s) => store.append(s, [event()], -1n)],
        ['a function in the data', 'EVENT_STORE.NOT_SERIALIZABLE', (s) => store.append(s, [event('T', { f: () => 1 })], 'any')],
        ['NaN in the data', 'EVENT_STORE.NOT_SERIALIZABLE', (s) => store.append(s, [event('T', { n: Number.NaN })], 'any')],
        ['an unsafe integer in the data', 'EVENT_STORE.NOT_SERIALIZABLE', (s) => store.append(s, [event('T', { n: 2 ** 60 })], 'any')],
        ['a circular structure', 'EVENT_STORE.NOT_SERIALIZABLE', (s) => {
          const loop: Record<string, unknown> = {};
          loop.self = loop;
          return store.append(s, [event('T', loop)], 'any');
        }],
        ['a bad event id', 'EVENT_STORE.INVALID_EVENT_ID', (s) => store.append(s, [event('T', {}, { eventId: 'not-a-uuid' })], 'any')],
        ['one good and one bad event', 'EVENT_STORE.NOT_SERIALIZABLE', (s) => store.append(s, [event('Good'), event('T', { d: new Date() })], 'any')],
        ['a negative read revision', 'EVENT_STORE.INVALID_REVISION', (s) => store.readStream(s, { fromRevision: -1n })],
        ['a zero max count', 'EVENT_STORE.INVALID_MAX_COUNT', () => store.readAll({ maxCount: 0 })],
        ['depending on the stream appended to', 'EVENT_STORE.INVALID_UNCHANGED', (s) => store.append(s, [event()], 'any', { unchanged: [{ streamId: s, revision: undefined }] })],
        ['depending on a negative revision', 'EVENT_STORE.INVALID_UNCHANGED', (s) => store.append(s, [event()], 'any', { unchanged: [{ streamId: `${s}-x`, revision: -1n }] })],
      ];
      it.each(cases)('refuses %s', async (_label, code, attempt) => {
        const stream = `${prefix()}-bad`;
        await expectCode(attempt(stream), code);
        expect(await store.readStream(stream)).toEqual([]);
      });
    });
  });
}

// Ticks in, events out. Every submitted tick ends as exactly one event in `ticks-{symbol}-{yyyymmdd}`:
// TickReceived when the desk believes it, TickRejected with a reason when not. The event id is the uuid
// v5 of the tick's idempotency key (symbol, source, sequence), or of the identity a submission names
// (an import names a tick by what it is: importers/tick-identity.ts), so whatever delivers a tick again
// (a JetStream redelivery, a re-run import, a retried HTTP call) finds it recorded and writes nothing.
//
// Batches are checked and written in order, two stages apart: batch N+1 is validated against a draft on
// top of batch N's draft while N's appends are in flight, then appended once N's are durable. A batch
// commits its draft and moves the latest quotes only when every append of it is durable. If a batch is
// not recorded, every batch validated on top of it fails too (it was judged against ticks that are not
// in the ledger) and nothing of them is written: their deliverer sends them again.
import {
  EventIdReused, type EventStore, type NewEvent,
} from '../../domain/ports/event-store.ts';
import {
  movesLiveMarket, quoteFromTick, tickIdempotencyKey, tickReceived, tickRejected, tickStreamId, validateTick,
  type AcceptedTick, type RawTickFields, type SourceCursor, type TickEvent, type TickRejectReason,
} from '../../domain/market-data/index.ts';
import { tickEventId } from './tick-event-id.ts';
import { IngestState, recoverIngestState } from './ingest-state.ts';
import type { InstrumentRegistry } from './instruments.ts';
import type { QuoteBook } from './quote-book.ts';
import { readTick, type RawTick } from './read-tick.ts';

/** Something that could not be read as a tick at all (bad JSON, a broken file line): recorded as MALFORMED. */
export interface UnreadableTick {
  readonly unreadable: {
    readonly raw: string;
    readonly detail: string;
    /** Idempotency key: the same unreadable message delivered again must map to the same event. */
    readonly key: string;
    /** The instrument it was meant for, when known (a subject token, the import's --symbol). */
    readonly symbol?: string;
    readonly source?: string;
    readonly sequence?: bigint;
  };
}

/** `history`: a back-filled tick (an import), recorded for history and kept out of the live market. */
export type TickSubmission = (RawTick & TickNames & { readonly history?: boolean }) | UnreadableTick;

interface TickNames {
  /** Names the tick when it carries no readable sequence (a NATS message: stream and sequence). */
  readonly fallbackKey?: string;
  /** Names the tick's event whatever its source and sequence, accepted or rejected. */
  readonly identity?: string;
}

export type TickStatus = 'accepted' | 'rejected' | 'duplicate';

export interface TickOutcome {
  /** duplicate: this tick (its event id) was recorded before; nothing was written. */
  readonly status: TickStatus;
  readonly reason?: TickRejectReason;
  readonly detail?: string;
  readonly streamId: string;
  readonly eventId: string;
  /**
   * A duplicate that is judged a rejection again (a broken or refused line delivered a second time): the
   * reason it is refused for, so an importer can still list the line (its first delivery may have been
   * recorded by a batch whose answer never arrived: a killed or failed import).
   */
  readonly judged?: { readonly reason: TickRejectReason; readonly detail: string };
}

export interface TickIngesterDeps {
  readonly eventStore: EventStore;
  readonly instruments: InstrumentRegistry;
  readonly quotes?: QuoteBook;
  readonly clock?: () => Date;
  /** Called once per batch with the count per outcome (metrics). */
  readonly onOutcomes?: (outcomes: readonly TickOutcome[], submissions: readonly TickSubmission[]) => void;
  /** A tick further than this from the instrument's last accepted tick is not spike-checked (gaps, weekends). */
  readonly spikeWindowMs?: number;
  /** metadata.source of the events. */
  readonly writer?: string;
}

interface Planned {
  readonly outcome: TickOutcome;
  readonly event: NewEvent;
  readonly accepted?: AcceptedTick;
}

const DAY_MS = 86_400_000;
const UNROUTABLE = 'UNKNOWN';
const ROUTABLE_SYMBOL = /^[A-Za-z0-9._]{1,32}$/;
export const isUnreadable = (submission: TickSubmission): submission is UnreadableTick => 'unreadable' in submission;

/** A batch validated and waiting for its turn to be written. */
interface PlannedBatch {
  readonly batch: readonly TickSubmission[];
  readonly planned: readonly Planned[];
  readonly draft: IngestState;
  /** The batch this one was validated on top of, while that one was not yet recorded. */
  base: PlannedBatch | undefined;
  readonly recorded: Promise<boolean>;
  settle(recorded: boolean): void;
}

export class IngestAborted extends Error {
  constructor() {
    super('an earlier batch this one was validated against was not recorded; nothing of this batch was written either: deliver it again');
  }
}

export class TickIngester {
  private readonly state = new IngestState();
  private planning: Promise<unknown> = Promise.resolve();
  private writing: Promise<unknown> = Promise.resolve();
  /** The newest batch validated and not yet recorded: the next batch is validated on top of it. */
  private tip: PlannedBatch | undefined;
  private readonly clock: () => Date;
  private readonly spikeWindowMs: number;
  private readonly streams = new TickStreams();
  private readonly metadata: Readonly<Record<string, string>>;

  constructor(private readonly deps: TickIngesterDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.spikeWindowMs = deps.spikeWindowMs ?? 60_000;
    this.metadata = Object.freeze({ source: deps.writer ?? 'ingest' });
  }

  /** Rebuilds per-source cursors and recent mids from the tick streams, and seeds the quote book. */
  async recover(): Promise<void> {
    const latest = await recoverIngestState(this.deps.eventStore, this.state, this.deps.instruments.symbols(), this.clock());
    for (const tick of latest) await this.deps.quotes?.update(quoteFromTick(tick));
  }

  /**
   * One outcome per submission, in order. Rejects (and remembers nothing) when an append fails, or when an
   * earlier batch this one was validated against failed (IngestAborted).
   */
  ingest(batch: readonly TickSubmission[]): Promise<TickOutcome[]> {
    const planned = this.planning.then(() => this.planBatch(batch));
    this.planning = planned.catch(() => undefined);
    const previous = this.writing;
    // Handed to the store as soon as it is planned: encoded while the batch before is written, sent when that one is recorded.
    const written = planned.then((plan) => this.write(plan, previous));
    this.writing = written.catch(() => undefined);
    return written;
  }

  private planBatch(batch: readonly TickSubmission[]): PlannedBatch {
    const receivedAt = this.clock();
    const base = this.tip;
    const draft = (base?.draft ?? this.state).draft();
    const planned = batch.map((submission) => this.plan(submission, draft, receivedAt));
    let settle!: (recorded: boolean) => void;
    const recorded = new Promise<boolean>((resolve) => { settle = resolve; });
    const plan: PlannedBatch = { batch, planned, draft, base, recorded, settle };
    if (batch.length > 0) this.tip = plan;
    return plan;
  }

  /** `previous`: the write of the batch before, which this one's appends follow. */
  private async write(plan: PlannedBatch, previous: Promise<unknown>): Promise<TickOutcome[]> {
    const { batch, planned } = plan;
    if (batch.length === 0) {
      await previous;
      plan.settle(true);
      return [];
    }
    let outcomes: TickOutcome[];
    const accepted: AcceptedTick[] = [];
    try {
      const { byStream, first } = groupFirsts(planned);
      const turn = this.turn(plan, previous);
      turn.catch(() => undefined); // each append below rejects with it
      const recordedBefore = new Set<string>();
      await Promise.all([...byStream].map(async ([streamId, events]) => {
        for (const id of await this.appendNew(streamId, events, turn)) recordedBefore.add(id);
      }));
      outcomes = planned.map((entry, index) => {
        if (!first[index] || (recordedBefore.size > 0 && recordedBefore.has(entry.event.eventId))) {
          const { outcome } = entry;
          const duplicate = { status: 'duplicate' as const, streamId: outcome.streamId, eventId: outcome.eventId };
          return outcome.reason === undefined ? duplicate : { ...duplicate, judged: { reason: outcome.reason, detail: outcome.detail ?? '' } };
        }
        if (entry.accepted) accepted.push(entry.accepted);
        return entry.outcome;
      });
    } catch (error) {
      plan.settle(false);
      // Batches validated on top of this one fail in their turn; the next batch starts from what is recorded.
      if (this.chainHolds(plan)) this.tip = undefined;
      plan.base = undefined;
      throw error;
    }
    this.state.commit(plan.draft);
    plan.draft.settleInto(this.state); // its changes are in the state now: later drafts read through to it
    plan.settle(true);
    if (this.tip === plan) this.tip = undefined;
    plan.base = undefined;
    await this.updateQuotes(accepted);
    this.deps.onOutcomes?.(outcomes, batch);
    return outcomes;
  }

  /**
   * When the batch's appends may go: once the batch it was validated on top of is recorded (that batch's
   * appends waited for every one before it), else once the write before it is done. Rejects with
   * IngestAborted when the batch below was not recorded.
   */
  private async turn(plan: PlannedBatch, previous: Promise<unknown>): Promise<void> {
    if (plan.base === undefined) {
      await previous;
      return;
    }
    if (!(await plan.base.recorded)) throw new IngestAborted();
  }

  /** Whether `plan` is the tip or one of the batches the tip was validated on top of. */
  private chainHolds(plan: PlannedBatch): boolean {
    for (let at = this.tip; at !== undefined; at = at.base) if (at === plan) return true;
    return false;
  }

  private plan(submission: TickSubmission, draft: IngestState, receivedAt: Date): Planned {
    if (isUnreadable(submission)) return this.planUnreadable(submission, receivedAt);
    const symbol = typeof submission.symbol === 'string' ? submission.symbol : '';
    const spec = this.deps.instruments.spec(symbol);
    const read = readTick(submission, spec);
    const names: TickNames = submission; // its fallbackKey and identity; no copy per tick
    if (!read.ok) return this.planEvent(tickRejected(read.fields, read.reason, read.detail), read.fields, receivedAt, names);
    const { input } = read;
    const recent = draft.lastMid(input.symbol);
    const nearby = recent !== undefined && Math.abs(input.timestamp.getTime() - recent.at) <= this.spikeWindowMs;
    const cursor = draft.cursor(input.symbol, input.source);
    const validation = validateTick(input, {
      spec,
      receivedAt,
      lastAccepted: judgedByTime(cursor, BigInt(input.sequence)),
      recentMid: nearby ? recent.mid : undefined,
    });
    if (!validation.ok) return this.planEvent(tickRejected(input, validation.reason, validation.detail), input, receivedAt, names);
    const { tick } = validation;
    draft.accept(tick, cursor, recent); // the cursor and the spike filter's mid take history too, as before
    // History is flagged in the event, not copied into a second tick: it never moves a quote, so it is
    // not handed on as accepted (updateQuotes) either.
    const history = submission.history === true;
    return this.planEvent(tickReceived(tick, history), input, receivedAt, names, history ? undefined : tick);
  }

  private planUnreadable({ unreadable }: UnreadableTick, receivedAt: Date): Planned {
    const fields = { symbol: unreadable.symbol, source: unreadable.source, sequence: unreadable.sequence };
    const event = tickRejected(fields, 'MALFORMED', unreadable.detail, unreadable.raw);
    return this.envelope(event, unreadable.key, this.streams.streamFor(unreadable.symbol, undefined, receivedAt), receivedAt);
  }

  private planEvent(event: TickEvent, fields: RawTickFields, receivedAt: Date, names: TickNames = {}, accepted?: AcceptedTick): Planned {
    const symbol = typeof fields.symbol === 'string' ? fields.symbol : undefined;
    const timestamp = fields.timestamp instanceof Date ? fields.timestamp : undefined;
    const source = typeof fields.source === 'string' ? fields.source : '';
    const sequence = event.data.sequence;
    const key = names.identity
      ?? (sequence === undefined && names.fallbackKey !== undefined ? names.fallbackKey : tickIdempotencyKey(symbol ?? UNROUTABLE, source, sequence ?? -1n));
    return this.envelope(event, key, this.streams.streamFor(symbol, timestamp, receivedAt), receivedAt, timestamp, accepted);
  }

  private envelope(event: TickEvent, key: string, streamId: string, receivedAt: Date, occurredAt?: Date, accepted?: AcceptedTick): Planned {
    const eventId = tickEventId(key);
    const outcome: TickOutcome = event.type === 'TickReceived'
      ? { status: 'accepted', streamId, eventId }
      : { status: 'rejected', reason: event.data.reason, detail: event.data.detail, streamId, eventId };
    return {
      outcome,
      event: { eventId, type: event.type, occurredAt: occurredAt ?? receivedAt, data: event.data, metadata: this.metadata },
      accepted,
    };
  }

  /**
   * Appends the events not recorded yet and returns the ids that were. The store answers a fully
   * recorded batch with `written: false` and a partly recorded one with EventIdReused; the latter is
   * split in halves until each part is new or old, so a redelivery overlapping a batch costs a few
   * round trips, never a lost or doubled tick.
   */
  private async appendNew(streamId: string, events: readonly NewEvent[], after?: Promise<void>): Promise<string[]> {
    try {
      const result = await this.deps.eventStore.append(streamId, events, 'any', after === undefined ? {} : { after });
      return result.written ? [] : events.map((e) => e.eventId);
    } catch (error) {
      if (!(error instanceof EventIdReused)) throw error;
      if (events.length === 1) return [events[0]!.eventId];
      const half = Math.ceil(events.length / 2);
      const first = await this.appendNew(streamId, events.slice(0, half));
      return [...first, ...(await this.appendNew(streamId, events.slice(half)))];
    }
  }

  private async updateQuotes(accepted: readonly AcceptedTick[]): Promise<void> {
    const quotes = this.deps.quotes;
    if (!quotes || accepted.length === 0) return;
    const latest = new Map<string, AcceptedTick>();
    for (const tick of accepted) {
      if (!movesLiveMarket(tick)) continue; // history never moves the live quote
      const held = latest.get(tick.symbol);
      if (!held || tick.timestamp >= held.timestamp) latest.set(tick.symbol, tick);
    }
    await Promise.all([...latest.values()].map((tick) => quotes.update(quoteFromTick(tick))));
  }
}

/**
 * The cursor a tick is validated against. Ticks already recorded are recognised exactly, by event id,
 * and answered `duplicate`. A tick below the source's cursor that was never recorded is therefore not a
 * duplicate but a late one: JetStream redelivers a crashed consumer's messages after newer ones. It is
 * judged by time alone (OUT_OF_ORDER beyond the instrument's tolerance), never called a DUPLICATE.
 */
function judgedByTime(cursor: SourceCursor | undefined, sequence: bigint): SourceCursor | undefined {
  if (cursor === undefined || sequence > cursor.sequence) return cursor;
  return { sequence: sequence - 1n, timestamp: cursor.timestamp };
}

/**
 * Each tick's event once (the same tick twice in one batch: the first one speaks for both), grouped by
 * stream in batch order.
 */
function groupFirsts(planned: readonly Planned[]): { byStream: Map<string, NewEvent[]>; first: boolean[] } {
  const seen = new Set<string>();
  const byStream = new Map<string, NewEvent[]>();
  const first = planned.map(({ event, outcome }) => {
    if (seen.has(event.eventId)) return false;
    seen.add(event.eventId);
    const events = byStream.get(outcome.streamId);
    if (events) events.push(event);
    else byStream.set(outcome.streamId, [event]);
    return true;
  });
  return { byStream, first };
}

/**
 * A tick's stream: its instrument and its own UTC day. A rejected tick whose time cannot be trusted
 * (unreadable, or more than a day in the future) goes to the day it was received. Names are remembered
 * per (symbol, day) since nearly every tick of a batch lands in the same one.
 */
class TickStreams {
  private readonly names = new Map<string, string>();

  streamFor(symbol: string | undefined, timestamp: Date | undefined, receivedAt: Date): string {
    const routable = symbol !== undefined && ROUTABLE_SYMBOL.test(symbol) ? symbol : UNROUTABLE;
    const time = timestamp?.getTime();
    const trusted = time !== undefined && time >= 0 && time <= receivedAt.getTime() + DAY_MS;
    const at = trusted ? timestamp! : receivedAt;
    const key = `${routable}/${Math.floor(at.getTime() / DAY_MS)}`;
    let name = this.names.get(key);
    if (name === undefined) {
      // Bounded: rejected ticks can name any routable symbol.
      if (this.names.size >= 1_024) this.names.clear();
      this.names.set(key, (name = tickStreamId(routable, at)));
    }
    return name;
  }
}

// One read of the log for every projection of a projector, as the rebuild reads it. Each worker had its
// own subscription, so a page of the log was read and decoded once per projection: catching up behind an
// import, the projector's thread spent ~80% of its time decoding copies of the same events.
//
// The shared log reads pages (one subscription, the union of the projections' event types) into a small
// window; every reader takes its own events from the window's pages after its own cursor, in log order.
// A page stays while a reader still needs it. When the window is full, the next page waits for the
// slowest reader for up to LAGGARD_WAIT_MS, then the oldest page goes: a reader left behind (or one whose
// cursor lies outside the window: ahead of it, or below it after a restart) reads on with a subscription
// of its own, the way every reader did before, and comes back to the window once its cursor is in it. So
// a slow projection never makes another skip an event, nor holds it up for long.
import type { EventFilter, EventStore, RecordedEvent } from '../../domain/ports/event-store.ts';
import { BatchReader } from './batches.ts';
import { filterOf } from './lag.ts';
import type { Projection } from './types.ts';

/**
 * What a worker reads its batches from: the next batch of its events in log order, undefined once closed.
 * An empty batch says only that the reader has passed other projections' events up to `settled`: a
 * filtered projection moves its checkpoint there, so a restart does not read those events again.
 */
export interface EventBatches {
  next(): Promise<RecordedEvent[] | undefined>;
  close(): Promise<void>;
  /**
   * A position at or below which every event of the reader's filter has been handed out by an earlier
   * `next()` whose batch the caller has finished with (undefined: nothing known). Past the last event the
   * reader matched: the events it skipped between are nobody's work, so a lag counted from here does not
   * rescan them (a filtered projection's checkpoint stays at its last matching event).
   */
  readonly settled?: bigint | undefined;
}

export interface SharedLogOptions {
  /** The union of what the readers read (undefined: every event). */
  readonly filter: EventFilter | undefined;
  /** Events per page, and the most a reader's batch holds. */
  readonly pageSize: number;
  /** Pages held at most (default 4, as the rebuild). */
  readonly maxPages?: number;
  /** How long the next page waits for the slowest reader when the window is full (default 2 s). */
  readonly laggardWaitMs?: number;
  /** SubscribeOptions.marketDataEveryMs of the log's reads (the store's default when unset). */
  readonly marketDataEveryMs?: number;
}

/** Events (end, to]: every event of the filter in that range, in order. */
interface Page {
  readonly end: bigint;
  readonly to: bigint;
  readonly events: readonly RecordedEvent[];
}

const START = -1n; // before the first event
const DEFAULT_MAX_PAGES = 4;
const LAGGARD_WAIT_MS = 2_000;
/** At most this often, a reader passing only others' events says so with an empty batch. */
const PASSED_EVERY_MS = 5_000;
const asAfter = (cursor: bigint): bigint | undefined => (cursor === START ? undefined : cursor);

export class SharedLog {
  private pages: Page[] = [];
  /** The position the feed has read up to: the last page's `to`, or where it started. */
  private end = START;
  private feed: BatchReader | undefined;
  private fetching: Promise<void> | undefined;
  private released: (() => void) | undefined;
  private readonly readers = new Set<SharedReader>();
  private closed = false;

  constructor(readonly store: EventStore, readonly options: SharedLogOptions) {}

  /** A reader of `projection`'s events after `after` (exclusive; undefined: from the start). */
  reader(projection: Projection, after: bigint | undefined): EventBatches {
    const reader = new SharedReader(this, projection, after ?? START);
    this.readers.add(reader);
    return reader;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The first page holding an event after `cursor` when the window covers it; 'end' when the cursor is at the window's end. */
  pageAfter(cursor: bigint): Page | 'end' | undefined {
    if (this.feed === undefined) return undefined;
    if (cursor === this.end) return 'end';
    const first = this.pages[0];
    if (first === undefined || cursor < first.end || cursor > this.end) return undefined;
    return this.pages.find((page) => cursor < page.to);
  }

  /** Where the window starts (exclusive): the first held page's start, or the feed's position; undefined before the feed runs. */
  windowStart(): bigint | undefined {
    return this.feed === undefined ? undefined : (this.pages[0]?.end ?? this.end);
  }

  /** Whether any reader other than `reader` reads from the window now. */
  sharedByOthers(reader: SharedReader): boolean {
    for (const other of this.readers) if (other !== reader && other.shared) return true;
    return false;
  }

  /** Starts the feed again at `cursor` with an empty window (when nobody else reads from it). */
  async restartAt(cursor: bigint): Promise<void> {
    const old = this.feed;
    this.pages = [];
    this.end = cursor;
    this.feed = this.subscribe(cursor);
    this.fetching = undefined;
    await old?.close();
  }

  private subscribe(after: bigint): BatchReader {
    return this.batchesAfter(after, this.options.filter);
  }

  /** Batches of the events of `filter` after `after`, read as the log reads (page size, market-data pace). */
  batchesAfter(after: bigint, filter: EventFilter | undefined): BatchReader {
    const { pageSize, marketDataEveryMs } = this.options;
    const subscription = this.store.subscribe({ after: asAfter(after), filter, batchSize: pageSize, ...(marketDataEveryMs === undefined ? {} : { marketDataEveryMs }) });
    return new BatchReader(subscription, pageSize);
  }

  /** Reads the next page into the window: one read for every reader waiting at the end. */
  fetch(): Promise<void> {
    if (this.fetching === undefined) {
      const fetching = this.readPage().finally(() => { if (this.fetching === fetching) this.fetching = undefined; });
      this.fetching = fetching;
    }
    return this.fetching;
  }

  private async readPage(): Promise<void> {
    const maxPages = this.options.maxPages ?? DEFAULT_MAX_PAGES;
    if (this.pages.length >= maxPages) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { this.released = undefined; resolve(); }, this.options.laggardWaitMs ?? LAGGARD_WAIT_MS);
        this.released = () => { clearTimeout(timer); this.released = undefined; resolve(); };
      });
      if (this.pages.length >= maxPages) this.dropOldest();
    }
    const feed = this.feed!;
    let batch: RecordedEvent[] | undefined;
    try {
      batch = await feed.next();
    } catch (error) {
      // A failed read leaves the subscription unusable: the next fetch reads again from the same place.
      if (feed === this.feed) this.feed = this.subscribe(this.end);
      await feed.close().catch(() => undefined);
      throw error;
    }
    if (batch === undefined || batch.length === 0 || feed !== this.feed) return; // closed, or restarted meanwhile
    const to = batch[batch.length - 1]!.globalPosition;
    this.pages.push({ end: this.end, to, events: batch });
    this.end = to;
  }

  /** The slowest readers waited for long enough: they read on by themselves when they come back. */
  private dropOldest(): void {
    this.pages.shift();
    const start = this.pages[0]?.end ?? this.end;
    for (const reader of this.readers) if (reader.shared && reader.cursor < start) reader.shared = false;
  }

  /** Drops the pages every reader of the window is past. */
  release(): void {
    let lowest: bigint | undefined;
    for (const reader of this.readers) if (reader.shared && (lowest === undefined || reader.cursor < lowest)) lowest = reader.cursor;
    const before = this.pages.length;
    while (this.pages.length > 0 && (lowest === undefined || this.pages[0]!.to <= lowest)) this.pages.shift();
    if (this.pages.length < before) this.released?.();
  }

  detach(reader: SharedReader): void {
    this.readers.delete(reader);
    this.release();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.readers].map((r) => r.close()));
    this.pages = [];
    await this.feed?.close();
  }
}

class SharedReader implements EventBatches {
  /** Reading from the window (false: from a subscription of its own, or closed). */
  shared = false;
  private settledAt: bigint;
  /** When an empty batch last told the worker how far it had passed (0: never, so the first comes at once). */
  private passedAt = 0;
  private own: BatchReader | undefined;
  private closed = false;
  private readonly closing: Promise<undefined>;
  private wakeClosed: () => void = () => undefined;
  private readonly types: ReadonlySet<string> | 'all';

  constructor(private readonly log: SharedLog, private readonly projection: Projection, public cursor: bigint) {
    this.closing = new Promise<undefined>((resolve) => { this.wakeClosed = () => resolve(undefined); });
    this.types = projection.eventTypes === 'all' ? 'all' : new Set(projection.eventTypes);
    this.settledAt = cursor;
  }

  get settled(): bigint | undefined {
    return asAfter(this.settledAt);
  }

  async next(): Promise<RecordedEvent[] | undefined> {
    // Called again: the caller is done with every batch handed out before.
    this.settledAt = this.cursor;
    while (!this.closed && !this.log.isClosed) {
      if (this.own) {
        const batch = await this.ownBatch(this.own);
        if (batch !== undefined) return batch;
        continue; // closed, or back to the window
      }
      const at = this.log.pageAfter(this.cursor);
      if (at === 'end') {
        this.shared = true;
        await Promise.race([this.log.fetch(), this.closing]);
      } else if (at !== undefined) {
        this.shared = true;
        const batch = this.take();
        this.log.release();
        if (batch.length > 0) return batch;
        this.settledAt = this.cursor; // only others' events in those pages
        if (this.sayPassed()) return [];
      } else if (!this.log.sharedByOthers(this)) {
        this.shared = true;
        await this.log.restartAt(this.cursor);
      } else if (await this.skipToWindow()) {
        if (this.sayPassed()) return [];
      } else {
        this.shared = false;
        this.log.release();
        this.own = this.log.batchesAfter(this.cursor, filterOf(this.projection));
      }
    }
    return undefined;
  }

  /** Whether to tell the worker now (an empty batch) how far it has passed: at most every PASSED_EVERY_MS. */
  private sayPassed(): boolean {
    if (Date.now() - this.passedAt < PASSED_EVERY_MS) return false;
    this.passedAt = Date.now();
    return true;
  }

  /**
   * Below the window with none of its own events between its cursor and the window's start (one indexed
   * read of its filter): the reader joins the window there. A projection of rare events (the controls, on a
   * store without any) would otherwise read on by itself from its last event, for good, since the events
   * that would bring it back never come.
   */
  private async skipToWindow(): Promise<boolean> {
    const start = this.log.windowStart();
    if (start === undefined || this.cursor >= start) return false;
    const page = await this.log.store.readAll({ after: asAfter(this.cursor), filter: filterOf(this.projection), maxCount: 1 });
    const next = page.events[0];
    const clear = next === undefined ? (page.checkpoint ?? START) >= start : next.globalPosition > start;
    if (!clear) return false;
    this.cursor = start;
    this.settledAt = start;
    return true;
  }

  /** This projection's events from the window's pages after the cursor, up to a page's worth; the cursor moves past them. */
  private take(): RecordedEvent[] {
    const batch: RecordedEvent[] = [];
    for (let page = this.log.pageAfter(this.cursor); page !== undefined && page !== 'end'; page = this.log.pageAfter(this.cursor)) {
      for (const event of page.events) {
        if (event.globalPosition > this.cursor && (this.types === 'all' || this.types.has(event.type))) batch.push(event);
      }
      this.cursor = page.to;
      if (batch.length >= this.log.options.pageSize) break;
    }
    return batch;
  }

  /** A batch from its own subscription; back to the window (undefined) once its cursor is in it. */
  private async ownBatch(own: BatchReader): Promise<RecordedEvent[] | undefined> {
    const batch = await Promise.race([own.next(), this.closing]);
    if (batch === undefined) {
      if (!this.closed) this.own = undefined; // its subscription ended: look at the window again
      return undefined;
    }
    this.cursor = batch[batch.length - 1]!.globalPosition;
    if (this.log.pageAfter(this.cursor) !== undefined) {
      this.own = undefined;
      this.shared = true;
      await own.close();
    }
    return batch;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.shared = false;
    this.wakeClosed();
    this.log.detach(this);
    await this.own?.close();
  }
}

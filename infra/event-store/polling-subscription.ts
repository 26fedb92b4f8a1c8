// Catch-up then live over any paged reader: read a page when the consumer wants more, and when caught
// up wait for a wake-up rather than polling. Backpressure is natural: nothing is read ahead of the
// consumer beyond one page. A page that reached the end of the log is not followed by a read that
// finds nothing: the subscription waits for an append its filter can match since that page was read.
import type { EventFilter, ReadAllPage, RecordedEvent, Subscription } from '../../domain/ports/event-store.ts';
import type { WakeSignal } from './wake-signal.ts';

export interface PollingSubscriptionOptions {
  readonly readPage: (after: bigint | undefined) => Promise<ReadAllPage>;
  /** Whether committed events exist past `after` that are not yet readable (an older writer is in flight). */
  readonly hasHiddenEvents: (after: bigint | undefined) => Promise<boolean>;
  readonly wake: WakeSignal;
  /** What readPage selects: only an append that can match it wakes this subscription. */
  readonly filter?: EventFilter;
  /** SubscribeOptions.marketDataEveryMs. */
  readonly marketDataEveryMs?: number;
  readonly after?: bigint;
  readonly onClose?: () => void;
  /** Safety net if a wake-up is ever missed (a dropped LISTEN connection). Not a busy poll. */
  readonly idleRecheckMs?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

export class PollingSubscription implements Subscription {
  private buffer: RecordedEvent[] = [];
  private after: bigint | undefined;
  /** The wake generation read before the last page, when that page reached the end of the log. */
  private caughtUpAt: number | undefined;
  private lastReadAt: number | undefined;
  private readonly abort = new AbortController();
  private pending: Promise<IteratorResult<RecordedEvent>> = Promise.resolve({ done: false, value: undefined as never });

  constructor(private readonly options: PollingSubscriptionOptions) {
    this.after = options.after;
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return {
      next: () => (this.pending = this.pending.then(() => this.nextEvent(), () => this.nextEvent())),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  private async nextEvent(): Promise<IteratorResult<RecordedEvent>> {
    let hiddenBackoffMs = 2;
    while (!this.abort.signal.aborted) {
      const event = this.buffer.shift();
      if (event) return { done: false, value: event };
      const caughtUpAt = this.caughtUpAt;
      this.caughtUpAt = undefined;
      if (caughtUpAt !== undefined) {
        if (await this.options.hasHiddenEvents(this.after)) {
          await sleep(hiddenBackoffMs, this.abort.signal);
          hiddenBackoffMs = Math.min(hiddenBackoffMs * 2, 100);
          continue;
        }
        hiddenBackoffMs = 2;
        await this.options.wake.waitForChange(caughtUpAt, this.options.idleRecheckMs ?? 5_000, this.abort.signal,
          { filter: this.options.filter, lastReadAt: this.lastReadAt, ...(this.options.marketDataEveryMs === undefined ? {} : { marketDataEveryMs: this.options.marketDataEveryMs }) });
        if (this.abort.signal.aborted) break;
      }
      const seen = this.options.wake.generation();
      this.lastReadAt = performance.now();
      const page = await this.options.readPage(this.after);
      this.after = page.checkpoint ?? this.after;
      this.buffer = [...page.events];
      if (!page.hasMore) this.caughtUpAt = seen;
    }
    return { done: true, value: undefined };
  }

  async close(): Promise<void> {
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    this.buffer = [];
    this.options.onClose?.();
  }
}

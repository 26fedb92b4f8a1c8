// Turns a subscription (one event at a time) into batches: wait for the first event, then take every
// event that is already buffered without waiting for another round trip. During catch-up a batch is a
// whole page; live, it is whatever arrived together.
import type { RecordedEvent, Subscription } from '../../domain/ports/event-store.ts';

const NOT_READY = Symbol('not ready');

export class BatchReader {
  private readonly iterator: AsyncIterator<RecordedEvent>;
  private pending: Promise<IteratorResult<RecordedEvent>> | undefined;
  private done = false;

  constructor(private readonly subscription: Subscription, private readonly maxBatch: number) {
    this.iterator = subscription[Symbol.asyncIterator]();
  }

  /** The next batch, or undefined once the subscription is closed. */
  async next(): Promise<RecordedEvent[] | undefined> {
    if (this.done) return undefined;
    const first = await this.read();
    this.pending = undefined;
    if (first.done) { this.done = true; return undefined; }
    const batch = [first.value];
    // One macrotask for the whole batch: every event already buffered resolves in microtasks before it runs.
    const cut = new Promise<typeof NOT_READY>((resolve) => setImmediate(() => resolve(NOT_READY)));
    while (batch.length < this.maxBatch) {
      const ready = await Promise.race([this.read(), cut]);
      // Not ready: the read in flight stays pending and its event opens the next batch; nothing is dropped.
      if (ready === NOT_READY) break;
      this.pending = undefined;
      if (ready.done) { this.done = true; break; }
      batch.push(ready.value);
    }
    return batch;
  }

  /** The read in flight, or a new one. Only a caller that uses its result clears it. */
  private read(): Promise<IteratorResult<RecordedEvent>> {
    return (this.pending ??= this.iterator.next());
  }

  async close(): Promise<void> {
    this.done = true;
    await this.subscription.close();
  }
}

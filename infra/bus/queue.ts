// A bounded push-to-pull queue behind each live subscription. A subscriber that stops reading loses the
// oldest messages rather than growing the process without bound: live views re-query on reconnect anyway.
import type { LiveMessage, LiveSubscription } from './live-bus.ts';

export const DEFAULT_QUEUE_LIMIT = 10_000;

export class LiveQueue<Payload> implements LiveSubscription<Payload> {
  private readonly buffered: LiveMessage<Payload>[] = [];
  private readonly waiting: Array<(result: IteratorResult<LiveMessage<Payload>>) => void> = [];
  private closed = false;
  dropped = 0;
  ready: Promise<void> = Promise.resolve();

  constructor(private readonly limit = DEFAULT_QUEUE_LIMIT, private readonly onClose: () => void = () => undefined) {}

  push(message: LiveMessage<Payload>): void {
    if (this.closed) return;
    const reader = this.waiting.shift();
    if (reader) return reader({ value: message, done: false });
    if (this.buffered.length >= this.limit) {
      this.buffered.shift();
      this.dropped += 1;
    }
    this.buffered.push(message);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffered.length = 0;
    for (const reader of this.waiting.splice(0)) reader({ value: undefined, done: true });
    this.onClose();
  }

  [Symbol.asyncIterator](): AsyncIterator<LiveMessage<Payload>> {
    return {
      next: () => {
        const message = this.buffered.shift();
        if (message) return Promise.resolve({ value: message, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiting.push(resolve));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

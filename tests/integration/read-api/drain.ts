// Reads an async iterable into an array in the background, so a test can wait for "n messages by now"
// without leaving an orphaned next() behind that would swallow the following message.
export class Drain<T> {
  readonly items: T[] = [];
  ended = false;

  constructor(source: AsyncIterable<T>) {
    void (async () => {
      try { for await (const item of source) this.items.push(item); } finally { this.ended = true; }
    })();
  }

  /** Resolves with the first `count` items once there are that many, or with what arrived by the timeout. */
  async first(count: number, timeoutMs = 3_000): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length < count && !this.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.items.slice(0, count);
  }

  /** Resolves with the first item that passes `test`, or undefined by the timeout. */
  async find(test: (item: T) => boolean, timeoutMs = 5_000): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.items.find(test);
      if (found !== undefined || this.ended || Date.now() >= deadline) return found;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

// Batches from a subscription: what is buffered goes together, and an event whose read was still in
// flight when a batch closed opens the next batch instead of being lost.
import { describe, expect, it } from 'vitest';
import type { RecordedEvent, Subscription } from '../../../domain/ports/event-store.ts';
import { BatchReader } from '../../../projections/engine/batches.ts';

const event = (n: number) => ({ globalPosition: BigInt(n), type: 'T' }) as unknown as RecordedEvent;

/** Pages of events; each page after the first arrives only when `release()` is called. */
function pagedSubscription(pages: number[][]) {
  const waiting: Array<() => void> = [];
  let closed = false;
  async function* events() {
    for (const [i, page] of pages.entries()) {
      if (i > 0) await new Promise<void>((resolve) => waiting.push(resolve));
      for (const n of page) yield event(n);
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  const iterator = events();
  const subscription: Subscription = {
    [Symbol.asyncIterator]: () => ({ next: () => (closed ? Promise.resolve({ done: true, value: undefined }) : iterator.next()) }),
    close: async () => { closed = true; waiting.splice(0).forEach((r) => r()); },
  };
  return { subscription, release: () => waiting.shift()?.() };
}

const positions = (batch: RecordedEvent[] | undefined) => batch?.map((e) => Number(e.globalPosition));

describe('BatchReader', () => {
  it('takes every buffered event into one batch, up to the maximum', async () => {
    const { subscription } = pagedSubscription([[1, 2, 3, 4, 5]]);
    const reader = new BatchReader(subscription, 3);
    expect(positions(await reader.next())).toEqual([1, 2, 3]);
    expect(positions(await reader.next())).toEqual([4, 5]);
  });

  it('keeps the event of a read that finishes between two batches', async () => {
    const { subscription, release } = pagedSubscription([[1, 2], [3, 4], [5]]);
    const reader = new BatchReader(subscription, 10);
    expect(positions(await reader.next())).toEqual([1, 2]);
    release(); // the next page arrives while the first batch is being applied
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(positions(await reader.next())).toEqual([3, 4]);
    release();
    expect(positions(await reader.next())).toEqual([5]);
  });

  it('ends when the subscription closes', async () => {
    const { subscription } = pagedSubscription([[1]]);
    const reader = new BatchReader(subscription, 10);
    await reader.next();
    const pending = reader.next();
    await reader.close();
    expect(await pending).toBeUndefined();
  });
});

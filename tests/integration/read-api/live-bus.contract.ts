// One contract for every LiveBus adapter: topics and patterns, fan-out, JSON payloads with bigints as
// strings, closing a subscription, and that close() ends every subscriber.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LiveBus, LiveMessage, LiveSubscription } from '../../../infra/bus/index.ts';
import { LIVE_TOPICS } from '../../../infra/bus/index.ts';

async function take<T>(sub: LiveSubscription<T>, count: number, timeoutMs = 2_000): Promise<LiveMessage<T>[]> {
  const got: LiveMessage<T>[] = [];
  const iterator = sub[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (got.length < count) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const next = await Promise.race([iterator.next(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), remaining))]);
    if (next === 'timeout' || next.done) break;
    got.push(next.value);
  }
  return got;
}

export function liveBusContract(name: string, open: () => Promise<LiveBus>, prefix: () => string): void {
  describe(`LiveBus contract: ${name}`, () => {
    let bus: LiveBus;
    let p: string;
    beforeEach(async () => { bus = await open(); p = prefix(); });
    afterEach(async () => { await bus.close(); });

    it('delivers a published message to a subscriber of its topic, bigints as decimal strings', async () => {
      const sub = bus.subscribe<{ price: string; qty: string }>(`${p}.quotes.XAUUSD`);
      await sub.ready;
      await bus.publish(`${p}.quotes.XAUUSD`, { price: 236_512n, qty: '1' });
      const [message] = await take(sub, 1);
      expect(message).toEqual({ topic: `${p}.quotes.XAUUSD`, payload: { price: '236512', qty: '1' } });
      sub.close();
    });

    it('matches * to one token and > to the rest, and leaves other topics out', async () => {
      const star = bus.subscribe(`${p}.account.*`);
      const tail = bus.subscribe(`${p}.>`);
      await Promise.all([star.ready, tail.ready]);
      await bus.publish(`${p}.account.A1`, { n: 1 });
      await bus.publish(`${p}.quotes.XAUUSD`, { n: 2 });
      await bus.publish(`${p}.account.A2`, { n: 3 });
      expect((await take(star, 2)).map((m) => m.payload)).toEqual([{ n: 1 }, { n: 3 }]);
      expect((await take(tail, 3)).map((m) => m.topic)).toEqual([`${p}.account.A1`, `${p}.quotes.XAUUSD`, `${p}.account.A2`]);
      expect(await take(star, 1, 200)).toEqual([]);
    });

    it('fans out to every subscriber and keeps publish order per topic', async () => {
      const a = bus.subscribe(`${p}.control`);
      const b = bus.subscribe(`${p}.control`);
      await Promise.all([a.ready, b.ready]);
      for (let i = 0; i < 50; i++) await bus.publish(`${p}.control`, { i });
      const expected = Array.from({ length: 50 }, (_, i) => ({ i }));
      expect((await take(a, 50)).map((m) => m.payload)).toEqual(expected);
      expect((await take(b, 50)).map((m) => m.payload)).toEqual(expected);
    });

    it('stops delivering to a closed subscription, and ends its iteration', async () => {
      const sub = bus.subscribe(`${p}.control`);
      await sub.ready;
      sub.close();
      await bus.publish(`${p}.control`, { late: true });
      const iterator = sub[Symbol.asyncIterator]();
      expect(await iterator.next()).toEqual({ value: undefined, done: true });
    });

    it('ends every open subscription on close()', async () => {
      const sub = bus.subscribe(`${p}.quotes.*`);
      await sub.ready;
      const pending = sub[Symbol.asyncIterator]().next();
      await bus.close();
      expect(await pending).toEqual({ value: undefined, done: true });
      bus = await open(); // afterEach closes it again
    });

    it('refuses wildcards in a published topic and malformed patterns', async () => {
      await expect(bus.publish(`${p}.quotes.*`, {})).rejects.toThrow(/topic/);
      expect(() => bus.subscribe(`${p}.>.x`)).toThrow(/pattern/);
    });

    it('encodes ids that would break a topic into one token', () => {
      expect(LIVE_TOPICS.account('desk.one *')).toBe('live.account.desk%2Eone%20%2A');
    });
  });
}

// The in-process bus of embedded mode: every role runs in one process, so fan-out is a loop.
import { assertPattern, assertTopic, topicMatches, encodeLive, type LiveBus, type LiveSubscription } from './live-bus.ts';
import { DEFAULT_QUEUE_LIMIT, LiveQueue } from './queue.ts';

export function createMemoryLiveBus(options: { queueLimit?: number } = {}): LiveBus {
  const subscribers = new Set<{ pattern: string; queue: LiveQueue<unknown> }>();
  return {
    async publish(topic, payload) {
      assertTopic(topic);
      // Round-trip through JSON so subscribers see exactly what a NATS subscriber would (bigints as strings).
      const copy: unknown = JSON.parse(encodeLive(payload));
      for (const s of subscribers) if (topicMatches(s.pattern, topic)) s.queue.push({ topic, payload: copy });
    },
    subscribe<Payload>(pattern: string): LiveSubscription<Payload> {
      assertPattern(pattern);
      const entry = { pattern, queue: undefined as unknown as LiveQueue<unknown> };
      entry.queue = new LiveQueue<unknown>(options.queueLimit ?? DEFAULT_QUEUE_LIMIT, () => subscribers.delete(entry));
      subscribers.add(entry);
      return entry.queue as LiveQueue<Payload>;
    },
    async close() {
      for (const s of [...subscribers]) s.queue.close();
    },
  };
}

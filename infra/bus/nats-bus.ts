// The live bus over NATS core pub/sub: at-most-once fan-out to every API instance. JetStream is not
// needed here; the event store is the durable record and clients re-query after a reconnect.
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { assertPattern, assertTopic, encodeLive, type LiveBus, type LiveSubscription } from './live-bus.ts';
import { DEFAULT_QUEUE_LIMIT, LiveQueue } from './queue.ts';

export interface NatsLiveBusOptions {
  readonly servers: string;
  readonly name?: string;
  readonly queueLimit?: number;
}

export async function connectNatsLiveBus(options: NatsLiveBusOptions): Promise<LiveBus> {
  const nc = await connect({ servers: options.servers, name: options.name ?? 'nicegold-live-bus', maxReconnectAttempts: -1 });
  return natsLiveBus(nc, options.queueLimit, true);
}

/** A bus on an existing connection; `ownsConnection` decides whether `close()` drains it. */
export function natsLiveBus(nc: NatsConnection, queueLimit = DEFAULT_QUEUE_LIMIT, ownsConnection = false): LiveBus {
  const open = new Set<{ sub: Subscription; queue: LiveQueue<unknown> }>();
  return {
    async publish(topic, payload) {
      assertTopic(topic);
      nc.publish(topic, encodeLive(payload));
    },
    subscribe<Payload>(pattern: string): LiveSubscription<Payload> {
      assertPattern(pattern);
      const sub = nc.subscribe(pattern);
      const entry = { sub, queue: undefined as unknown as LiveQueue<unknown> };
      entry.queue = new LiveQueue<unknown>(queueLimit, () => { open.delete(entry); sub.unsubscribe(); });
      open.add(entry);
      entry.queue.ready = nc.flush();
      void pump(sub, entry.queue);
      return entry.queue as LiveQueue<Payload>;
    },
    async close() {
      for (const entry of [...open]) entry.queue.close();
      if (ownsConnection && !nc.isClosed()) await nc.drain();
    },
  };
}

async function pump(sub: Subscription, queue: LiveQueue<unknown>): Promise<void> {
  try {
    for await (const message of sub) {
      let payload: unknown;
      try {
        payload = message.json();
      } catch {
        continue; // not ours: someone published a non-JSON message on a live subject
      }
      queue.push({ topic: message.subject, payload });
    }
  } finally {
    queue.close();
  }
}

// The live publisher: follows the event store from its head and publishes each recorded event to the live
// bus, so an API instance streams events that any other instance (or role) wrote. One instance publishes
// at a time: a lease in the key-value store (Redis across processes) elects it, and a standby takes over
// from the head when the lease lapses. Live streaming is best effort; queries are the record.
import { randomUUID } from 'node:crypto';
import { movesLiveMarket } from '../../domain/market-data/index.ts';
import type { EventStore, RecordedEvent, Subscription } from '../../domain/ports/event-store.ts';
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import { LIVE_TOPICS, type LiveBus } from './live-bus.ts';

/** What a live subscriber receives: the recorded event, JSON-safe (bigints become decimal strings on the wire). */
export interface LiveEvent {
  readonly type: string;
  readonly streamId: string;
  readonly position: string;
  readonly revision: string;
  readonly occurredAt: string;
  readonly data: Record<string, unknown>;
}

export interface LivePublisherLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface LivePublisherOptions {
  readonly eventStore: EventStore;
  readonly bus: LiveBus;
  readonly keyValue: KeyValueStore;
  readonly logger?: LivePublisherLogger;
  readonly leaseKey?: string;
  readonly leaseMs?: number;
}

export interface RunningLivePublisher {
  /** True while this instance holds the lease and publishes. */
  isLeader(): boolean;
  stop(): Promise<void>;
}

/** The topic an event goes to, or undefined for events no live view shows. */
export function topicOf(event: RecordedEvent): string | undefined {
  if (event.streamId.startsWith('account-')) return LIVE_TOPICS.account(event.streamId.slice('account-'.length));
  if (event.streamId.startsWith('control-')) return LIVE_TOPICS.control;
  if (event.type === 'TickReceived' && typeof event.data.symbol === 'string') return movesLiveMarket(event.data) ? LIVE_TOPICS.quotes(event.data.symbol) : undefined;
  return undefined;
}

export const toLiveEvent = (e: RecordedEvent): LiveEvent => ({
  type: e.type, streamId: e.streamId, position: e.globalPosition.toString(), revision: e.revision.toString(),
  occurredAt: e.occurredAt.toISOString(), data: e.data,
});

const silent: LivePublisherLogger = { info: () => undefined, warn: () => undefined };

export function startLivePublisher(options: LivePublisherOptions): RunningLivePublisher {
  const logger = options.logger ?? silent;
  const leaseKey = options.leaseKey ?? 'live-publisher:lease';
  const leaseMs = options.leaseMs ?? 5_000;
  const holder = randomUUID();
  let leader = false;
  let following: { subscription: Subscription; done: Promise<void> } | undefined;
  let stopped = false;

  const follow = async (): Promise<void> => {
    const head = await options.eventStore.headPosition();
    const subscription = options.eventStore.subscribe({ after: head });
    const done = publishAll(subscription, options.bus, logger).then(() => {
      if (following?.subscription === subscription) following = undefined; // failed: the next lease check follows again
    });
    following = { subscription, done };
    logger.info({ after: head?.toString() ?? null }, 'live publisher following the log');
  };
  const unfollow = async (): Promise<void> => {
    const current = following;
    following = undefined;
    if (current) { await current.subscription.close(); await current.done; }
  };

  const tick = async (): Promise<void> => {
    if (stopped) return;
    const held = leader ? (await options.keyValue.get(leaseKey)) === holder : await options.keyValue.setIfAbsent(leaseKey, holder, leaseMs);
    if (held) await options.keyValue.set(leaseKey, holder, leaseMs);
    if (held && (!leader || !following)) { leader = true; await follow(); }
    if (!held && leader) { leader = false; logger.warn({}, 'live publisher lost its lease; standing by'); await unfollow(); }
  };
  let running = tick().catch((error: unknown) => logger.warn({ err: error }, 'live publisher lease check failed'));
  const timer = setInterval(() => {
    running = running.then(tick).catch((error: unknown) => logger.warn({ err: error }, 'live publisher lease check failed'));
  }, Math.max(50, Math.floor(leaseMs / 3)));

  return {
    isLeader: () => leader,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await unfollow();
      if (leader && (await options.keyValue.get(leaseKey).catch(() => undefined)) === holder) await options.keyValue.delete(leaseKey).catch(() => undefined);
      leader = false;
    },
  };
}

async function publishAll(subscription: Subscription, bus: LiveBus, logger: LivePublisherLogger): Promise<void> {
  try {
    for await (const event of subscription) {
      const topic = topicOf(event);
      if (topic) await bus.publish(topic, toLiveEvent(event));
    }
  } catch (error) {
    logger.warn({ err: error }, 'live publisher stopped following the log');
  }
}

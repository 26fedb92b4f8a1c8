// The live-event bus: the port, its NATS and in-process adapters, and the publisher that feeds it from the log.
export { LIVE_TOPICS, assertPattern, assertTopic, encodeLive, topicMatches, topicToken, type LiveBus, type LiveMessage, type LiveSubscription } from './live-bus.ts';
export { createMemoryLiveBus } from './memory-bus.ts';
import type { LiveBus } from './live-bus.ts';
import type { NatsLiveBusOptions } from './nats-bus.ts';
export type { NatsLiveBusOptions };

/** The NATS bus (nats-bus.ts), imported when first connected: a process on the in-process bus never loads the NATS client. */
export async function connectNatsLiveBus(options: NatsLiveBusOptions): Promise<LiveBus> {
  return (await import('./nats-bus.ts')).connectNatsLiveBus(options);
}
export { startLivePublisher, toLiveEvent, topicOf, type LiveEvent, type LivePublisherOptions, type RunningLivePublisher } from './live-publisher.ts';

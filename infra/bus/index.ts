// The live-event bus: the port, its NATS and in-process adapters, and the publisher that feeds it from the log.
export { LIVE_TOPICS, assertPattern, assertTopic, encodeLive, topicMatches, topicToken, type LiveBus, type LiveMessage, type LiveSubscription } from './live-bus.ts';
export { createMemoryLiveBus } from './memory-bus.ts';
export { connectNatsLiveBus, natsLiveBus, type NatsLiveBusOptions } from './nats-bus.ts';
export { startLivePublisher, toLiveEvent, topicOf, type LiveEvent, type LivePublisherOptions, type RunningLivePublisher } from './live-publisher.ts';

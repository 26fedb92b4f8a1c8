// The ingest role's JetStream intake: the durable consumer on md.ticks.>, its metrics, and the connection.
// A module of its own so that a process without NATS_URL never imports the NATS client.
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { TickIngester } from '../../commands/market-data/tick-ingester.ts';
import type { Logger } from '../logging/logger.ts';
import { registerJetStreamMetrics } from '../metrics/jetstream.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { ensureTickConsumer, ensureTickStream } from '../nats/jetstream.ts';
import { startTickConsumer, type RunningTickConsumer } from '../nats/tick-consumer.ts';

export interface JetStreamIntake {
  readonly nc: NatsConnection;
  readonly consumer: RunningTickConsumer;
}

/** Connects, makes sure the tick stream and the durable consumer exist, and starts consuming; closes the connection if any of it fails. */
export async function startJetStreamIntake(options: { natsUrl: string; ingester: TickIngester; metrics: Metrics; log: Logger }): Promise<JetStreamIntake> {
  const { ingester, metrics, log } = options;
  const nc = await connect({ servers: options.natsUrl, name: 'nicegold-ingest' });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = await ensureTickStream(jsm);
    const durable = await ensureTickConsumer(jsm, { stream });
    registerJetStreamMetrics(metrics, jsm, { stream, consumer: durable }, (error) => log.warn({ err: error }, 'JetStream consumer info for /metrics failed'));
    const consumer = await startTickConsumer({ nc, stream, ingest: (batch) => ingester.ingest(batch), logger: log });
    log.info({ stream }, 'consuming ticks from JetStream');
    return { nc, consumer };
  } catch (error) {
    await nc.close();
    throw error;
  }
}

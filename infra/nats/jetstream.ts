// JetStream set-up for ticks: the stream that stores them and the durable pull consumer the ingest role
// reads. Both are created when missing and left alone when present, so any number of starts is safe.
import { AckPolicy, DeliverPolicy, ReplayPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { TICK_SUBJECTS } from './tick-messages.ts';

export const TICK_STREAM = 'MD_TICKS';
export const TICK_CONSUMER = 'ingest';

export interface TickStreamOptions {
  readonly stream?: string;
  readonly subjects?: readonly string[];
  /** How long JetStream keeps ticks (the event store keeps them forever). */
  readonly maxAgeMs?: number;
}

export async function ensureTickStream(jsm: JetStreamManager, options: TickStreamOptions = {}): Promise<string> {
  const name = options.stream ?? TICK_STREAM;
  try {
    await jsm.streams.info(name);
  } catch {
    await jsm.streams.add({
      name,
      subjects: [...(options.subjects ?? [TICK_SUBJECTS])],
      storage: StorageType.File,
      max_age: nanos(options.maxAgeMs ?? 7 * 86_400_000),
      // Publishers that set Nats-Msg-Id (the tick's idempotency key) are deduplicated within this window.
      duplicate_window: nanos(120_000),
    });
  }
  return name;
}

export interface TickConsumerOptions {
  readonly stream?: string;
  readonly durable?: string;
  /** Unacknowledged messages the server lets out at once: the bound on in-flight ticks. */
  readonly maxAckPending?: number;
  /** A message not acknowledged within this is delivered again. */
  readonly ackWaitMs?: number;
}

export async function ensureTickConsumer(jsm: JetStreamManager, options: TickConsumerOptions = {}): Promise<string> {
  const stream = options.stream ?? TICK_STREAM;
  const durable = options.durable ?? TICK_CONSUMER;
  try {
    await jsm.consumers.info(stream, durable);
  } catch {
    await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      replay_policy: ReplayPolicy.Instant,
      max_ack_pending: options.maxAckPending ?? 10_000,
      ack_wait: nanos(options.ackWaitMs ?? 30_000),
    });
  }
  return durable;
}

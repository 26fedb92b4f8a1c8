// Reads the durable JetStream consumer and hands ticks to the ingester in batches. A message is
// acknowledged only after the append that records it has resolved; if the append fails the batch is
// negatively acknowledged and comes back later (with any batch validated on top of it). In flight at
// most: the consumer's max_ack_pending on the server, and here two batches in the ingester plus what
// arrives meanwhile. Messages arriving while batches are in flight form the next batch, so batches grow
// with load and stay small (low latency) when it is light.
import { jetstream, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { TickSubmission } from '../../commands/market-data/tick-ingester.ts';
import type { Logger } from '../logging/logger.ts';
import { TICK_CONSUMER, TICK_STREAM } from './jetstream.ts';
import { decodeTickMessage } from './tick-messages.ts';

export interface TickConsumerDeps {
  readonly nc: NatsConnection;
  readonly ingest: (batch: readonly TickSubmission[]) => Promise<unknown>;
  readonly stream?: string;
  readonly durable?: string;
  /** Most messages per ingest call (and per pull). */
  readonly batchSize?: number;
  /** How long a failed batch waits before JetStream delivers it again. */
  readonly retryDelayMs?: number;
  readonly logger?: Logger;
}

export interface RunningTickConsumer {
  /** Messages acknowledged so far. */
  acknowledged(): number;
  /** Stops pulling, finishes and acknowledges the messages already received. */
  stop(): Promise<void>;
  /** Stops at once without acknowledging anything more, as a crash would: unacknowledged messages come back. */
  abort(): Promise<void>;
}

const decoder = new TextDecoder();

export async function startTickConsumer(deps: TickConsumerDeps): Promise<RunningTickConsumer> {
  const stream = deps.stream ?? TICK_STREAM;
  const batchSize = deps.batchSize ?? 1_000;
  const consumer = await jetstream(deps.nc).consumers.get(stream, deps.durable ?? TICK_CONSUMER);
  const buffer: JsMsg[] = [];
  let flushing: Promise<void> | undefined;
  let aborted = false;
  let acked = 0;

  const handle = async (batch: JsMsg[]): Promise<void> => {
    const submissions = batch.map((msg) => decodeTickMessage(decoder.decode(msg.data), { stream, streamSequence: msg.seq, subject: msg.subject }));
    try {
      await deps.ingest(submissions);
    } catch (error) {
      deps.logger?.error({ err: error, messages: batch.length }, 'tick batch not recorded; it will be delivered again');
      if (!aborted) for (const msg of batch) msg.nak(deps.retryDelayMs ?? 1_000);
      return;
    }
    if (aborted) return;
    for (const msg of batch) msg.ack();
    acked += batch.length;
  };

  // Two batches in flight: the ingester validates the next while the previous one's appends are on their
  // way to disk. Each is acknowledged (or refused) when its own ingest settles, and those settle in order.
  const flush = async (): Promise<void> => {
    const inFlight: Array<Promise<void>> = [];
    while (!aborted && (buffer.length > 0 || inFlight.length > 0)) {
      if (buffer.length > 0 && inFlight.length < 2) inFlight.push(handle(buffer.splice(0, batchSize)));
      else await inFlight.shift();
    }
    await Promise.all(inFlight);
    flushing = undefined;
  };

  const messages: ConsumerMessages = await consumer.consume({
    max_messages: batchSize,
    callback: (msg) => {
      if (aborted) return;
      buffer.push(msg);
      flushing ??= flush();
    },
  });
  void messages.closed().then((error) => {
    if (error) deps.logger?.error({ err: error }, 'tick consumer stopped');
  });

  return {
    acknowledged: () => acked,
    async stop() {
      await messages.close();
      await flushing;
    },
    async abort() {
      aborted = true;
      buffer.length = 0;
      await messages.close();
    },
  };
}

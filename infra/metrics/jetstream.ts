// JetStream consumer lag for the ingest role, read from the server at each scrape: messages in the
// stream the durable consumer has not been handed yet, and those handed out but not acknowledged.
import type { JetStreamManager } from '@nats-io/jetstream';
import { Gauge } from 'prom-client';
import type { Metrics } from './metrics.ts';

export interface ConsumerRef {
  readonly stream: string;
  readonly consumer: string;
}

export function registerJetStreamMetrics(metrics: Metrics, jsm: JetStreamManager, ref: ConsumerRef, onError?: (error: unknown) => void): void {
  const registers = [metrics.registry];
  const labels = { stream: ref.stream, consumer: ref.consumer };
  let last: { at: number; info: Promise<{ pending: number; ackPending: number } | undefined> } | undefined;
  const read = () => {
    const now = Date.now();
    if (!last || now - last.at > 1_000) {
      last = {
        at: now,
        info: jsm.consumers.info(ref.stream, ref.consumer).then(
          (info) => ({ pending: info.num_pending, ackPending: info.num_ack_pending }),
          (error: unknown) => { onError?.(error); return undefined; },
        ),
      };
    }
    return last.info;
  };
  new Gauge({
    name: 'nicegold_jetstream_consumer_pending', help: 'Messages in the stream not yet delivered to the durable consumer (ingest lag)', labelNames: ['stream', 'consumer'], registers,
    async collect() { const info = await read(); if (info) this.set(labels, info.pending); },
  });
  new Gauge({
    name: 'nicegold_jetstream_consumer_ack_pending', help: 'Messages delivered to the durable consumer and not yet acknowledged', labelNames: ['stream', 'consumer'], registers,
    async collect() { const info = await read(); if (info) this.set(labels, info.ackPending); },
  });
}

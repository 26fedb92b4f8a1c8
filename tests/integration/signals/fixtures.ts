// Shared set-up for the signal tests: synthetic ticks as TickReceived events and small trained models.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { EventStore } from '../../../domain/ports/event-store.ts';
import { tickStreamId } from '../../../domain/market-data/index.ts';
import { TICK_FEATURES_V1, type FeatureTick } from '../../../domain/signals/index.ts';
import { syntheticTicks } from '../../../commands/signals/synthetic-ticks.ts';
import { trainDirectionModel, writeModelFiles, type WrittenModel } from '../../../commands/signals/train.ts';
import { INPUT_NAME, OUTPUT_NAME, logisticRegressionOnnx } from '../../../infra/onnx/export.ts';

/** `history`: recorded as an import records them (back-filled, kept out of the live market). */
export async function appendTicks(store: EventStore, ticks: readonly FeatureTick[], symbol = 'XAUUSD', firstSequence = 1, history = false): Promise<void> {
  for (let i = 0; i < ticks.length; i += 200) {
    const chunk = ticks.slice(i, i + 200);
    const byStream = new Map<string, ReturnType<typeof tickEvent>[]>();
    chunk.forEach((tick, j) => {
      const streamId = tickStreamId(symbol, new Date(tick.timeMs));
      byStream.set(streamId, [...(byStream.get(streamId) ?? []), tickEvent(tick, symbol, firstSequence + i + j, history)]);
    });
    for (const [streamId, events] of byStream) await store.append(streamId, events, 'any');
  }
}

const tickEvent = (tick: FeatureTick, symbol: string, sequence: number, history: boolean) => ({
  eventId: randomUUID(),
  type: 'TickReceived',
  occurredAt: new Date(tick.timeMs),
  data: { symbol, source: 'test', sequence: BigInt(sequence), bid: tick.bid, ask: tick.ask, timestamp: new Date(tick.timeMs).toISOString(), ...(history ? { history: true } : {}) },
});

/** Trains on `seed`'s synthetic series and writes the ONNX file and sidecar into `dir`. */
export async function trainedModelFile(dir: string, seed: number, ticks = 4_000): Promise<WrittenModel> {
  const series = syntheticTicks({ seed, ticks });
  const request = { name: 'test_model', spec: TICK_FEATURES_V1, ticks: series, horizonTicks: 5, window: { symbol: 'XAUUSD', from: '2026-01-05T00:00:00Z', to: '2026-01-06T00:00:00Z', source: `synthetic seed ${seed}` } };
  const trained = trainDirectionModel({ ...request, fit: { epochs: 100 } });
  const onnx = logisticRegressionOnnx({ weights: trained.model.weights, bias: trained.model.bias, graphName: 'test' });
  const width = TICK_FEATURES_V1.features.length;
  return writeModelFiles(request, trained, path.join(dir, `seed${seed}`), onnx, {
    inputs: [{ name: INPUT_NAME, type: 'float32', shape: ['N', width] }], outputs: [{ name: OUTPUT_NAME, type: 'float32', shape: ['N', 1] }],
  });
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

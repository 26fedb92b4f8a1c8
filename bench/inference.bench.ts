// Inference latency per tick and batch throughput of the shipped model through ONNX Runtime, against the
// same model (the sidecar's trained parameters) evaluated in plain TypeScript in the same run. Per tick
// means what the signal engine does for each tick: push it into the rolling window, compute the features,
// score one row.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TICK_FEATURES_V1, featuresOf, newWindow } from '../domain/signals/index.ts';
import { DEMO_MODEL } from '../commands/signals/demo-model.ts';
import { predictProbability } from '../commands/signals/logistic.ts';
import { syntheticTicks } from '../commands/signals/synthetic-ticks.ts';
import { sidecarPathOf, type ModelSidecar } from '../commands/signals/train.ts';
import { onnxRuntime } from '../infra/onnx/runtime.ts';
import { percentile, progress, report } from './report.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');


async function perTick(ticks: ReturnType<typeof syntheticTicks>, score: (row: number[]) => Promise<number> | number): Promise<number[]> {
  const window = newWindow(TICK_FEATURES_V1);
  const latencies: number[] = [];
  for (const tick of ticks) {
    const started = performance.now();
    window.push(tick);
    const features = featuresOf(window, TICK_FEATURES_V1);
    if (features) await score(features);
    if (features) latencies.push(performance.now() - started);
  }
  return latencies.sort((a, b) => a - b);
}

export async function run(args: string[]): Promise<void> {
  const scale = Number(args[0] ?? 1);
  const file = path.join(root, DEMO_MODEL.file);
  const sidecar = JSON.parse(await readFile(sidecarPathOf(file), 'utf8')) as ModelSidecar;
  const scorer = await onnxRuntime.open(await readFile(file));
  const ticks = syntheticTicks({ seed: 99, ticks: 20_000 * scale });
  const onnxOne = async (row: number[]) => (await scorer.score(Float32Array.from(row), 1))[0]!;
  const tsOne = (row: number[]) => predictProbability(sidecar.parameters, row);

  progress('inference: warming up');
  await perTick(ticks.slice(0, 2_000), onnxOne);
  await perTick(ticks.slice(0, 2_000), tsOne);
  progress(`inference: ${ticks.length} ticks one by one`);
  const onnx = await perTick(ticks, onnxOne);
  const plain = await perTick(ticks, tsOne);
  report({ bench: 'inference', figure: 'p50_per_tick', value: percentile(onnx, 0.5), unit: 'ms', baseline: percentile(plain, 0.5), target: 'informational' }, false);
  report({ bench: 'inference', figure: 'p99_per_tick', value: percentile(onnx, 0.99), unit: 'ms', baseline: percentile(plain, 0.99), target: 'value <= 0.5 ms' }, false);
  // report() keeps two decimals, which hides a plain TypeScript baseline of a few microseconds: the same in µs.
  report({ bench: 'inference', figure: 'p50_per_tick_us', value: percentile(onnx, 0.5) * 1_000, unit: 'µs', baseline: percentile(plain, 0.5) * 1_000, target: 'informational' }, false);
  report({ bench: 'inference', figure: 'p99_per_tick_us', value: percentile(onnx, 0.99) * 1_000, unit: 'µs', baseline: percentile(plain, 0.99) * 1_000, target: 'value <= 500 µs' }, false);

  const window = newWindow(TICK_FEATURES_V1);
  const rows = ticks.map((t) => { window.push(t); return featuresOf(window, TICK_FEATURES_V1); }).filter((r): r is number[] => r !== undefined);
  const batch = 1_024;
  const matrix = Float32Array.from(rows.slice(0, batch).flat());
  const rounds = 200 * scale;
  progress(`inference: ${rounds} batches of ${batch} rows`);
  let started = performance.now();
  for (let i = 0; i < rounds; i += 1) await scorer.score(matrix, batch);
  const onnxRate = (rounds * batch) / ((performance.now() - started) / 1_000);
  const block = rows.slice(0, batch);
  let sink = 0;
  started = performance.now();
  for (let i = 0; i < rounds; i += 1) for (const row of block) sink += predictProbability(sidecar.parameters, row);
  const tsRate = (rounds * batch) / ((performance.now() - started) / 1_000);
  if (Number.isNaN(sink)) progress('unexpected NaN');
  report({ bench: 'inference', figure: 'batch_throughput', value: onnxRate, unit: 'rows/s', baseline: tsRate, target: 'informational (batch of 1024)' });
  await scorer.close();
}

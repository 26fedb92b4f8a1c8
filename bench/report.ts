import { Worker } from 'node:worker_threads';

// Every benchmark prints one JSON object per figure, with its baseline measured in the same run, so the
// ratio stays meaningful on a noisy machine.
export interface Figure {
  readonly bench: string;
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: number;
  /** value / baseline for throughputs; baseline / value for latencies: above 1 is better either way. */
  readonly ratio: number;
  readonly target?: string;
}

export function report(figure: Omit<Figure, 'ratio'>, higherIsBetter = true): Figure {
  const ratio = higherIsBetter ? figure.value / figure.baseline : figure.baseline / figure.value;
  const out: Figure = { ...figure, value: round(figure.value), baseline: round(figure.baseline), ratio: round(ratio, 3) };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  return out;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export const progress = (message: string) => process.stderr.write(`${message}\n`);

/** Runs `fn` `times` times alternating with nothing; returns the best throughput (least disturbed run). */
export async function bestOf<T extends number>(times: number, fn: () => Promise<T>): Promise<number> {
  let best = 0;
  for (let i = 0; i < times; i += 1) best = Math.max(best, await fn());
  return best;
}

/** The q-quantile (0 to 1) of ascending samples; NaN when there are none. */
export const percentile = (sorted: ArrayLike<number>, q: number): number =>
  (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);

// A worker does not inherit the tsx loader hooks in Node 20: register them, then load the module.
const BOOT = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((tsx) => { tsx.register(); return import(workerData.entry); });`;

/**
 * Starts the TypeScript module `entry` (an import.meta.url) in a worker thread with `data` as its
 * workerData: load generators and feeds run beside the system under test, not on its event loop.
 */
export function startWorker(entry: string, data: Record<string, unknown>): Worker {
  return new Worker(BOOT, { eval: true, workerData: { ...data, entry, tsx: import.meta.resolve('tsx/esm/api') } });
}

// Features from a rolling window of one symbol's ticks. Training and live scoring both push ticks into a
// TickWindow and call featuresOf, so the two paths cannot drift apart. Prices arrive as bigint price units
// and become floats here: features feed a model, never the ledger.
import type { FeatureSpec } from './feature-spec.ts';

export interface FeatureTick {
  readonly bid: bigint;
  readonly ask: bigint;
  /** The tick's own time, epoch milliseconds. */
  readonly timeMs: number;
}

const BPS = 10_000;

/** The last `capacity` ticks of one symbol, oldest first. */
export class TickWindow {
  private readonly mids: Float64Array;
  private readonly spreads: Float64Array;
  private readonly times: Float64Array;
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.mids = new Float64Array(capacity);
    this.spreads = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
  }

  push(tick: FeatureTick): void {
    const slot = (this.start + this.size) % this.capacity;
    this.mids[slot] = Number(tick.bid + tick.ask) / 2;
    this.spreads[slot] = Number(tick.ask - tick.bid);
    this.times[slot] = tick.timeMs;
    if (this.size < this.capacity) this.size += 1;
    else this.start = (this.start + 1) % this.capacity;
  }

  get length(): number { return this.size; }
  get full(): boolean { return this.size === this.capacity; }

  /** i = 0 is the oldest tick kept, length - 1 the newest. */
  mid(i: number): number { return this.mids[(this.start + i) % this.capacity]!; }
  spread(i: number): number { return this.spreads[(this.start + i) % this.capacity]!; }
  time(i: number): number { return this.times[(this.start + i) % this.capacity]!; }
}

export const newWindow = (spec: FeatureSpec): TickWindow => new TickWindow(spec.window.ticks);

/** Log return in basis points from tick `from` to tick `to` of the window. */
const logReturnBps = (w: TickWindow, from: number, to: number): number => Math.log(w.mid(to) / w.mid(from)) * BPS;

/** The newest tick at least `seconds` older than the last one; the oldest kept tick when none is. */
function tickSecondsBack(w: TickWindow, seconds: number): number {
  const last = w.length - 1;
  const cutoff = w.time(last) - seconds * 1_000;
  for (let i = last - 1; i >= 0; i -= 1) if (w.time(i) <= cutoff) return i;
  return 0;
}

function realizedVolatilityBps(w: TickWindow, n: number): number {
  const last = w.length - 1;
  let sum = 0;
  for (let i = last - n + 1; i <= last; i += 1) sum += logReturnBps(w, i - 1, i) ** 2;
  return Math.sqrt(sum);
}

function tickImbalance(w: TickWindow, n: number): number {
  const last = w.length - 1;
  let net = 0;
  for (let i = last - n + 1; i <= last; i += 1) net += Math.sign(w.mid(i) - w.mid(i - 1));
  return net / n;
}

/**
 * The feature vector for the newest tick, in the spec's order, or undefined until the window is full (a
 * half-empty window would give features the model never saw in training).
 */
export function featuresOf(w: TickWindow, spec: FeatureSpec): number[] | undefined {
  if (!w.full) return undefined;
  const { window } = spec;
  const last = w.length - 1;
  return [
    ...window.returnTicks.map((n) => logReturnBps(w, last - n, last)),
    logReturnBps(w, tickSecondsBack(w, window.returnSeconds), last),
    realizedVolatilityBps(w, window.volatilityTicks),
    (w.spread(last) / w.mid(last)) * BPS,
    tickImbalance(w, window.imbalanceTicks),
  ];
}

/** Features for each tick of a series in order (undefined while the window fills): the training path. */
export function featureSeries(ticks: readonly FeatureTick[], spec: FeatureSpec): Array<number[] | undefined> {
  const w = newWindow(spec);
  return ticks.map((tick) => {
    w.push(tick);
    return featuresOf(w, spec);
  });
}

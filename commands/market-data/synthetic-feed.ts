// A seeded, reproducible XAUUSD feed for the demo, the tests and the benchmarks. The same (seed, start)
// always gives the same ticks. The mid walks with volatility regimes (calm, fast) that switch now and
// then; spreads widen in fast markets; an occasional bad tick (crossed, spike) exercises validation.
// Floats are fine here: this simulates a market, it keeps no books. Prices leave as decimal text on
// the instrument's grid, exactly as an outside source would send them.
import { priceToText, XAUUSD_SPEC, type InstrumentSpec } from '../../domain/market-data/index.ts';

export interface SyntheticTick {
  readonly symbol: string;
  readonly source: string;
  readonly sequence: bigint;
  readonly bid: string;
  readonly ask: string;
  readonly timestamp: Date;
}

/** mulberry32: a tiny 32-bit PRNG, good enough for a simulated market and identical on every machine. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface SyntheticFeedShape {
  readonly seed: number;
  readonly start: Date;
  /** Mean ticks per second; intervals vary around it. */
  readonly rate?: number;
  readonly spec?: InstrumentSpec;
  readonly source?: string;
  /** Starting mid as decimal text. */
  readonly startMid?: number;
}

type Regime = 'calm' | 'fast';
const REGIMES = {
  // Per-tick volatility in USD at 20 ticks/s, spread range in USD, chance per tick of switching regime.
  calm: { sigma: 0.03, spreadMin: 0.2, spreadRange: 0.15, switchChance: 0.002 },
  fast: { sigma: 0.15, spreadMin: 0.45, spreadRange: 0.45, switchChance: 0.01 },
} as const;
const CROSSED_CHANCE = 0.004;
const SPIKE_CHANCE = 0.003;
const SPIKE_SIZE = 0.02; // 2% of the mid: far beyond the spike bound

/** Standard normal from two uniforms (Box-Muller). */
const gaussian = (random: () => number) => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/**
 * The feed's ticks, in time order, without end. Sequences start above start-ms * 10^6, so a feed
 * restarted later never reuses a sequence of an earlier run (and is never taken for a duplicate).
 */
export function* syntheticTicks(shape: SyntheticFeedShape): Generator<SyntheticTick> {
  const random = mulberry32(shape.seed);
  const spec = shape.spec ?? XAUUSD_SPEC;
  const unit = 10 ** -spec.priceScale;
  const meanInterval = 1_000 / (shape.rate ?? 20);
  const timeScale = Math.sqrt(meanInterval / 50);
  const base = BigInt(shape.start.getTime()) * 1_000_000n;
  let mid = shape.startMid ?? 2_400;
  let regime: Regime = 'calm';
  let time = shape.start.getTime();
  for (let n = 1n; ; n += 1n) {
    time += Math.max(1, Math.round(meanInterval * (0.5 + random())));
    if (random() < REGIMES[regime].switchChance) regime = regime === 'calm' ? 'fast' : 'calm';
    const { sigma, spreadMin, spreadRange } = REGIMES[regime];
    mid = Math.max(unit * 100, mid + sigma * timeScale * gaussian(random));
    const spread = Math.max(1, Math.round((spreadMin + spreadRange * random()) / unit));
    let bid = Math.round(mid / unit - spread / 2);
    let ask = bid + spread;
    const glitch = random();
    if (glitch < CROSSED_CHANCE) [bid, ask] = [ask, bid];
    else if (glitch < CROSSED_CHANCE + SPIKE_CHANCE) {
      const jump = Math.round((mid * SPIKE_SIZE * (random() < 0.5 ? -1 : 1)) / unit);
      [bid, ask] = [bid + jump, ask + jump];
    }
    yield {
      symbol: spec.symbol,
      source: shape.source ?? 'synthetic',
      sequence: base + n,
      bid: priceToText(spec, BigInt(bid)),
      ask: priceToText(spec, BigInt(ask)),
      timestamp: new Date(time),
    };
  }
}

export interface SyntheticFeedOptions {
  readonly rate: number;
  readonly seed: number;
  /** Where the ticks go: a NATS publisher or the ingester itself. Awaited before the next batch. */
  readonly publish: (ticks: readonly SyntheticTick[]) => Promise<void>;
  readonly clock?: () => Date;
  readonly spec?: InstrumentSpec;
  readonly onError?: (error: unknown) => void;
  /**
   * How often due ticks are released, in ms (default 250: five ticks a batch at 20 ticks/s). Every batch
   * is an append, a quote write and a round of reads for its subscribers and projections: in the
   * embedded demo a batch every 100 ms kept about twice as many statements a second busy in PGlite.
   */
  readonly intervalMs?: number;
}

const DEFAULT_INTERVAL_MS = 250;

export interface RunningFeed {
  /** Ticks handed to `publish` so far. */
  published(): number;
  stop(): Promise<void>;
}

/**
 * Releases the feed's ticks in real time: every interval, the ticks whose timestamp has come are
 * published as one batch. Ticks are stamped from the feed's start, so they pass the future-skew check.
 */
export function startSyntheticFeed(options: SyntheticFeedOptions): RunningFeed {
  const clock = options.clock ?? (() => new Date());
  const ticks = syntheticTicks({ seed: options.seed, start: clock(), rate: options.rate, spec: options.spec });
  let next = ticks.next().value as SyntheticTick;
  let count = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const release = async () => {
    const now = clock().getTime();
    const due: SyntheticTick[] = [];
    while (next.timestamp.getTime() <= now && due.length < 10_000) {
      due.push(next);
      next = ticks.next().value as SyntheticTick;
    }
    if (due.length === 0) return;
    count += due.length;
    await options.publish(due);
  };
  const loop = () => {
    if (stopped) return;
    inFlight = release().catch((error: unknown) => options.onError?.(error)).finally(() => {
      if (!stopped) timer = setTimeout(loop, options.intervalMs ?? DEFAULT_INTERVAL_MS);
    });
  };
  if (options.rate > 0) timer = setTimeout(loop, options.intervalMs ?? DEFAULT_INTERVAL_MS);
  return {
    published: () => count,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}

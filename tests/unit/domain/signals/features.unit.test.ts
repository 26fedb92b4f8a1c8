import { describe, expect, it } from 'vitest';
import { TICK_FEATURES_V1, TickWindow, binOf, driftReference, featureDrift, featureSpec, featuresOf, directionOf, type FeatureTick } from '../../../../domain/signals/index.ts';

const spec = featureSpec('small', 1, { ticks: 4, returnTicks: [1, 2], returnSeconds: 2, volatilityTicks: 2, imbalanceTicks: 3 });
const tick = (mid: number, seconds: number, spread = 2): FeatureTick => ({ bid: BigInt(mid - spread / 2), ask: BigInt(mid + spread / 2), timeMs: seconds * 1_000 });

describe('features', () => {
  it('names columns from the window and computes them only once the window is full', () => {
    expect(spec.features).toEqual(['ret_1t', 'ret_2t', 'ret_2s', 'rvol_2t', 'spread_bps', 'imbalance_3t']);
    expect(TICK_FEATURES_V1.features).toHaveLength(7);
    const w = new TickWindow(4);
    [100, 101, 100].forEach((m, i) => w.push(tick(m, i)));
    expect(featuresOf(w, spec)).toBeUndefined();
    w.push(tick(102, 3));
    const [r1, r2, r2s, vol, spread, imbalance] = featuresOf(w, spec)!;
    const bps = (a: number, b: number) => Math.log(b / a) * 1e4;
    expect(r1).toBeCloseTo(bps(100, 102), 9);
    expect(r2).toBeCloseTo(bps(101, 102), 9);
    expect(r2s).toBeCloseTo(bps(101, 102), 9); // the newest tick at least 2 s older is the one at 1 s
    expect(vol).toBeCloseTo(Math.hypot(bps(101, 100), bps(100, 102)), 9);
    expect(spread).toBeCloseTo((2 / 102) * 1e4, 9);
    expect(imbalance).toBeCloseTo((1 - 1 + 1) / 3, 12);
  });

  it('forgets the oldest tick when full', () => {
    const w = new TickWindow(4);
    [100, 200, 101, 100, 102].forEach((m, i) => w.push(tick(m, i)));
    expect(w.mid(0)).toBe(200);
    expect(w.mid(3)).toBe(102);
  });

  it('maps a score to a direction with a no-trade band around one half', () => {
    expect([0.7, 0.5, 0.3].map((s) => directionOf(s))).toEqual(['long', 'flat', 'short']);
  });
});

describe('population stability index', () => {
  const sample = Array.from({ length: 1_000 }, (_, i) => [i % 100, (i * 7) % 13]);

  it('is near zero for the training distribution itself and large for a shifted one', () => {
    const reference = driftReference(['a', 'b'], sample);
    expect(Math.max(...featureDrift(reference, sample).map((d) => d.psi))).toBeLessThan(1e-9);
    const shifted = sample.map(([a, b]) => [a! + 60, b!]);
    const drift = featureDrift(reference, shifted);
    expect(drift[0]!.psi).toBeGreaterThan(1);
    expect(drift[1]!.psi).toBeLessThan(1e-9);
  });

  it('bins x into (edge[i-1], edge[i]]', () => {
    expect([0, 1, 1.5, 2, 9].map((x) => binOf([1, 2], x))).toEqual([0, 0, 1, 1, 2]);
  });
});

import { describe, expect, it } from 'vitest';
import { driftReference } from '../../../../domain/signals/index.ts';
import { DriftMonitor } from '../../../../commands/signals/drift-monitor.ts';

const training = Array.from({ length: 1_000 }, (_, i) => [i % 100]);
const reference = driftReference(['ret_1t'], training);

describe('drift monitor', () => {
  it('reports drift once when the live window moves past the threshold, and again only after it came back', () => {
    const monitor = new DriftMonitor(reference, { window: 100, every: 50, threshold: 0.25 });
    const feed = (values: number[]) => values.map((v) => monitor.observe([v])).filter((r) => r !== undefined);
    const calm = feed(Array.from({ length: 200 }, (_, i) => i % 100));
    expect(calm.every((r) => !r.crossed && r.maxPsi < 0.25)).toBe(true);
    const shifted = feed(Array.from({ length: 300 }, () => 500));
    expect(shifted.filter((r) => r.crossed)).toHaveLength(1);
    expect(shifted[shifted.length - 1]!.maxPsi).toBeGreaterThan(0.25);
    feed(Array.from({ length: 200 }, (_, i) => i % 100));
    expect(feed(Array.from({ length: 200 }, () => 500)).filter((r) => r.crossed)).toHaveLength(1);
  });
});

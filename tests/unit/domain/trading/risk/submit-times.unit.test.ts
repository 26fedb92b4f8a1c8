import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SubmitTimes } from '../../../../../domain/trading/risk/index.ts';

/** The definition the rate throttle had before: filter out what left the window, append the new time. */
const plainRecord = (times: readonly number[], placedMs: number, windowStart: number): number[] => [...times.filter((t) => t > windowStart), placedMs];
const sorted = (times: readonly number[]): number[] => [...times].sort((a, b) => a - b);

describe('SubmitTimes', () => {
  it('counts the submissions after an instant, the instant itself excluded', () => {
    const times = SubmitTimes.of([1_000, 1_500, 1_999, 2_000]);
    expect(times.countAfter(999)).toBe(4);
    expect(times.countAfter(1_000)).toBe(3);
    expect(times.countAfter(1_999)).toBe(1);
    expect(times.countAfter(2_000)).toBe(0);
    expect(SubmitTimes.EMPTY.countAfter(0)).toBe(0);
  });

  it('leaves out the times at or before the window start when it records one', () => {
    const times = SubmitTimes.EMPTY.record(1_000, 0).record(1_400, 400).record(2_000, 1_000).record(2_100, 1_100);
    expect(times.toArray()).toEqual([1_400, 2_000, 2_100]);
    expect(times.size).toBe(3);
  });

  it('keeps a time recorded out of order (a clock that went back) in its sorted place', () => {
    const times = SubmitTimes.EMPTY.record(2_000, 1_000).record(1_500, 500).record(2_500, 1_400);
    expect(times.toArray()).toEqual([1_500, 2_000, 2_500]);
    expect(times.countAfter(1_500)).toBe(2);
  });

  it('leaves every earlier state as it was when a later one, or a branch of an earlier one, records', () => {
    const base = SubmitTimes.EMPTY.record(100, 0).record(200, 0);
    const next = base.record(300, 0);
    const branch = base.record(250, 150);
    const further = next.record(400, 250);
    expect(base.toArray()).toEqual([100, 200]);
    expect(next.toArray()).toEqual([100, 200, 300]);
    expect(branch.toArray()).toEqual([200, 250]);
    expect(further.toArray()).toEqual([300, 400]);
  });

  it('stays short of twice the window on an account that submits for a long time', () => {
    let times = SubmitTimes.EMPTY;
    for (let t = 0; t < 200_000; t += 1) times = times.record(t, t - 1_000);
    expect(times.size).toBe(1_000);
    expect(times.countAfter(199_000)).toBe(999);
    expect((times as unknown as { shared: { times: number[] } }).shared.times.length).toBeLessThan(3 * 1_000 + 1_024);
  });

  it('holds the times the plain filter-and-append held, and counts as it did, for any history and any branching', () => {
    const step = fc.record({
      from: fc.nat(), // which earlier version to record on (modulo how many there are)
      placedAt: fc.integer({ min: 0, max: 5_000 }),
      window: fc.integer({ min: 0, max: 2_000 }),
      probe: fc.integer({ min: -10, max: 5_010 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), fc.boolean(), (steps, mostlyLatest) => {
        const versions: Array<{ times: SubmitTimes; model: number[] }> = [{ times: SubmitTimes.EMPTY, model: [] }];
        for (const { from, placedAt, window, probe } of steps) {
          // Mostly on the newest version, as a decider does; sometimes on an older one, as a retry after a conflict does.
          const index = mostlyLatest && from % 5 !== 0 ? versions.length - 1 : from % versions.length;
          const { times, model } = versions[index]!;
          const next = { times: times.record(placedAt, placedAt - window), model: plainRecord(model, placedAt, placedAt - window) };
          versions.push(next);
          expect(next.times.toArray()).toEqual(sorted(next.model));
          expect(next.times.countAfter(probe)).toBe(next.model.filter((t) => t > probe).length);
        }
        for (const { times, model } of versions) expect(times.toArray()).toEqual(sorted(model)); // nobody changed under anyone
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the plain definition across compactions, on long histories with branches', () => {
    // Long enough, with short windows and mostly rising times, that the expired prefix passes the compaction threshold several times.
    const step = fc.record({ from: fc.nat(), advance: fc.integer({ min: 0, max: 10 }), window: fc.integer({ min: 0, max: 60 }), probe: fc.integer({ min: -60, max: 20 }) });
    fc.assert(
      fc.property(fc.array(step, { minLength: 3_000, maxLength: 6_000 }), (steps) => {
        const versions: Array<{ times: SubmitTimes; model: number[]; clock: number }> = [{ times: SubmitTimes.EMPTY, model: [], clock: 0 }];
        let main = versions[0]!;
        for (const { from, advance, window, probe } of steps) {
          // One step in fifty records on an older version, a branch the main line does not follow.
          const branch = from % 50 === 0;
          const { times, model, clock } = branch ? versions[from % versions.length]! : main;
          const placedAt = from % 997 === 1 ? clock - 3 : clock + advance; // now and then a clock that went back
          const next = { times: times.record(placedAt, placedAt - window), model: plainRecord(model, placedAt, placedAt - window), clock: placedAt };
          versions.push(next);
          if (!branch) main = next;
          expect(next.times.countAfter(placedAt + probe)).toBe(next.model.filter((t) => t > placedAt + probe).length);
        }
        for (const { times, model } of versions) expect(times.toArray()).toEqual(sorted(model));
      }),
      { numRuns: 15, endOnFailure: true }, // shrinking thousands of steps takes minutes; the seed reproduces a failure
    );
  });
});

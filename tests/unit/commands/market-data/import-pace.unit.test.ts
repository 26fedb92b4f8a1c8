// The import's progress line: its rate and ETA follow the last seconds of the import, not the average
// since the start (which promised 49-64 s for an import that took 134 s as the pace fell); and its
// checkpoint writes coalesce, never running ahead of the batches recorded.
import { describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../../../domain/ports/key-value.ts';
import { CheckpointWriter, ImportPace } from '../../../../commands/market-data/importers/import-pace.ts';

const MB = 1_000_000;

describe('the import progress line', () => {
  it('has no ETA before there is a pace', () => {
    let now = 0;
    const pace = new ImportPace(10 * MB, () => now);
    expect(pace.progress(0, 0).etaSeconds).toBeUndefined();
    now = 100;
    pace.sample(10_000, 100);
    expect(pace.progress(10_000, 100).etaSeconds).toBeUndefined();
  });

  it('promises the time the rest takes at the pace of the last seconds, when the pace falls', () => {
    let now = 0;
    const pace = new ImportPace(100 * MB, () => now);
    // 30 s at 2 MB/s (60 MB), then 20 s at 0.5 MB/s (10 MB): 30 MB are left, which take 60 s at the current pace.
    let bytes = 0;
    for (let s = 1; s <= 50; s += 1) {
      now = s * 1_000;
      bytes += s <= 30 ? 2 * MB : 0.5 * MB;
      pace.sample(bytes, bytes / 100);
    }
    const shown = pace.progress(bytes, bytes / 100);
    expect(shown.etaSeconds).toBeCloseTo(60, 5);
    expect(shown.ticksPerSecond).toBeCloseTo(5_000, 5);
    // (The average since the start, 70 MB in 50 s, would have promised 21 s.)
  });

  it('follows the warm pace early in a short import: the slow first batches leave the pace as the import goes on', () => {
    let now = 0;
    const pace = new ImportPace(20 * MB, () => now);
    // The first second at 1 MB/s (the code not yet optimised), then 4 MB/s: after 2 s, 5 MB are done and
    // 15 MB left, 3.75 s at the pace of now. The pace since the start (2.5 MB/s) would promise 6 s.
    let bytes = 0;
    for (let ms = 100; ms <= 2_000; ms += 100) {
      now = ms;
      bytes += ms <= 1_000 ? 0.1 * MB : 0.4 * MB;
      pace.sample(bytes, bytes / 100);
    }
    expect(bytes).toBeCloseTo(5 * MB, 0);
    expect(pace.progress(bytes, bytes / 100).etaSeconds).toBeCloseTo(3.75, 5);
  });

  it('leaves the time before the first line (hashing the file) out of the pace once the window has passed it', () => {
    let now = 0;
    const pace = new ImportPace(40 * MB, () => now);
    now = 15_000; // setup
    pace.sample(0, 0);
    for (let s = 1; s <= 12; s += 1) {
      now = 15_000 + s * 1_000;
      pace.sample(s * MB, s * 10_000);
    }
    expect(pace.progress(12 * MB, 120_000).etaSeconds).toBeCloseTo(28, 5);
  });
});

/** The key-value port in memory, every write seen; the first write waits until released, and writes can be made to fail. */
function recordingStore() {
  const writes: string[] = [];
  let release: () => void = () => undefined;
  const firstHeld = new Promise<void>((resolve) => { release = resolve; });
  let failing = false;
  const store = {
    get: async () => undefined,
    async set(_key: string, value: string) {
      if (writes.length === 0) await firstHeld;
      if (failing) throw new Error('database gone');
      writes.push(value);
    },
    setIfAbsent: async () => true,
    delete: async () => undefined,
  } as unknown as KeyValueStore;
  return { store, writes, release: () => release(), fail: () => { failing = true; } };
}

describe('the import checkpoint', () => {
  it('writes the last line recorded after the write in flight, not one write per batch', async () => {
    const kv = recordingStore();
    const checkpoint = new CheckpointWriter(kv.store, 'k');
    checkpoint.record(1_000);
    checkpoint.record(2_000);
    checkpoint.record(3_000);
    kv.release();
    await checkpoint.idle();
    expect(kv.writes).toEqual(['1000', '3000']);
    checkpoint.throwIfFailed();
  });

  it('reports a failed write after the import, and writes nothing more after it', async () => {
    const kv = recordingStore();
    const checkpoint = new CheckpointWriter(kv.store, 'k');
    kv.fail();
    checkpoint.record(1_000);
    kv.release();
    await checkpoint.idle();
    checkpoint.record(2_000);
    await checkpoint.idle();
    expect(kv.writes).toEqual([]);
    expect(() => checkpoint.throwIfFailed()).toThrow('database gone');
  });
});

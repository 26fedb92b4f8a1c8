// The occurrence counter of TickIdentities is part of an imported tick's event id: identical ticks at one
// millisecond are told apart by it. Its map is only used once a millisecond holds a second tick; the ids
// must be those of the first version, which counted every tick in the map.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TickIdentities, tickContentIdentity, type ImportedTickContent } from '../../../../commands/market-data/importers/tick-identity.ts';

/** The first version: every tick counted in a map cleared at each new millisecond. */
function firstVersion(ticks: readonly ImportedTickContent[]): string[] {
  let at: number | undefined;
  const seen = new Map<string, number>();
  return ticks.map((tick) => {
    if (tick.timestamp.getTime() !== at) {
      at = tick.timestamp.getTime();
      seen.clear();
    }
    const content = tickContentIdentity(tick, 0);
    const occurrence = seen.get(content) ?? 0;
    seen.set(content, occurrence + 1);
    return tickContentIdentity(tick, occurrence);
  });
}

describe('TickIdentities', () => {
  it('counts identical ticks within one millisecond, and starts again at the next', () => {
    const tick = (ms: number, bid: string): ImportedTickContent => ({ symbol: 'XAUUSD', timestamp: new Date(ms), bid, ask: '2400.5' });
    const identities = new TickIdentities();
    const names = [tick(0, '2400'), tick(0, '2400'), tick(0, '2400.1'), tick(0, '2400'), tick(1, '2400'), tick(1, '2400')].map((t) => identities.of(t));
    expect(names.map((name) => name.slice(name.lastIndexOf('#')))).toEqual(['#0', '#1', '#0', '#2', '#0', '#1']);
  });

  it('names any file the way the first version did', () => {
    const tick = fc.record({
      ms: fc.integer({ min: 0, max: 3 }), bid: fc.constantFrom('2400', '2400.1', '2400.10'), volume: fc.option(fc.constantFrom('1', '2'), { nil: undefined }),
    });
    fc.assert(fc.property(fc.array(tick, { maxLength: 40 }), (rows) => {
      // Files are in time order; equal times come in runs.
      const ticks = rows.sort((a, b) => a.ms - b.ms).map((r): ImportedTickContent => ({ symbol: 'XAUUSD', timestamp: new Date(1_709_510_400_000 + r.ms), bid: r.bid, ask: '2400.5', volume: r.volume }));
      const identities = new TickIdentities();
      expect(ticks.map((t) => identities.of(t))).toEqual(firstVersion(ticks));
    }), { numRuns: 5_000 });
  });
});

// Where training ticks come from: the event store (the tick streams of each UTC day in range), an import
// file (CSV `timestamp,bid,ask` with decimal prices, or one JSON object per line), or the seeded synthetic
// series. Every source yields the same FeatureTick shape in tick-time order.
import type { EventStore, RecordedEvent } from '../../domain/ports/event-store.ts';
import { ValidationError } from '../../domain/shared/errors.ts';
import { priceFromText, tickStreamId, type InstrumentSpec } from '../../domain/market-data/index.ts';
import type { FeatureTick } from '../../domain/signals/index.ts';
import { streamPages } from '../handling/stream-pages.ts';

const DAY_MS = 86_400_000;
const PAGE = 5_000;

export function ticksFromEvents(events: readonly RecordedEvent[], from: Date, to: Date): FeatureTick[] {
  const ticks: FeatureTick[] = [];
  for (const event of events) {
    if (event.type !== 'TickReceived') continue;
    const timeMs = Date.parse(event.data.timestamp as string);
    if (timeMs < from.getTime() || timeMs >= to.getTime()) continue;
    ticks.push({ bid: event.data.bid as bigint, ask: event.data.ask as bigint, timeMs });
  }
  return ticks;
}

/** Accepted ticks of `symbol` with tick time in [from, to), read day stream by day stream. */
export async function ticksFromStore(store: EventStore, symbol: string, from: Date, to: Date): Promise<FeatureTick[]> {
  const ticks: FeatureTick[] = [];
  for (let day = Math.floor(from.getTime() / DAY_MS) * DAY_MS; day < to.getTime(); day += DAY_MS) {
    for await (const page of streamPages(store, tickStreamId(symbol, new Date(day)), 0n, PAGE)) ticks.push(...ticksFromEvents(page, from, to));
  }
  // Streams hold ticks in arrival order; a source may deliver slightly out of tick-time order.
  return ticks.sort((a, b) => a.timeMs - b.timeMs);
}

function parseLine(line: string, lineNo: number, spec: InstrumentSpec): { timestamp: string; bid: string; ask: string } {
  if (line.startsWith('{')) {
    const row = JSON.parse(line) as { timestamp?: unknown; bid?: unknown; ask?: unknown };
    return { timestamp: String(row.timestamp), bid: String(row.bid), ask: String(row.ask) };
  }
  const [timestamp, bid, ask] = line.split(',').map((s) => s.trim());
  if (!timestamp || !bid || !ask) throw new ValidationError('TRAINING.FILE_INVALID', `line ${lineNo}: expected timestamp,bid,ask (${spec.symbol} prices as decimals)`);
  return { timestamp, bid, ask };
}

/** Ticks from an import file's text, in [from, to). The first line may be a CSV header. */
export function ticksFromText(text: string, spec: InstrumentSpec, from: Date, to: Date): FeatureTick[] {
  const ticks: FeatureTick[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || (index === 0 && line.toLowerCase().startsWith('timestamp'))) return;
    const row = parseLine(line, index + 1, spec);
    const timeMs = Date.parse(row.timestamp);
    if (Number.isNaN(timeMs)) throw new ValidationError('TRAINING.FILE_INVALID', `line ${index + 1}: ${JSON.stringify(row.timestamp)} is not an ISO time`);
    if (timeMs < from.getTime() || timeMs >= to.getTime()) return;
    ticks.push({ bid: priceFromText(spec, row.bid), ask: priceFromText(spec, row.ask), timeMs });
  });
  return ticks.sort((a, b) => a.timeMs - b.timeMs);
}

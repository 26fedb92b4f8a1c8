// What validation needs to remember between ticks: the last accepted tick of each (instrument, source)
// for duplicate and ordering checks, and the last accepted mid of each instrument for the spike filter.
//
// Where it lives: in memory, rebuilt at start from the tick streams themselves (today's, or yesterday's
// when today's has none), read backwards. The event log is the truth, so nothing can drift between a
// cache and the log, and embedded mode (no Redis) restarts correctly. A source silent for longer than
// the window read back starts without a cursor; its redelivered ticks are still written once, because
// their event ids derive from source and sequence.
import type { EventStore } from '../../domain/ports/event-store.ts';
import { midOf, movesLiveMarket, tickStreamId, type AcceptedTick, type SourceCursor, type TickReceivedData } from '../../domain/market-data/index.ts';

export interface LastMid {
  readonly mid: bigint;
  readonly at: number;
}

/** The last key built: a file's or a feed's ticks come from one source in a row, and its key is then hashed once, not per tick. */
let lastKey = { symbol: '', source: '', key: '\u0000' };
function cursorKey(symbol: string, source: string): string {
  if (symbol !== lastKey.symbol || source !== lastKey.source) lastKey = { symbol, source, key: `${symbol}\u0000${source}` };
  return lastKey.key;
}
const DAY_MS = 86_400_000;

/**
 * Copy-on-write over the committed state: a batch validates against a draft and the draft is committed
 * only once its events are durable, so a failed append leaves no trace in what validation remembers.
 */
export class IngestState {
  private readonly cursors = new Map<string, SourceCursor>();
  private readonly mids = new Map<string, LastMid>();
  private static readonly cursorsOf = (state: IngestState): ReadonlyMap<string, SourceCursor> => state.cursors;
  private static readonly midsOf = (state: IngestState): ReadonlyMap<string, LastMid> => state.mids;

  constructor(private parent?: IngestState) {}

  cursor(symbol: string, source: string): SourceCursor | undefined {
    return this.find(cursorKey(symbol, source), IngestState.cursorsOf);
  }

  lastMid(symbol: string): LastMid | undefined {
    return this.find(symbol, IngestState.midsOf);
  }

  /** The value under `key` here, else in the nearest state below this draft that has one: one key, built once, for the whole chain. */
  private find<V>(key: string, mapOf: (state: IngestState) => ReadonlyMap<string, V>): V | undefined {
    const own = mapOf(this).get(key);
    if (own !== undefined) return own;
    for (let state = this.parent; state !== undefined; state = state.parent) {
      const value = mapOf(state).get(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /**
   * `cursor` and `previous`: what `cursor(tick.symbol, tick.source)` and `lastMid(tick.symbol)` answered
   * when the tick was judged on this state, if the caller has them.
   */
  accept(
    tick: AcceptedTick, cursor: SourceCursor | undefined = this.cursor(tick.symbol, tick.source), previous: LastMid | undefined = this.lastMid(tick.symbol),
  ): void {
    // A late tick (redelivered after newer ones) never moves the cursor back.
    if (cursor === undefined || tick.sequence > cursor.sequence) {
      this.cursors.set(cursorKey(tick.symbol, tick.source), { sequence: tick.sequence, timestamp: tick.timestamp });
    }
    const at = tick.timestamp.getTime();
    // Several sources interleave: the spike filter measures against the latest tick in time.
    if (previous === undefined || at >= previous.at) this.mids.set(tick.symbol, { mid: midOf(tick.bid, tick.ask), at });
  }

  draft(): IngestState {
    return new IngestState(this);
  }

  /** Moves a draft's changes into this state. */
  commit(draft: IngestState): void {
    for (const [key, cursor] of draft.cursors) this.cursors.set(key, cursor);
    for (const [symbol, mid] of draft.mids) this.mids.set(symbol, mid);
  }

  /**
   * After `root.commit(this)`: this draft's changes live in `root`, so it empties and reads straight from
   * it. Drafts made on top of this one keep seeing the same values, and chains of drafts stay short.
   */
  settleInto(root: IngestState): void {
    this.cursors.clear();
    this.mids.clear();
    this.parent = root;
  }
}

/**
 * Rebuilds the state from the last `depth` events of each symbol's newest tick stream (today's, else
 * yesterday's). Returns the latest accepted tick per symbol, for the quote book.
 */
export async function recoverIngestState(
  eventStore: EventStore, state: IngestState, symbols: readonly string[], now: Date, depth = 5_000,
): Promise<AcceptedTick[]> {
  const latest: AcceptedTick[] = [];
  for (const symbol of symbols) {
    let events = await eventStore.readStream(tickStreamId(symbol, now), { direction: 'backwards', maxCount: depth });
    if (events.length === 0) events = await eventStore.readStream(tickStreamId(symbol, new Date(now.getTime() - DAY_MS)), { direction: 'backwards', maxCount: depth });
    const received = events.filter((event) => event.type === 'TickReceived').map((event) => toAcceptedTick(event.data as unknown as TickReceivedData));
    // Oldest first, so the newest tick of each source is the one that stays.
    for (const tick of received.reverse()) state.accept(tick);
    const newest = received.filter(movesLiveMarket).reduce<AcceptedTick | undefined>((best, tick) => (best === undefined || tick.timestamp >= best.timestamp ? tick : best), undefined);
    if (newest) latest.push(newest);
  }
  return latest;
}

const toAcceptedTick = (data: TickReceivedData): AcceptedTick => ({
  symbol: data.symbol,
  source: data.source,
  sequence: BigInt(data.sequence),
  bid: BigInt(data.bid),
  ask: BigInt(data.ask),
  timestamp: new Date(data.timestamp),
  ...(data.history === true ? { history: true as const } : {}),
});

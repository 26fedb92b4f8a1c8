// Compliance: an account as the ledger knew it at an instant. The account stream is folded with the same
// evolve the command side uses, up to the last event recorded at or before the instant (recordedAt: what
// the ledger knew then, not what a late report said about then), and valued at that instant. Reads the
// whole stream (a page at a time): fine for a compliance question, not for a hot path. Open positions are
// valued at the last tick recorded by the instant, as the desk's one valuation says.
import type { EventStore, RecordedEvent } from '../../domain/ports/event-store.ts';
import { DomainError, NotFoundError } from '../../domain/shared/errors.ts';
import { movesLiveMarket, tickStreamId, type TickReceivedData } from '../../domain/market-data/index.ts';
import { accountStreamId, evolve, initialAccountState, marketMarks, type AccountEvent, type AccountState } from '../../domain/trading/account/index.ts';
import type { Quote } from '../../domain/trading/risk/index.ts';
import { streamPages } from '../handling/stream-pages.ts';
import type { AccountView } from '../trading/service.ts';
import { accountViewOf } from '../trading/trading-service.ts';

const PAGE = 1_000;

/** Told how many events have been read so far, after each full page: long replays show progress. */
export type ReadProgress = (eventsRead: number) => void;

/** Every event of a stream, oldest first, read a page at a time. */
export async function* streamEvents(store: EventStore, streamId: string, onPage?: ReadProgress): AsyncGenerator<RecordedEvent> {
  let read = 0;
  for await (const page of streamPages(store, streamId, 0n, PAGE)) {
    yield* page;
    if (page.length === PAGE) onPage?.((read += page.length));
  }
}

export const foldAccountEvent = (state: AccountState, event: RecordedEvent): AccountState =>
  evolve(state, { type: event.type, data: event.data } as unknown as AccountEvent);

export interface AccountAsOf {
  /** The instant asked for. */
  readonly at: Date;
  /** The last event folded: its revision and when it was recorded. */
  readonly revision: bigint;
  readonly lastRecordedAt: Date;
  /** Events folded, and events recorded after the instant (not folded). */
  readonly events: number;
  readonly laterEvents: number;
  /** The account then, its figures valued at `at` at the last quotes recorded by then (marketMarks). */
  readonly view: AccountView;
}

export async function accountAsOf(store: EventStore, accountId: string, at: Date, onPage?: ReadProgress): Promise<AccountAsOf> {
  const streamId = accountStreamId(accountId);
  let state = initialAccountState();
  let last: RecordedEvent | undefined;
  let events = 0;
  let laterEvents = 0;
  let openedAt: Date | undefined;
  for await (const event of streamEvents(store, streamId, onPage)) {
    openedAt ??= event.recordedAt;
    // A prefix of the stream: from the first event recorded after the instant on, nothing is folded.
    if (laterEvents > 0 || event.recordedAt.getTime() > at.getTime()) { laterEvents += 1; continue; }
    state = foldAccountEvent(state, event);
    last = event;
    events += 1;
  }
  if (openedAt === undefined) throw new NotFoundError('ACCOUNT.NOT_FOUND', `no account ${accountId}: stream ${streamId} has no events`, { accountId });
  if (last === undefined || state.status !== 'open') {
    throw new DomainError('AUDIT.NOT_OPEN_AT', `account ${accountId} was opened at ${openedAt.toISOString()}, after ${at.toISOString()}: ask for a later instant`, { accountId, openedAt: openedAt.toISOString() });
  }
  const held = [...state.positions.values()].filter((p) => p.qty !== 0n).map((p) => p.symbol);
  const quotes = new Map(await Promise.all(held.map(async (symbol) => [symbol, await quoteAsOf(store, symbol, at)] as const)));
  return { at, revision: last.revision, lastRecordedAt: last.recordedAt, events, laterEvents, view: accountViewOf(state, last.revision, at, marketMarks(state, quotes)) };
}

const DAY_MS = 86_400_000;

/**
 * The last quote the ledger knew at `at`: the last TickReceived recorded at or before it, in the tick streams
 * of that day and the day before (a tick lands in the stream of its own timestamp's day). Streams are found
 * by a binary search on revision (a stream's events are recorded in revision order), a few reads each.
 */
export async function quoteAsOf(store: EventStore, symbol: string, at: Date): Promise<Quote | undefined> {
  let best: RecordedEvent | undefined;
  for (const day of [at, new Date(at.getTime() - DAY_MS)]) {
    const found = await lastRecordedBy(store, tickStreamId(symbol, day), at);
    if (found && (best === undefined || found.globalPosition > best.globalPosition)) best = found;
  }
  if (best === undefined) return undefined;
  const tick = best.data as unknown as TickReceivedData;
  return { bid: tick.bid, ask: tick.ask, timestamp: new Date(tick.timestamp) };
}

async function lastRecordedBy(store: EventStore, streamId: string, at: Date): Promise<RecordedEvent | undefined> {
  const at1 = async (revision: bigint) => (await store.readStream(streamId, { fromRevision: revision, maxCount: 1 }))[0];
  const isTick = (e: RecordedEvent | undefined) => e?.type === 'TickReceived' && movesLiveMarket(e.data);
  const [tail] = await store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
  if (tail === undefined) return undefined;
  const known = (e: RecordedEvent) => e.recordedAt.getTime() <= at.getTime();
  let found: RecordedEvent | undefined;
  if (known(tail)) found = tail;
  else {
    // the largest revision recorded by `at`, between 0 and the tail
    let lo = 0n;
    let hi = tail.revision - 1n;
    while (lo <= hi) {
      const mid = (lo + hi) / 2n;
      const event = await at1(mid);
      if (event !== undefined && known(event)) { found = event; lo = mid + 1n; } else hi = mid - 1n;
    }
  }
  // a rejected or back-filled tick moves no quote: step back to the last live one
  while (found !== undefined && !isTick(found)) found = found.revision === 0n ? undefined : await at1(found.revision - 1n);
  return found;
}

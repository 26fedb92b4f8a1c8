// Compliance: an account as the ledger knew it at an instant. The account stream is folded with the same
// evolve the command side uses, up to the last event recorded at or before the instant (recordedAt: what
// the ledger knew then, not what a late report said about then), and valued at that instant. Reads the
// whole stream (a page at a time): fine for a compliance question, not for a hot path.
import type { EventStore, RecordedEvent } from '../../domain/ports/event-store.ts';
import { DomainError, NotFoundError } from '../../domain/shared/errors.ts';
import { accountStreamId, evolve, initialAccountState, type AccountEvent, type AccountState } from '../../domain/trading/account/index.ts';
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
  /** The account then, its figures valued at `at` on the marks it had then. */
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
  return { at, revision: last.revision, lastRecordedAt: last.recordedAt, events, laterEvents, view: accountViewOf(state, last.revision, at) };
}

// Before a restarted process answers /readyz, the states of the accounts that traded last are loaded into
// its cache, so their first order after a restart does not pay for reading and decoding the account's
// snapshot and the events after it (on the cold-start bench's 900,000-event account: ~20 ms decoding a
// snapshot of a day's client order ids and ~12 ms folding the events since, on top of the order itself).
// Bounded by a count and a time budget, never by history: the accounts are the ones whose snapshots were
// written last (a snapshot every SNAPSHOT_EVERY events: the busiest), each loaded from its snapshot.
import type { EventStore } from '../../domain/ports/event-store.ts';
import type { SnapshotStore } from '../../domain/ports/snapshot-store.ts';
import { accountDecider } from '../../domain/trading/account/index.ts';
import type { StateCache } from '../handling/state-cache.ts';

export interface WarmUpOptions {
  /** Most accounts loaded (default 100). */
  readonly limit?: number;
  /** Loading stops after this long, whatever is left (default 1,000 ms). */
  readonly budgetMs?: number;
}

export interface WarmUpResult {
  readonly accounts: number;
  readonly ms: number;
  /** True when the budget ran out before every candidate was loaded. */
  readonly cut: boolean;
}

export async function warmAccountStates(cache: StateCache, eventStore: EventStore, snapshots: SnapshotStore | undefined, options: WarmUpOptions = {}): Promise<WarmUpResult> {
  const started = performance.now();
  const codec = accountDecider.snapshot;
  if (snapshots?.recent === undefined || codec === undefined) return { accounts: 0, ms: 0, cut: false };
  const streams = await snapshots.recent('account-', codec.version, options.limit ?? 100);
  const budgetMs = options.budgetMs ?? 1_000;
  let accounts = 0;
  for (const streamId of streams) {
    if (performance.now() - started > budgetMs) return { accounts, ms: performance.now() - started, cut: true };
    await cache.load(eventStore, accountDecider, streamId);
    accounts += 1;
  }
  return { accounts, ms: performance.now() - started, cut: false };
}

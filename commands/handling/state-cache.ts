// Aggregate state cached per stream, so a hot account is not refolded from its first event on every
// command. The cached revision is the expected revision of the next append; a conflict drops the entry.
//
// With a snapshot store, a stream the cache does not hold starts from its latest snapshot (the decider's
// SnapshotCodec, of the same fold version) and folds only the events after it: loading costs the events
// since the last snapshot, not the stream's history. A snapshot is used only if the event it ends with is
// still the stream's event at that revision (a store reset under kept snapshots folds from the start).
// Every `snapshotEvery` events a cached stream moves on, a new snapshot is written off the command's
// path (after the current turn); a failed write only means a longer fold next time.
import type { EventStore, RecordedEvent } from '../../domain/ports/event-store.ts';
import type { SnapshotStore } from '../../domain/ports/snapshot-store.ts';
import type { Decider, DomainEvent, SnapshotCodec } from '../../domain/shared/decider.ts';
import { streamPages } from './stream-pages.ts';

interface Entry {
  readonly state: unknown;
  readonly revision: bigint | undefined;
}

interface Held extends Entry {
  /** Id of the event at `revision`: what a snapshot of this state is checked against when loaded. */
  readonly lastEventId: string | undefined;
  readonly codec: SnapshotCodec<unknown> | undefined;
  /** Revision of the latest snapshot written or loaded for this stream (-1: none). */
  readonly snapshotAt: bigint;
}

const PAGE = 1_000;

/** Default events between two snapshots of a stream: a load folds at most this many events after its snapshot. */
export const DEFAULT_SNAPSHOT_EVERY = 500;

export interface StateCacheOptions {
  readonly maxStreams?: number;
  /** Where snapshots are kept; without it every stream is folded from its first event. */
  readonly snapshots?: SnapshotStore;
  /** Events between two snapshots of a stream (default 500); 0 writes none (existing ones are still read). */
  readonly snapshotEvery?: number;
  /** Told when a snapshot could not be read, decoded or written (the load folds from the start instead). */
  readonly onSnapshotError?: (error: unknown, streamId: string) => void;
}

type Folding<E extends DomainEvent, S> = Pick<Decider<never, E, S>, 'initialState' | 'evolve' | 'snapshot'>;

export class StateCache {
  private readonly entries = new Map<string, Held>();
  private readonly maxStreams: number;
  private readonly snapshots: SnapshotStore | undefined;
  private readonly snapshotEvery: number;
  private readonly onSnapshotError: (error: unknown, streamId: string) => void;

  constructor(options: StateCacheOptions | number = {}) {
    const o = typeof options === 'number' ? { maxStreams: options } : options;
    this.maxStreams = o.maxStreams ?? 10_000;
    this.snapshots = o.snapshots;
    this.snapshotEvery = o.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
    this.onSnapshotError = o.onSnapshotError ?? (() => undefined);
  }

  /**
   * The cached state as is, or, with `refresh` (after a conflict) or when nothing is cached, the state
   * caught up from the cached revision (or the latest snapshot) by reading only the events recorded since.
   */
  async load<E extends DomainEvent, S>(store: EventStore, decider: Folding<E, S>, streamId: string, refresh = false): Promise<Entry & { state: S }> {
    const cached = this.entries.get(streamId);
    if (cached && !refresh) return cached as Entry & { state: S };
    const codec = decider.snapshot as SnapshotCodec<unknown> | undefined;
    const base: Held = cached ?? (await this.fromSnapshot(store, decider, streamId)) ?? {
      state: decider.initialState(), revision: undefined, lastEventId: undefined, codec, snapshotAt: -1n,
    };
    const caught = await foldOn(store, decider, streamId, base);
    this.hold(streamId, caught);
    return caught as Held & { state: S };
  }

  /** The state after an append: `lastEventId` is the id of the event at `revision` (needed to snapshot it). */
  remember(streamId: string, state: unknown, revision: bigint | undefined, lastEventId?: string): void {
    const before = this.entries.get(streamId);
    this.hold(streamId, { state, revision, lastEventId, codec: before?.codec, snapshotAt: before?.snapshotAt ?? -1n });
  }

  forget(streamId: string): void {
    this.entries.delete(streamId);
  }

  private hold(streamId: string, entry: Held): void {
    const due = this.snapshotDue(entry);
    const held = due ? { ...entry, snapshotAt: entry.revision! } : entry;
    this.entries.delete(streamId); // re-insert: Map order is the LRU order
    this.entries.set(streamId, held);
    if (this.entries.size > this.maxStreams) this.entries.delete(this.entries.keys().next().value!);
    if (due) setImmediate(() => void this.writeSnapshot(streamId, held));
  }

  private snapshotDue(entry: Held): boolean {
    return this.snapshots !== undefined && this.snapshotEvery > 0 && entry.codec !== undefined && entry.lastEventId !== undefined
      && entry.revision !== undefined && entry.revision - entry.snapshotAt >= BigInt(this.snapshotEvery);
  }

  private async writeSnapshot(streamId: string, entry: Held): Promise<void> {
    try {
      const { codec, revision, lastEventId } = entry;
      await this.snapshots!.save({ streamId, revision: revision!, eventId: lastEventId!, foldVersion: codec!.version, state: codec!.encode(entry.state) });
    } catch (error) {
      this.onSnapshotError(error, streamId);
    }
  }

  /** The stream's latest snapshot of this fold, checked against the stream and caught up; undefined to fold from the start. */
  private async fromSnapshot<E extends DomainEvent, S>(store: EventStore, decider: Folding<E, S>, streamId: string): Promise<Held | undefined> {
    const codec = decider.snapshot as SnapshotCodec<unknown> | undefined;
    if (this.snapshots === undefined || codec === undefined) return undefined;
    try {
      const snapshot = await this.snapshots.load(streamId, codec.version);
      if (snapshot === undefined) return undefined;
      const [at] = await store.readStream(streamId, { fromRevision: snapshot.revision, maxCount: 1 });
      if (at?.revision !== snapshot.revision || at.eventId.toLowerCase() !== snapshot.eventId.toLowerCase()) return undefined;
      return { state: codec.decode(snapshot.state), revision: snapshot.revision, lastEventId: snapshot.eventId, codec, snapshotAt: snapshot.revision };
    } catch (error) {
      this.onSnapshotError(error, streamId);
      return undefined;
    }
  }
}

/** `base` with the events recorded after its revision folded in. */
async function foldOn<E extends DomainEvent, S>(store: EventStore, decider: Folding<E, S>, streamId: string, base: Held): Promise<Held> {
  let state = base.state as S;
  let last: RecordedEvent | undefined;
  for await (const events of streamPages(store, streamId, base.revision === undefined ? 0n : base.revision + 1n, PAGE)) {
    for (const event of events) state = decider.evolve(state, { type: event.type, data: event.data } as unknown as E);
    last = events[events.length - 1];
  }
  return last === undefined ? base : { ...base, state, revision: last.revision, lastEventId: last.eventId };
}

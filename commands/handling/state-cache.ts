// Aggregate state cached per stream, so a hot account is not refolded from its first event on every
// command. The cached revision is the expected revision of the next append; a conflict drops the entry.
import type { EventStore } from '../../domain/ports/event-store.ts';
import type { Decider, DomainEvent } from '../../domain/shared/decider.ts';
import { streamPages } from './stream-pages.ts';

interface Entry {
  readonly state: unknown;
  readonly revision: bigint | undefined;
}

const PAGE = 1_000;

export class StateCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxStreams = 10_000) {}

  /**
   * The cached state as is, or, with `refresh` (after a conflict) or when nothing is cached, the state
   * caught up from the cached revision by reading only the events recorded since.
   */
  async load<E extends DomainEvent, S>(store: EventStore, decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>, streamId: string, refresh = false): Promise<Entry & { state: S }> {
    const cached = this.entries.get(streamId);
    if (cached && !refresh) return cached as Entry & { state: S };
    let state = (cached?.state as S | undefined) ?? decider.initialState();
    let revision = cached?.revision;
    for await (const events of streamPages(store, streamId, revision === undefined ? 0n : revision + 1n, PAGE)) {
      for (const event of events) state = decider.evolve(state, { type: event.type, data: event.data } as unknown as E);
      revision = events[events.length - 1]!.revision;
    }
    this.remember(streamId, state, revision);
    return { state, revision };
  }

  remember(streamId: string, state: unknown, revision: bigint | undefined): void {
    this.entries.delete(streamId); // re-insert: Map order is the LRU order
    this.entries.set(streamId, { state, revision });
    if (this.entries.size > this.maxStreams) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(streamId: string): void {
    this.entries.delete(streamId);
  }
}

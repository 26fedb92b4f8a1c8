// The emergency-stop state an order is judged on. Each control stream's state is cached. An order is
// judged on the cached state and appended only while those streams are still at the cached revisions
// (AppendOptions.unchanged, checked in the append's own statement): a stop recorded meanwhile fails the
// append, and the order is judged again on the state caught up from the streams. `current` always
// catches up first; concurrent callers share one catch-up read (of all the streams they need), as long
// as that read started after they asked.
import type { EventStore, StreamUnchanged } from '../../domain/ports/event-store.ts';
import {
  controlDecider,
  controlStreamId,
  stopApplies,
  type ControlEvent,
  type ControlScope,
  type ControlState,
} from '../../domain/trading/control/index.ts';
import type { EmergencyControls } from '../../domain/trading/risk/index.ts';

interface Cached {
  state: ControlState;
  revision: bigint | undefined;
}

/**
 * Batches catch-up reads: every caller waits for a read that started after its call, and every stream
 * asked for while a read runs goes into the next one: one round trip for all of them.
 */
class BatchedCatchUp {
  private wanted = new Map<string, Array<{ resolve: () => void; reject: (error: unknown) => void }>>();
  private running = false;
  private scheduled = false;

  constructor(private readonly read: (streamIds: readonly string[]) => Promise<void>) {}

  request(streamId: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiting = this.wanted.get(streamId);
      if (waiting) waiting.push({ resolve, reject });
      else this.wanted.set(streamId, [{ resolve, reject }]);
      if (!this.running && !this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => { // let the other requests of this turn join
          this.scheduled = false;
          this.start();
        });
      }
    });
  }

  private start(): void {
    if (this.running || this.wanted.size === 0) return;
    const batch = this.wanted;
    this.wanted = new Map();
    this.running = true;
    const settle = (error?: unknown) => {
      for (const waiting of batch.values()) for (const w of waiting) if (error === undefined) w.resolve(); else w.reject(error);
    };
    this.read([...batch.keys()]).then(() => settle(), settle).finally(() => {
      this.running = false;
      this.start();
    });
  }
}

export const describeStopScope = (scope: ControlScope): string =>
  scope.kind === 'global' ? 'global' : scope.kind === 'instrument' ? `instrument:${scope.symbol}` : `account:${scope.accountId}`;

export class ControlReader {
  private readonly cached = new Map<string, Cached>();
  private readonly catchUp = new BatchedCatchUp((streamIds) => this.read(streamIds));

  constructor(private readonly eventStore: EventStore) {}

  /** The control state of one scope, caught up to at least the moment of the call. */
  async current(scope: ControlScope): Promise<ControlState> {
    const streamId = controlStreamId(scope);
    await this.catchUp.request(streamId);
    return this.cached.get(streamId)!.state;
  }

  /**
   * The stop state an order is judged on and the control streams' revisions it was read at, for the
   * order's append to check. From the cache when all three streams are cached and `fresh` is false.
   */
  async judgement(accountId: string, symbol: string, fresh: boolean): Promise<{ controls: EmergencyControls; unchanged: StreamUnchanged[] }> {
    const scopes: ControlScope[] = [{ kind: 'global' }, { kind: 'instrument', symbol }, { kind: 'account', accountId }];
    const streamIds = scopes.map(controlStreamId);
    let cached = streamIds.map((streamId) => this.cached.get(streamId));
    if (fresh || cached.some((entry) => entry === undefined)) {
      await Promise.all(streamIds.map((streamId) => this.catchUp.request(streamId)));
      cached = streamIds.map((streamId) => this.cached.get(streamId));
    }
    const [global, instrument, account] = cached.map((entry) => entry!.state) as [ControlState, ControlState, ControlState];
    const verdict = stopApplies({ global, instrument, account });
    const controls: EmergencyControls = verdict.stopped ? { stopped: true, scope: verdict.scopes.map(describeStopScope).join(',') } : { stopped: false };
    return { controls, unchanged: streamIds.map((streamId, i) => ({ streamId, revision: cached[i]!.revision })) };
  }

  private async read(streamIds: readonly string[]): Promise<void> {
    const reads = streamIds.map((streamId) => {
      const revision = this.cached.get(streamId)?.revision;
      return { streamId, fromRevision: revision === undefined ? 0n : revision + 1n };
    });
    const byStream = await this.eventStore.readStreams(reads);
    for (const streamId of streamIds) {
      let { state, revision } = this.cached.get(streamId) ?? { state: controlDecider.initialState(), revision: undefined };
      for (const event of byStream.get(streamId) ?? []) {
        state = controlDecider.evolve(state, { type: event.type, data: event.data } as unknown as ControlEvent);
        revision = event.revision;
      }
      this.cached.set(streamId, { state, revision });
    }
  }
}

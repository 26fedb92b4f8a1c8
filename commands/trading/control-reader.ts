// The emergency-stop state an order is judged on. Each control stream's state is cached and caught up
// before every use: an order sees every stop recorded before it arrived. Concurrent orders share one
// catch-up read per stream, as long as that read started after they arrived.
import type { EventStore } from '../../domain/ports/event-store.ts';
import {
  controlDecider,
  controlStreamId,
  stopApplies,
  type ApplicableControls,
  type ControlEvent,
  type ControlScope,
  type ControlState,
} from '../../domain/trading/control/index.ts';
import type { EmergencyControls } from '../../domain/trading/risk/index.ts';

interface Cached {
  state: ControlState;
  revision: bigint | undefined;
}

/** Coalesces reads: every caller waits for a read that started after its call. */
class FreshRead<T> {
  private running: Promise<T> | undefined;
  private queued: Promise<T> | undefined;

  constructor(private readonly read: () => Promise<T>) {}

  next(): Promise<T> {
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    const queued = this.running.catch(() => undefined).then(() => {
      this.queued = undefined;
      return this.start();
    });
    this.queued = queued;
    return queued;
  }

  private start(): Promise<T> {
    const running = this.read().finally(() => {
      if (this.running === running) this.running = undefined;
    });
    this.running = running;
    return running;
  }
}

export const describeStopScope = (scope: ControlScope): string =>
  scope.kind === 'global' ? 'global' : scope.kind === 'instrument' ? `instrument:${scope.symbol}` : `account:${scope.accountId}`;

export class ControlReader {
  private readonly cached = new Map<string, Cached>();
  private readonly reads = new Map<string, FreshRead<ControlState>>();

  constructor(private readonly eventStore: EventStore) {}

  /** The control state of one scope, caught up to at least the moment of the call. */
  current(scope: ControlScope): Promise<ControlState> {
    const streamId = controlStreamId(scope);
    let read = this.reads.get(streamId);
    if (!read) {
      read = new FreshRead(() => this.catchUp(streamId));
      this.reads.set(streamId, read);
    }
    return read.next();
  }

  async applicable(accountId: string, symbol: string): Promise<ApplicableControls> {
    const [global, instrument, account] = await Promise.all([
      this.current({ kind: 'global' }),
      this.current({ kind: 'instrument', symbol }),
      this.current({ kind: 'account', accountId }),
    ]);
    return { global, instrument, account };
  }

  /** The stop state as the risk engine records it: stopped, and which scopes (widest first). */
  async forOrder(accountId: string, symbol: string): Promise<EmergencyControls> {
    const verdict = stopApplies(await this.applicable(accountId, symbol));
    return verdict.stopped ? { stopped: true, scope: verdict.scopes.map(describeStopScope).join(',') } : { stopped: false };
  }

  private async catchUp(streamId: string): Promise<ControlState> {
    const cached = this.cached.get(streamId) ?? { state: controlDecider.initialState(), revision: undefined };
    const from = cached.revision === undefined ? 0n : cached.revision + 1n;
    const events = await this.eventStore.readStream(streamId, { fromRevision: from, maxCount: 10_000 });
    let { state, revision } = cached;
    for (const event of events) {
      state = controlDecider.evolve(state, { type: event.type, data: event.data } as unknown as ControlEvent);
      revision = event.revision;
    }
    this.cached.set(streamId, { state, revision });
    return state;
  }
}

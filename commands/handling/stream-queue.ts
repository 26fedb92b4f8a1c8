// Commands for one stream, one at a time in arrival order, and those that queue up behind an append in
// flight recorded together. A hot account's orders used to wait for each other's round trip to the
// event store (one commit per order, ~1.5 ms each); now the orders that arrive meanwhile are decided
// one after the other on the state the previous ones leave, and their events go as one append with one
// expected revision, so one commit for all of them.
//
// Nothing changes for a command's outcome: each is decided on exactly the state a one-at-a-time queue
// would have given it (its predecessors' events included), its events carry its own ids, metadata and
// time, and its answer lists only its own events. Whenever the shared append cannot be taken as it is
// (another writer moved the stream, an event id was recorded before, a dependency moved, the store
// failed), every command of the batch is handled again by itself, in order, through handleCommand with
// its retries, exactly as if it had never been batched. A batch ends before a command the decider
// refuses: that one is decided again by itself once its predecessors are recorded, so a refusal is
// judged on recorded state, never on a batch that might not be written.
import { ExpectedRevisionConflict, MAX_UNCHANGED_STREAMS, type AppendOptions, type AppendResult, type NewEvent, type StreamUnchanged } from '../../domain/ports/event-store.ts';
import type { Command, Decider, DomainEvent } from '../../domain/shared/decider.ts';
import { envelope, eventMetadataOf, handleCommand, recordedFrom, type CommandResult, type HandlerDeps } from './handle-command.ts';
import type { StateCache } from './state-cache.ts';

/** Commands per shared append: big enough to cover a burst, small enough to commit in a few ms. */
const DEFAULT_MAX_BATCH = 32;

/** A stream's decider with its types forgotten: one queue holds the commands of whatever decider a stream has. */
type AnyDecider = Decider<Command, DomainEvent, unknown>;

interface TaskItem {
  readonly kind: 'task';
  readonly run: () => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

interface CommandItem {
  readonly kind: 'command';
  readonly decider: AnyDecider;
  readonly command: Command;
  readonly appendOptions: AppendOptions | undefined;
  readonly resolve: (value: CommandResult<DomainEvent>) => void;
  readonly reject: (error: unknown) => void;
}

type Item = TaskItem | CommandItem;

export interface StreamQueueOptions {
  readonly maxBatch?: number;
}

export class StreamQueue {
  private readonly queues = new Map<string, Item[]>();
  private readonly maxBatch: number;

  constructor(private readonly handler: HandlerDeps & { readonly cache: StateCache }, options: StreamQueueOptions = {}) {
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new RangeError('maxBatch must be an integer >= 1');
  }

  /** Runs `task` by itself: after everything queued on the stream before it, before anything after. */
  exclusive<T>(streamId: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => this.enqueue(streamId, { kind: 'task', run: task, resolve: resolve as (value: unknown) => void, reject }));
  }

  /**
   * Catches the stream's cached state up with what other processes recorded since (reading only the
   * events after its revision), in the stream's order.
   */
  catchUp<E extends DomainEvent, S>(decider: Decider<never, E, S>, streamId: string): Promise<{ state: S; revision: bigint | undefined }> {
    return this.exclusive(streamId, () => this.handler.cache.load(this.handler.eventStore, decider, streamId, true));
  }

  /** handleCommand in the stream's order; commands that queue up together share one append (see above). */
  command<C extends Command, E extends DomainEvent, S>(
    decider: Decider<C, E, S>,
    streamId: string,
    command: C,
    appendOptions?: AppendOptions,
  ): Promise<CommandResult<E>> {
    return new Promise<CommandResult<E>>((resolve, reject) =>
      this.enqueue(streamId, {
        kind: 'command',
        decider: decider as unknown as AnyDecider,
        command,
        appendOptions,
        resolve: resolve as (value: CommandResult<DomainEvent>) => void,
        reject,
      }),
    );
  }

  private enqueue(streamId: string, item: Item): void {
    const queue = this.queues.get(streamId);
    if (queue) {
      queue.push(item);
      return;
    }
    this.queues.set(streamId, [item]);
    void this.drain(streamId);
  }

  private async drain(streamId: string): Promise<void> {
    const queue = this.queues.get(streamId)!;
    while (queue.length > 0) {
      const head = queue[0]!;
      if (head.kind === 'task') {
        queue.shift();
        await Promise.resolve().then(head.run).then(head.resolve, head.reject); // a task that throws at once fails alone
        continue;
      }
      const batch = this.takeBatch(queue);
      let rest: CommandItem[] = [];
      try {
        rest = await this.runBatch(streamId, batch);
      } catch (error) {
        for (const item of batch) item.reject(error); // settling twice is a no-op: only the unsettled hear it
      }
      queue.unshift(...rest);
      // The callers just answered often send their next command at once: when fewer commands wait than
      // were just answered, give them a turn of the event loop to queue theirs, so they join the next
      // batch. Without it a hot stream settles into a lone command and a batch of all the others, taking
      // turns, each paying a round trip.
      if (queue.length < batch.length - rest.length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.queues.delete(streamId);
  }

  /** The leading commands of one decider, up to maxBatch, whose dependencies can be checked together. */
  private takeBatch(queue: Item[]): CommandItem[] {
    const dependencies = new Map<string, bigint | undefined>();
    const decider = (queue[0] as CommandItem).decider;
    let count = 0;
    while (count < this.maxBatch && count < queue.length) {
      const next = queue[count]!;
      if (next.kind !== 'command' || next.decider !== decider) break;
      if (count > 0 && !mergeable(dependencies, next.appendOptions?.unchanged)) break;
      for (const u of next.appendOptions?.unchanged ?? []) dependencies.set(u.streamId, u.revision);
      count += 1;
    }
    return queue.splice(0, count) as CommandItem[];
  }

  /**
   * Records the batch's commands up to the first one the decider refuses, and hands back that one and
   * those after it, to go first again: the refused command is then decided by itself on the state its
   * predecessors really recorded, and the order of the stream stays the order of arrival.
   */
  private async runBatch(streamId: string, batch: readonly CommandItem[]): Promise<CommandItem[]> {
    if (batch.length === 1) {
      await this.alone(streamId, batch[0]!);
      return [];
    }
    const { eventStore, cache, source } = this.handler;
    const decider = batch[0]!.decider;
    const loaded = await cache.load(eventStore, decider, streamId);
    let state: unknown = loaded.state;
    const planned: Array<{ item: CommandItem; events: readonly DomainEvent[]; from: number }> = [];
    const toAppend: NewEvent[] = [];
    for (const item of batch) {
      let events: readonly DomainEvent[];
      try {
        events = decider.decide(item.command, state);
      } catch {
        break;
      }
      const metadata = eventMetadataOf(item.command, source);
      planned.push({ item, events, from: toAppend.length });
      for (let i = 0; i < events.length; i += 1) {
        toAppend.push(envelope(item.command, streamId, i, events[i]!, metadata, decider.onceKey));
        state = decider.evolve(state, events[i]!);
      }
    }
    const rest = batch.slice(planned.length);
    if (planned.length === 0) {
      await this.alone(streamId, rest[0]!); // refused on recorded state: handleCommand says so
      return rest.slice(1);
    }
    if (toAppend.length === 0) {
      for (const { item } of planned) item.resolve({ streamId, events: [], recorded: [], applied: true, nextRevision: loaded.revision });
      return rest;
    }
    const unchanged = mergedDependencies(planned.map((p) => p.item));
    let result: AppendResult;
    try {
      result = await eventStore.append(streamId, toAppend, loaded.revision === undefined ? 'no_stream' : loaded.revision, unchanged ? { unchanged } : {});
    } catch (error) {
      if (error instanceof ExpectedRevisionConflict) await cache.load(eventStore, decider, streamId, true).catch(() => cache.forget(streamId));
      for (const { item } of planned) await this.alone(streamId, item);
      return rest;
    }
    if (!result.written) {
      // all of it was recorded before (a batch sent again): each command finds its own original events
      for (const { item } of planned) await this.alone(streamId, item);
      return rest;
    }
    cache.remember(streamId, state, result.nextRevision, toAppend[toAppend.length - 1]!.eventId);
    const first = result.nextRevision - BigInt(toAppend.length - 1);
    for (const { item, events, from } of planned) {
      const recorded = toAppend.slice(from, from + events.length).map((e, i) => recordedFrom(e, streamId, first + BigInt(from + i)));
      // a command that recorded nothing answers the revision the stream had when it was decided
      const nextRevision = events.length > 0 ? first + BigInt(from + events.length - 1) : from > 0 ? first + BigInt(from - 1) : loaded.revision;
      item.resolve({ streamId, events, recorded, applied: true, nextRevision });
    }
    return rest;
  }

  private async alone(streamId: string, item: CommandItem): Promise<void> {
    await handleCommand(this.handler, item.decider, streamId, item.command, item.appendOptions).then(item.resolve, item.reject);
  }
}

/** True when `unchanged` can join the batch's dependencies: no stream at two revisions, within the store's cap. */
function mergeable(dependencies: ReadonlyMap<string, bigint | undefined>, unchanged: readonly StreamUnchanged[] | undefined): boolean {
  let added = 0;
  for (const u of unchanged ?? []) {
    if (!dependencies.has(u.streamId)) added += 1;
    else if (dependencies.get(u.streamId) !== u.revision) return false;
  }
  return dependencies.size + added <= MAX_UNCHANGED_STREAMS;
}

function mergedDependencies(items: readonly CommandItem[]): StreamUnchanged[] | undefined {
  const merged = new Map<string, bigint | undefined>();
  for (const item of items) for (const u of item.appendOptions?.unchanged ?? []) merged.set(u.streamId, u.revision);
  return merged.size === 0 ? undefined : [...merged].map(([streamId, revision]) => ({ streamId, revision }));
}

// Appends signals in batches, one append per `signals-{model}-{day}` stream, then saves the engine's
// checkpoint. Event ids derive from model version and tick event id, so signals scored again after a
// restart (the checkpoint trails the last append) are recognised and not recorded twice.
import {
  EventIdReused, type EventStore, type NewEvent,
} from '../../domain/ports/event-store.ts';
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import type { SignalGeneratedData } from '../../domain/signals/index.ts';

export interface EngineCheckpoint {
  /** The last log position whose ticks were scored (and whose signals are appended). */
  readonly after: bigint;
  /** Re-read the log from here on restart to refill the rolling windows without scoring. */
  readonly warmFrom: bigint | undefined;
}

export interface PendingSignal {
  readonly streamId: string;
  readonly event: NewEvent<'SignalGenerated', SignalGeneratedData>;
}

export const checkpointKey = (engine: string) => `signals:checkpoint:${engine}`;

export async function loadCheckpoint(keyValue: KeyValueStore, engine: string): Promise<EngineCheckpoint | undefined> {
  const text = await keyValue.get(checkpointKey(engine));
  if (!text) return undefined;
  const raw = JSON.parse(text) as { after: string; warmFrom: string | null };
  return { after: BigInt(raw.after), warmFrom: raw.warmFrom === null ? undefined : BigInt(raw.warmFrom) };
}

export class SignalWriter {
  private pending: PendingSignal[] = [];
  private checkpoint: EngineCheckpoint | undefined;
  private inFlight: Promise<void> | undefined;
  private wanted = false;
  /** Consumers (the auto-trader) run after the append, in order, without holding up the next append. */
  private handedOver: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly keyValue: KeyValueStore,
    private readonly engine: string,
    private readonly onAppended: (signals: readonly PendingSignal[]) => Promise<void>,
    private readonly onConsumerError: (error: unknown) => void = () => undefined,
  ) {}

  get size(): number { return this.pending.length; }

  add(signal: PendingSignal): void {
    this.pending.push(signal);
  }

  /** Marks everything up to `checkpoint` as handled; saved with the next flush. */
  advance(checkpoint: EngineCheckpoint): void {
    this.checkpoint = checkpoint;
  }

  /**
   * Writes what is pending. While a write is in flight, later signals wait and go out together in the next
   * one, so a slow store makes batches larger instead of making a queue of small appends.
   */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.wanted = true;
    this.inFlight ??= this.drain().finally(() => { this.inFlight = undefined; });
    return this.inFlight;
  }

  /** Resolves when every appended batch has also been handed to `onAppended`. */
  async settled(): Promise<void> {
    await this.inFlight;
    await this.handedOver;
  }

  private async drain(): Promise<void> {
    while (this.wanted) {
      this.wanted = false;
      const batch = this.pending;
      const checkpoint = this.checkpoint;
      this.pending = [];
      try {
        await this.write(batch, checkpoint);
      } catch (error) {
        this.failure ??= error instanceof Error ? error : new Error('signal append failed', { cause: error });
        throw error;
      }
    }
  }

  private async write(batch: readonly PendingSignal[], checkpoint: EngineCheckpoint | undefined): Promise<void> {
    const byStream = new Map<string, NewEvent[]>();
    for (const { streamId, event } of batch) byStream.set(streamId, [...(byStream.get(streamId) ?? []), event]);
    for (const [streamId, events] of byStream) await this.appendOnce(streamId, events);
    if (checkpoint) {
      await this.keyValue.set(checkpointKey(this.engine), JSON.stringify({ after: checkpoint.after.toString(), warmFrom: checkpoint.warmFrom?.toString() ?? null }));
    }
    if (batch.length > 0) this.handedOver = this.handedOver.then(() => this.onAppended(batch)).catch((error: unknown) => this.onConsumerError(error));
  }

  private async appendOnce(streamId: string, events: readonly NewEvent[]): Promise<void> {
    try {
      await this.store.append(streamId, events, 'any');
    } catch (error) {
      if (!(error instanceof EventIdReused)) throw error;
      // Part of the batch was recorded before a restart: append one by one; a recorded one is a no-op.
      for (const event of events) await this.store.append(streamId, [event], 'any');
    }
  }
}

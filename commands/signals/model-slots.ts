// The engine's view of each followed model: its registry state folded from `model-{name}` and the loaded
// champion and challenger. When a promotion or shadow start arrives the new version is loaded before the
// next tick is scored, so a swap takes effect at a definite point in the log and without a restart.
import type { RecordedEvent } from '../../domain/ports/event-store.ts';
import { isLedgerError } from '../../domain/shared/errors.ts';
import { evolveModel, initialModelState, modelStreamId, type ModelEvent, type ModelState, type ModelVersionRegisteredData } from '../../domain/signals/index.ts';
import { DriftMonitor, type DriftSettings } from './drift-monitor.ts';
import type { Scorer } from './ports.ts';
import type { ModelRegistry } from './registry.ts';

export interface LoadedVersion {
  readonly registration: ModelVersionRegisteredData;
  readonly scorer: Scorer;
  readonly drift: DriftMonitor;
  readonly shadow: boolean;
}

export interface SlotLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export class ModelSlot {
  state: ModelState = initialModelState();
  champion: LoadedVersion | undefined;
  challenger: LoadedVersion | undefined;
  readonly streamId: string;

  constructor(readonly name: string, private readonly registry: ModelRegistry, private readonly drift: DriftSettings, private readonly logger: SlotLogger) {
    this.streamId = modelStreamId(name);
  }

  /** Folds the stream's events up to `upTo` (inclusive; undefined: none) and loads what they leave in place. */
  async start(events: readonly RecordedEvent[], upTo: bigint | undefined): Promise<void> {
    for (const event of events) if (upTo !== undefined && event.globalPosition <= upTo) this.state = evolveModel(this.state, asModelEvent(event));
    await this.reconcile();
  }

  async apply(event: RecordedEvent): Promise<void> {
    this.state = evolveModel(this.state, asModelEvent(event));
    await this.reconcile();
  }

  get loaded(): LoadedVersion[] {
    return [this.champion, this.challenger].filter((v): v is LoadedVersion => v !== undefined);
  }

  async close(): Promise<void> {
    for (const version of this.loaded) await version.scorer.close();
    this.champion = undefined;
    this.challenger = undefined;
  }

  private async reconcile(): Promise<void> {
    this.champion = await this.swap(this.champion, this.state.champion, false);
    this.challenger = await this.swap(this.challenger, this.state.challenger, true);
  }

  private async swap(current: LoadedVersion | undefined, wanted: number | undefined, shadow: boolean): Promise<LoadedVersion | undefined> {
    if (current?.registration.version === wanted) return current;
    if (current) await current.scorer.close();
    const registration = wanted === undefined ? undefined : this.state.versions.get(wanted)?.registration;
    if (!registration) return undefined;
    try {
      const scorer = await this.registry.load(registration);
      this.logger.info({ model: this.name, version: wanted, shadow }, shadow ? 'challenger loaded (shadow)' : 'champion loaded');
      return { registration, scorer, drift: new DriftMonitor(registration.driftReference, this.drift), shadow };
    } catch (error) {
      // A refused artefact scores nothing: silence is safer than signals from a file nobody registered.
      if (!isLedgerError(error)) throw error;
      this.logger.error({ model: this.name, version: wanted, code: error.code, err: error }, `model version refused: ${error.message}`);
      return undefined;
    }
  }
}

const asModelEvent = (event: RecordedEvent): ModelEvent => ({ type: event.type, data: event.data }) as unknown as ModelEvent;

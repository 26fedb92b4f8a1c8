// The signal engine (role `signals`): follows accepted ticks and the followed models' streams through one
// subscription to the event store, so a promotion applies from its exact place in the log. Per symbol it
// keeps a rolling tick window; per tick with a full window it scores the features with the champion and the
// challenger (shadow) and appends SignalGenerated in batches. Restarts resume from the checkpoint: ticks up
// to it only refill the windows, and re-scored ticks map to the same event ids.
import type { EventStore, RecordedEvent, Subscription } from '../../domain/ports/event-store.ts';
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import {
  DEFAULT_DIRECTION_BAND, MODEL_EVENT_TYPES, TickWindow, directionOf, featuresOf, signalStreamId,
  type DirectionBand, type SignalGeneratedData,
} from '../../domain/signals/index.ts';
import { midOf, movesLiveMarket } from '../../domain/market-data/index.ts';
import { uuidV5 } from '../handling/event-ids.ts';
import { featureSpecDigest, featuresDigest } from './digest.ts';
import { DEFAULT_DRIFT, type DriftReading, type DriftSettings } from './drift-monitor.ts';
import { ModelSlot, type LoadedVersion, type SlotLogger } from './model-slots.ts';
import type { ModelRegistry } from './registry.ts';
import { SignalWriter, loadCheckpoint, type EngineCheckpoint, type PendingSignal } from './signal-writer.ts';

export const SIGNAL_ENGINE_ACTOR = { userId: 'signal-engine', role: 'service' } as const;

export interface SignalEngineOptions {
  readonly eventStore: EventStore;
  readonly keyValue: KeyValueStore;
  readonly registry: ModelRegistry;
  readonly models: readonly string[];
  /** Names the checkpoint; two engines with one name would share it. */
  readonly engineName?: string;
  readonly batchSize?: number;
  /** A partial batch is written this long after its first signal. */
  readonly flushMs?: number;
  readonly band?: DirectionBand;
  readonly drift?: DriftSettings;
  readonly logger: SlotLogger & { warn(details: object, message: string): void };
  /** Called with each appended batch (the auto-trader takes champion signals from it). */
  readonly onSignals?: (signals: readonly PendingSignal[]) => Promise<void>;
  readonly onDriftReading?: (model: string, version: number, reading: DriftReading) => void;
}

interface SymbolWindow {
  readonly ticks: TickWindow;
  readonly positions: bigint[];
}

export class SignalEngine {
  private readonly slots: ModelSlot[];
  private readonly windows = new Map<string, SymbolWindow>();
  private readonly writer: SignalWriter;
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private resumeAfter: bigint | undefined;
  private running: Promise<void> | undefined;
  private readonly specDigests = new Map<string, string>();

  constructor(private readonly options: SignalEngineOptions) {
    this.slots = options.models.map((name) => new ModelSlot(name, options.registry, options.drift ?? DEFAULT_DRIFT, options.logger));
    this.writer = new SignalWriter(options.eventStore, options.keyValue, options.engineName ?? 'signals', options.onSignals ?? (async () => undefined),
      (error) => options.logger.error({ err: error }, 'a signal consumer failed'));
  }

  async start(): Promise<void> {
    const checkpoint = await loadCheckpoint(this.options.keyValue, this.options.engineName ?? 'signals');
    this.resumeAfter = checkpoint?.after;
    for (const slot of this.slots) await slot.start(await this.options.eventStore.readStream(slot.streamId), checkpoint?.after);
    this.subscription = this.options.eventStore.subscribe({
      after: checkpoint?.warmFrom ?? checkpoint?.after,
      filter: { eventTypes: ['TickReceived', ...MODEL_EVENT_TYPES] },
      batchSize: this.options.batchSize ?? 500,
    });
    this.running = this.consume(this.subscription).catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'signal engine stopped on an error');
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    await this.running;
    if (this.timer) clearTimeout(this.timer);
    await this.writer.flush().catch(() => undefined);
    await this.writer.settled();
    for (const slot of this.slots) await slot.close();
  }

  private async consume(subscription: Subscription): Promise<void> {
    for await (const event of subscription) {
      if (event.type === 'TickReceived') await this.onTick(event);
      else if (this.resumeAfter === undefined || event.globalPosition > this.resumeAfter) await this.slots.find((s) => s.streamId === event.streamId)?.apply(event);
      this.writer.advance(this.checkpointAt(event.globalPosition));
      if (this.writer.size >= (this.options.batchSize ?? 100)) await this.flushNow();
      else this.timer ??= setTimeout(() => { void this.flushNow().catch(() => undefined); }, this.options.flushMs ?? 2);
    }
  }

  private flushNow(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return this.writer.flush();
  }

  private windowOf(symbol: string): SymbolWindow {
    let window = this.windows.get(symbol);
    if (!window) {
      const capacity = Math.max(0, ...this.slots.flatMap((s) => [...s.state.versions.values()].map((v) => v.registration.featureSpec.window.ticks)), 64);
      window = { ticks: new TickWindow(capacity), positions: [] };
      this.windows.set(symbol, window);
    }
    return window;
  }

  private checkpointAt(after: bigint): EngineCheckpoint {
    let oldest: bigint | undefined;
    for (const w of this.windows.values()) if (w.positions[0] !== undefined && (oldest === undefined || w.positions[0] < oldest)) oldest = w.positions[0];
    return { after, warmFrom: oldest === undefined ? undefined : oldest - 1n };
  }

  private async onTick(event: RecordedEvent): Promise<void> {
    if (!movesLiveMarket(event.data)) return; // history trains models; it does not make live signals or orders
    const { symbol, bid, ask, timestamp } = event.data as { symbol: string; bid: bigint; ask: bigint; timestamp: string };
    const window = this.windowOf(symbol);
    window.ticks.push({ bid, ask, timeMs: Date.parse(timestamp) });
    window.positions.push(event.globalPosition);
    if (window.positions.length > window.ticks.capacity) window.positions.shift();
    if (this.resumeAfter !== undefined && event.globalPosition <= this.resumeAfter) return; // scored before the restart
    for (const slot of this.slots) {
      for (const version of slot.loaded) await this.score(slot.name, version, window.ticks, event);
    }
  }

  private async score(model: string, version: LoadedVersion, ticks: TickWindow, event: RecordedEvent): Promise<void> {
    const spec = version.registration.featureSpec;
    const features = featuresOf(ticks, spec);
    if (!features) return;
    const started = performance.now();
    const [score] = await version.scorer.score(Float32Array.from(features), 1);
    const inferenceMicros = Math.round((performance.now() - started) * 1_000);
    const tick = event.data as { symbol: string; bid: bigint; ask: bigint; timestamp: string };
    const data: SignalGeneratedData = {
      model, version: version.registration.version, symbol: tick.symbol, score: score!, direction: directionOf(score!, this.options.band ?? DEFAULT_DIRECTION_BAND),
      shadow: version.shadow, featureSpecDigest: this.specDigest(version), featuresDigest: featuresDigest(features), features, inferenceMicros,
      tick: { eventId: event.eventId, streamId: event.streamId, position: event.globalPosition.toString(), timestamp: tick.timestamp, mid: midOf(tick.bid, tick.ask).toString() },
    };
    const eventId = uuidV5(`signal/${model}/${data.version}/${event.eventId}`);
    this.writer.add({
      streamId: signalStreamId(model, new Date(tick.timestamp)),
      event: { eventId, type: 'SignalGenerated', occurredAt: new Date(tick.timestamp), data, metadata: { causationId: event.eventId, correlationId: event.eventId, actor: SIGNAL_ENGINE_ACTOR, source: 'signals' } },
    });
    await this.observeDrift(model, version, features, event.eventId);
  }

  private specDigest(version: LoadedVersion): string {
    const key = `${version.registration.name}/${version.registration.version}`;
    let digest = this.specDigests.get(key);
    if (!digest) this.specDigests.set(key, (digest = featureSpecDigest(version.registration.featureSpec)));
    return digest;
  }

  private async observeDrift(model: string, version: LoadedVersion, features: readonly number[], tickEventId: string): Promise<void> {
    const reading = version.drift.observe(features);
    if (!reading) return;
    this.options.onDriftReading?.(model, version.registration.version, reading);
    if (!reading.crossed) return;
    const { threshold } = this.options.drift ?? DEFAULT_DRIFT;
    this.options.logger.warn({ model, version: version.registration.version, maxPsi: reading.maxPsi }, 'model drift detected');
    await this.options.registry.recordDrift(SIGNAL_ENGINE_ACTOR, {
      name: model, version: version.registration.version, features: reading.features, maxPsi: reading.maxPsi, threshold, liveSamples: reading.liveSamples, tickEventId,
    });
  }
}

// Instruments at start and in memory. Listing goes through the instrument decider like any command;
// its command id derives from the symbol, so every restart asks for the same listing and writes nothing new.
import type { EventStore, RecordedEvent, Subscription } from '../../domain/ports/event-store.ts';
import {
  DEFAULT_INSTRUMENTS, MINUTES_PER_WEEK, instrumentDecider, instrumentStreamId,
  type InstrumentEvent, type InstrumentSpec, type InstrumentState, type TradingSession,
} from '../../domain/market-data/index.ts';
import { isLedgerError } from '../../domain/shared/errors.ts';
import { uuidV5 } from '../handling/event-ids.ts';
import { handleCommand } from '../handling/handle-command.ts';

const SYSTEM_ACTOR = { userId: 'system', role: 'service' } as const;
const INSTRUMENT_PREFIX = 'instrument-';
/** Events per stream per read while loading. */
const LOAD_PAGE = 500;

/** The command id of the listing of `symbol`: the same on every start. */
export const listingCommandId = (symbol: string): string => uuidV5(`instrument-listing:${symbol}`);

/**
 * Lists each spec that is not listed yet. Idempotent: an instrument already listed (by an earlier start
 * or a concurrent one) is left as it is, including any spec change recorded since.
 * Returns the symbols this call listed.
 */
export async function ensureInstrumentsListed(
  eventStore: EventStore,
  specs: readonly InstrumentSpec[] = DEFAULT_INSTRUMENTS,
  now: Date = new Date(),
): Promise<string[]> {
  const listed: string[] = [];
  for (const spec of specs) {
    const command = { type: 'ListInstrument' as const, data: { spec }, metadata: { commandId: listingCommandId(spec.symbol), now, actor: SYSTEM_ACTOR } };
    try {
      const result = await handleCommand({ eventStore, source: 'ingest' }, instrumentDecider, instrumentStreamId(spec.symbol), command);
      if (result.applied && result.recorded.length > 0) listed.push(spec.symbol);
    } catch (error) {
      if (!(isLedgerError(error) && error.code === 'INSTRUMENT.ALREADY_LISTED')) throw error;
    }
  }
  return listed;
}

/** A session that never closes: MARKET_HOURS=always-open. */
export const ALWAYS_OPEN_SESSION: TradingSession = { weeklyOpenMinute: 0, weeklyCloseMinute: MINUTES_PER_WEEK, dailyBreaks: [] };

/** The registry options for MARKET_HOURS: every session replaced by one that never closes, or as listed. */
export const marketHoursOptions = (marketHours: 'enforce' | 'always-open'): InstrumentRegistryOptions =>
  (marketHours === 'always-open' ? { sessionOverride: ALWAYS_OPEN_SESSION } : {});

export interface InstrumentRegistryOptions {
  /** Replace every instrument's trading session (MARKET_HOURS=always-open). */
  readonly sessionOverride?: TradingSession;
  /** The instruments whose streams are read (default: DEFAULT_INSTRUMENTS, what `ensureInstrumentsListed` lists at start). */
  readonly symbols?: readonly string[];
}

/**
 * Every listed instrument's current spec, folded from the `instrument-*` streams. `follow()` keeps it
 * current as specs change (a subscription on the same streams), so validation uses the spec in force.
 *
 * Loading reads the streams of the instruments this process lists (one indexed read of each), not the log:
 * a prefix filter over the whole log from its first event cost ~0.5 s of PostgreSQL per start on 1M events,
 * growing with history. The subscription then starts at the log's head as it was before those reads; an
 * event it sees again is skipped by its revision. Instrument events are written only by
 * `ensureInstrumentsListed`, awaited before the load, so none is in flight below that head.
 */
export class InstrumentRegistry {
  private readonly states = new Map<string, InstrumentState>();
  /** Revision of the last event applied per stream: an event read twice (stream read, then subscription) applies once. */
  private readonly revisions = new Map<string, bigint>();
  private checkpoint: bigint | undefined;
  private subscription: Subscription | undefined;
  private following: Promise<void> | undefined;
  private readonly overridden = new WeakMap<InstrumentSpec, InstrumentSpec>();

  private constructor(private readonly eventStore: EventStore, private readonly options: InstrumentRegistryOptions) {}

  static async load(eventStore: EventStore, options: InstrumentRegistryOptions = {}): Promise<InstrumentRegistry> {
    const registry = new InstrumentRegistry(eventStore, options);
    await registry.catchUp();
    return registry;
  }

  /** A registry over fixed specs, without an event store (tests, benchmarks). */
  static of(specs: readonly InstrumentSpec[], options: InstrumentRegistryOptions = {}): InstrumentRegistry {
    const registry = new InstrumentRegistry(undefined as unknown as EventStore, options);
    for (const spec of specs) registry.states.set(spec.symbol, { status: 'listed', spec });
    return registry;
  }

  spec(symbol: string): InstrumentSpec | undefined {
    const state = this.states.get(symbol);
    if (state?.status !== 'listed') return undefined;
    const override = this.options.sessionOverride;
    if (!override) return state.spec;
    // Asked once or twice per tick: one overridden copy per spec version, not a fresh object per call.
    let overridden = this.overridden.get(state.spec);
    if (!overridden) this.overridden.set(state.spec, (overridden = { ...state.spec, tradingSession: override }));
    return overridden;
  }

  symbols(): string[] {
    return [...this.states].filter(([, state]) => state.status === 'listed').map(([symbol]) => symbol);
  }

  /** Reads the listed instruments' streams from where this registry got to, and notes the head for `follow()`. */
  async catchUp(): Promise<void> {
    const head = await this.eventStore.headPosition();
    const symbols = this.options.symbols ?? DEFAULT_INSTRUMENTS.map((spec) => spec.symbol);
    const reads = symbols.map((symbol) => {
      const streamId = instrumentStreamId(symbol);
      const known = this.revisions.get(streamId);
      return { streamId, fromRevision: known === undefined ? 0n : known + 1n };
    });
    for (let pending = reads; pending.length > 0;) {
      const byStream = await this.eventStore.readStreams(pending, { maxCountPerStream: LOAD_PAGE });
      for (const events of byStream.values()) for (const event of events) this.apply(event);
      // A stream with a full page may have more.
      pending = pending.filter((read) => byStream.get(read.streamId)?.length === LOAD_PAGE).map((read) => ({ ...read, fromRevision: this.revisions.get(read.streamId)! + 1n }));
    }
    if (head !== undefined && (this.checkpoint === undefined || head > this.checkpoint)) this.checkpoint = head;
  }

  /** Applies spec changes as they are recorded, until `close()`. */
  follow(onError: (error: unknown) => void = () => undefined): void {
    if (this.subscription) return;
    const subscription = this.eventStore.subscribe({ after: this.checkpoint, filter: { streamPrefix: INSTRUMENT_PREFIX } });
    this.subscription = subscription;
    this.following = (async () => {
      try {
        for await (const event of subscription) this.apply(event);
      } catch (error) {
        onError(error);
      }
    })();
  }

  async close(): Promise<void> {
    await this.subscription?.close();
    await this.following;
  }

  private apply(event: RecordedEvent): void {
    const applied = this.revisions.get(event.streamId);
    if (applied !== undefined && event.revision <= applied) return;
    this.revisions.set(event.streamId, event.revision);
    const symbol = event.streamId.slice(INSTRUMENT_PREFIX.length);
    const state = this.states.get(symbol) ?? instrumentDecider.initialState();
    this.states.set(symbol, instrumentDecider.evolve(state, { type: event.type, data: event.data } as unknown as InstrumentEvent));
    if (this.checkpoint === undefined || event.globalPosition > this.checkpoint) this.checkpoint = event.globalPosition;
  }
}

// Connects a broker to the ledger. It follows the log in order: accepted orders are routed, cancel
// requests are passed on, ticks become quotes, stops are tracked so the broker's gate sees them. The
// broker's reports come back as commands (RecordFill and friends) under the service actor, with command
// ids derived from the report, so a report delivered twice is applied once.
//
// Everything the broker knows is derived from the log, so after a restart it resumes from its checkpoint
// (book, quotes, stop states, position); without one it replays the log and reproduces the same fill ids,
// which the ledger has already booked.
import { movesLiveMarket } from '../../domain/market-data/index.ts';
import type { Actor, EventStore, RecordedEvent } from '../../domain/ports/event-store.ts';
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import type { OrderPlaced } from '../../domain/trading/account/index.ts';
import type { BrokerReport, RoutedOrder } from '../../domain/trading/broker/index.ts';
import { controlDecider, type ApplicableControls, type ControlEvent, type ControlState } from '../../domain/trading/control/index.ts';
import { uuidV5 } from '../handling/event-ids.ts';
import type { PaperBroker, PaperBrokerSnapshot } from './paper-broker.ts';
import { ReactorCheckpoint, accountIdOf, consume, react, silentLogger, type ReactorLogger, type RunningReactor } from './reactor.ts';
import type { TradingService } from './service.ts';

export const BROKER_ACTOR: Actor = { userId: 'paper-broker', role: 'service' };

const BROKER_EVENT_TYPES = [
  'OrderPlaced',
  'OrderAccepted',
  'OrderDenied',
  'OrderCancelRequested',
  'TickReceived',
  'EmergencyStopEngaged',
  'EmergencyStopReleaseRequested',
  'EmergencyStopReleased',
];

type PlacedOrder = OrderPlaced['data'];

interface Checkpoint {
  readonly position: bigint;
  readonly broker: PaperBrokerSnapshot;
  readonly placed: ReadonlyArray<readonly [string, PlacedOrder]>;
  readonly controls: ReadonlyArray<readonly [string, ControlState]>;
}

export interface BrokerReactorDeps {
  readonly eventStore: EventStore;
  readonly keyValue: KeyValueStore;
  readonly service: TradingService;
  /** Made with `controlsFor` bound to this reactor's `controlsFor`. */
  readonly broker: (controlsFor: (accountId: string, symbol: string) => ApplicableControls) => PaperBroker;
  readonly logger?: ReactorLogger;
  /** Key-value key of the checkpoint; one per broker instance. */
  readonly checkpointKey?: string;
  readonly checkpointEveryMs?: number;
}

/** Where an OrderPlaced recorded no expiry (before DAY orders carried one): the next UTC midnight. */
const nextUtcMidnight = (at: string): Date => {
  const day = new Date(at);
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1));
};

function routedOrder(accountId: string, placed: PlacedOrder): RoutedOrder {
  const { orderId, symbol, side, kind, timeInForce, qty, limitPrice, stopPrice, at, expiresAt } = placed;
  return {
    accountId, orderId, symbol, side, kind, timeInForce, qty, filledQty: 0n, fillCount: 0,
    ...(limitPrice === null ? {} : { limitPrice }),
    ...(stopPrice === null ? {} : { stopPrice }),
    ...(timeInForce === 'DAY' ? { sessionEndsAt: expiresAt === undefined ? nextUtcMidnight(at) : new Date(expiresAt) } : {}),
  };
}

/** JSON turns dates into text; the checkpoint's orders and quotes get theirs back. */
const revive = (snapshot: PaperBrokerSnapshot): PaperBrokerSnapshot => ({
  book: snapshot.book.map((o) => (o.sessionEndsAt === undefined ? o : { ...o, sessionEndsAt: new Date(o.sessionEndsAt) })),
  quotes: snapshot.quotes.map((q) => ({ ...q, at: new Date(q.at) })),
});

export class BrokerReactor {
  readonly broker: PaperBroker;
  private readonly placed = new Map<string, PlacedOrder>();
  private readonly controls = new Map<string, ControlState>();
  private readonly logger: ReactorLogger;
  private readonly checkpoint: ReactorCheckpoint<Checkpoint>;
  private running: RunningReactor | undefined;
  private position: bigint | undefined;

  constructor(private readonly deps: BrokerReactorDeps) {
    this.logger = deps.logger ?? silentLogger;
    this.broker = deps.broker((accountId, symbol) => this.controlsFor(accountId, symbol));
    this.checkpoint = new ReactorCheckpoint(deps.keyValue, deps.checkpointKey ?? `broker:${this.broker.venue}:checkpoint`, deps.checkpointEveryMs);
    this.broker.onReport((report) => this.onReport(report));
  }

  async start(): Promise<void> {
    const checkpoint = await this.checkpoint.load();
    if (checkpoint) {
      this.broker.restore(revive(checkpoint.broker));
      for (const [key, order] of checkpoint.placed) this.placed.set(key, order);
      for (const [key, state] of checkpoint.controls) this.controls.set(key, state);
      this.position = checkpoint.position;
    }
    const subscription = this.deps.eventStore.subscribe({ after: checkpoint?.position, filter: { eventTypes: BROKER_EVENT_TYPES }, batchSize: 1_000 });
    this.running = consume(subscription, (event) => this.handle(event), this.logger);
  }

  /** Stops following the log, lets reports in flight reach the ledger, and saves the checkpoint. */
  async stop(): Promise<void> {
    await this.running?.close();
    await this.broker.close();
    await this.saveCheckpoint();
  }

  controlsFor(accountId: string, symbol: string): ApplicableControls {
    const pick = (streamId: string) => this.controls.get(streamId);
    return { global: pick('control-global'), instrument: pick(`control-instrument-${symbol}`), account: pick(`control-account-${accountId}`) };
  }

  private async handle(event: RecordedEvent): Promise<void> {
    if (event.type === 'TickReceived') {
      const { symbol, bid, ask, timestamp } = event.data as { symbol: string; bid: bigint; ask: bigint; timestamp: string };
      // a back-filled tick fills nothing: the venue trades on the live market
      if (movesLiveMarket(event.data)) await this.broker.onQuote({ symbol, bid, ask, at: new Date(timestamp) });
    } else if (event.streamId.startsWith('control-')) {
      const state = this.controls.get(event.streamId) ?? controlDecider.initialState();
      this.controls.set(event.streamId, controlDecider.evolve(state, { type: event.type, data: event.data } as unknown as ControlEvent));
    } else if (event.streamId.startsWith('account-')) {
      await this.onOrderEvent(accountIdOf(event.streamId), event);
    }
    await this.maybeCheckpoint(event.globalPosition);
  }

  private async onOrderEvent(accountId: string, event: RecordedEvent): Promise<void> {
    const orderId = event.data.orderId as string;
    const key = `${accountId}/${orderId}`;
    switch (event.type) {
      case 'OrderPlaced':
        this.placed.set(key, event.data as unknown as PlacedOrder);
        return;
      case 'OrderAccepted': {
        const placed = this.placed.get(key);
        this.placed.delete(key);
        if (placed) await this.broker.route(routedOrder(accountId, placed));
        return;
      }
      case 'OrderDenied':
        this.placed.delete(key);
        return;
      case 'OrderCancelRequested':
        await this.broker.cancel(accountId, orderId);
        return;
    }
  }

  private async onReport(report: BrokerReport): Promise<void> {
    const { accountId, orderId } = report;
    const ctx = (what: string) => ({ commandId: uuidV5(`broker/${this.broker.venue}/${what}/${accountId}/${orderId}`), actor: BROKER_ACTOR, correlationId: orderId });
    const service = this.deps.service;
    switch (report.kind) {
      case 'fill': {
        const { fillId, qty, price, symbol, side } = report;
        const reported = { accountId, orderId, fillId, qty, price, ...(symbol ? { symbol } : {}), ...(side ? { side } : {}) };
        await react(`fill ${fillId}`, async () => {
          const outcome = await service.recordFill(ctx(`fill/${fillId}`), reported);
          const refused = outcome.events.find((event) => event.type === 'FillRefused')?.data as { code: string; reason: string } | undefined;
          // Recorded for the desk to reconcile (GraphQL refusedFills); the venue's fill is not booked.
          if (refused) this.logger.warn({ what: `fill ${fillId}`, code: refused.code, reason: refused.reason }, 'fill refused by the post-trade checks, not booked');
        }, this.logger);
        return;
      }
      case 'reject':
        await react(`reject ${orderId}`, () => service.rejectOrder(ctx('reject'), { accountId, orderId, reason: `${report.reason}: ${report.message}` }), this.logger);
        return;
      case 'cancel':
        // An IOC / FOK the venue canceled was never asked to cancel: record the request, then the cancel.
        if (report.reason !== 'CANCEL_REQUESTED') {
          await react(`cancel ${orderId}`, () => service.cancelOrder(ctx('venue-cancel'), { accountId, orderId, reason: report.reason }), this.logger);
        }
        await react(`confirm cancel ${orderId}`, () => service.confirmCancel(ctx('cancel'), { accountId, orderId }), this.logger);
        return;
      case 'expire':
        await react(`expire ${orderId}`, () => service.expireOrder(ctx('expire'), { accountId, orderId, reason: 'session ended' }), this.logger);
        return;
    }
  }

  /** Saved only when every report of the events handled so far has reached the ledger. */
  private async maybeCheckpoint(position: bigint): Promise<void> {
    this.position = position;
    if (this.checkpoint.due()) await this.saveCheckpoint();
  }

  private async saveCheckpoint(): Promise<void> {
    if (this.position === undefined || this.broker.pendingReports() > 0) return;
    await this.checkpoint.save({ position: this.position, broker: this.broker.snapshot(), placed: [...this.placed], controls: [...this.controls] });
  }
}

// The emergency stop's sweep. It follows the log in order and keeps the working orders per account and
// the stops in force. When a stop is engaged it requests the cancel of every working order in its scope;
// when an order is accepted while a stop applies (the handler judged it on the stop state from just
// before the stop was recorded) it cancels that order too. In log order one of the two always comes
// second, so no order accepted around a stop stays working.
//
// With a key-value store it keeps a checkpoint (the position handled, the orders it tracks, the stops in
// force) and after a restart follows the log from there instead of replaying it from the start. Events
// after the checkpoint may be handled twice; its cancels carry command ids derived from the events, so a
// second handling applies nothing.
import type { EventStore, RecordedEvent } from '../../domain/ports/event-store.ts';
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import type { Actor } from '../../domain/ports/event-store.ts';
import type { ControlScope, EmergencyStopEngaged } from '../../domain/trading/control/index.ts';
import { uuidV5 } from '../handling/event-ids.ts';
import { describeStopScope } from './control-reader.ts';
import { ReactorCheckpoint, accountIdOf, consume, react, silentLogger, type ReactorLogger, type RunningReactor } from './reactor.ts';
import type { TradingService } from './service.ts';

export const STOP_SWEEP_ACTOR: Actor = { userId: 'stop-sweep', role: 'service' };

const SWEEP_EVENT_TYPES = [
  'OrderPlaced',
  'OrderAccepted',
  'OrderDenied',
  'OrderFilled',
  'OrderCanceled',
  'OrderRejected',
  'OrderExpired',
  'EmergencyStopEngaged',
  'EmergencyStopReleased',
];
const FINISHING = new Set(['OrderDenied', 'OrderCanceled', 'OrderRejected', 'OrderExpired']);

interface TrackedOrder {
  readonly accountId: string;
  readonly orderId: string;
  readonly symbol: string;
  working: boolean;
}

export interface StopSweepDeps {
  readonly eventStore: EventStore;
  readonly service: TradingService;
  readonly logger?: ReactorLogger;
  /** Where the checkpoint is kept; without it every start replays the log from the beginning. */
  readonly keyValue?: KeyValueStore;
  readonly checkpointKey?: string;
  readonly checkpointEveryMs?: number;
}

interface Checkpoint {
  readonly position: bigint;
  readonly orders: readonly TrackedOrder[];
  readonly stops: ReadonlyArray<readonly [string, ControlScope]>;
}

const inScope = (scope: ControlScope, order: TrackedOrder): boolean =>
  scope.kind === 'global' || (scope.kind === 'instrument' ? scope.symbol === order.symbol : scope.accountId === order.accountId);

export class StopSweep {
  private readonly orders = new Map<string, TrackedOrder>();
  private readonly stops = new Map<string, ControlScope>();
  private running: RunningReactor | undefined;
  private position: bigint | undefined;
  private handled = 0;
  private readonly checkpoint: ReactorCheckpoint<Checkpoint> | undefined;

  constructor(private readonly deps: StopSweepDeps) {
    this.checkpoint = deps.keyValue && new ReactorCheckpoint(deps.keyValue, deps.checkpointKey ?? 'stop-sweep:checkpoint', deps.checkpointEveryMs);
  }

  /** Restores the checkpoint if there is one, then follows the log from it (from the start without one). */
  async start(): Promise<void> {
    const checkpoint = await this.checkpoint?.load();
    if (checkpoint !== undefined) {
      for (const order of checkpoint.orders) this.orders.set(`${order.accountId}/${order.orderId}`, { ...order });
      for (const [key, scope] of checkpoint.stops) this.stops.set(key, scope);
      this.position = checkpoint.position;
    }
    const subscription = this.deps.eventStore.subscribe({ after: this.position, filter: { eventTypes: SWEEP_EVENT_TYPES }, batchSize: 1_000 });
    this.running = consume(subscription, async (event) => {
      await this.handle(event);
      this.handled += 1;
      this.position = event.globalPosition;
      if (this.checkpoint?.due()) await this.saveCheckpoint();
    }, this.deps.logger ?? silentLogger);
  }

  /** Stops following the log and saves the checkpoint. */
  async stop(): Promise<void> {
    await this.running?.close();
    await this.saveCheckpoint();
  }

  /** Working orders the sweep knows of, for tests and diagnostics. */
  workingOrderCount(): number {
    return [...this.orders.values()].filter((o) => o.working).length;
  }

  /** Whether the sweep holds this order as working, for tests and diagnostics. */
  isWorking(accountId: string, orderId: string): boolean {
    return this.orders.get(`${accountId}/${orderId}`)?.working === true;
  }

  /** Events handled since this instance started, for tests and diagnostics. */
  eventsHandled(): number {
    return this.handled;
  }

  private async saveCheckpoint(): Promise<void> {
    if (this.position === undefined) return;
    await this.checkpoint?.save({ position: this.position, orders: [...this.orders.values()], stops: [...this.stops] });
  }

  private async handle(event: RecordedEvent): Promise<void> {
    if (event.streamId.startsWith('control-')) return this.onControl(event);
    if (!event.streamId.startsWith('account-')) return;
    const accountId = accountIdOf(event.streamId);
    const orderId = event.data.orderId as string;
    const key = `${accountId}/${orderId}`;
    if (event.type === 'OrderPlaced') {
      this.orders.set(key, { accountId, orderId, symbol: event.data.symbol as string, working: false });
    } else if (event.type === 'OrderAccepted') {
      const order = this.orders.get(key);
      if (!order) return;
      order.working = true;
      const scope = [...this.stops.values()].find((s) => inScope(s, order));
      if (scope) await this.cancel(order, scope, `accepted-under/${event.eventId}`);
    } else if (FINISHING.has(event.type) || (event.type === 'OrderFilled' && event.data.orderStatus === 'filled')) {
      this.orders.delete(key);
    }
  }

  private async onControl(event: RecordedEvent): Promise<void> {
    const { scope } = event.data as unknown as EmergencyStopEngaged['data'];
    const key = describeStopScope(scope);
    if (event.type === 'EmergencyStopReleased') {
      this.stops.delete(key);
      return;
    }
    this.stops.set(key, scope);
    const targets = [...this.orders.values()].filter((order) => order.working && inScope(scope, order));
    await Promise.all(targets.map((order) => this.cancel(order, scope, `engaged/${event.eventId}`)));
  }

  private async cancel(order: TrackedOrder, scope: ControlScope, cause: string): Promise<void> {
    // The command id names the stop event and the order: replaying the log re-issues the same command.
    const commandId = uuidV5(`stop-sweep/${cause}/${order.accountId}/${order.orderId}`);
    const reason = `emergency stop (${describeStopScope(scope)})`;
    await react(
      `cancel ${order.accountId}/${order.orderId}`,
      () => this.deps.service.cancelOrder({ commandId, actor: STOP_SWEEP_ACTOR }, { accountId: order.accountId, orderId: order.orderId, reason }),
      this.deps.logger ?? silentLogger,
    );
  }
}

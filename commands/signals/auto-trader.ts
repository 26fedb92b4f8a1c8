// The auto-trader, off unless AUTO_TRADER=on: turns champion signals into market orders under its own
// actor, through the trading service, so every order meets the same risk checks as a trader's. Shadow
// signals are never traded. It aims for a position of +qty on a long signal and -qty on a short one and
// orders only the difference from what its accepted orders have built; flat signals change nothing.
// Command ids derive from the signal's event id, so a replayed signal never places a second order.
import type { TradingService, PlaceOrderOutcome } from '../trading/service.ts';
import { uuidV5 } from '../handling/event-ids.ts';
import type { PendingSignal } from './signal-writer.ts';

/** The one method the auto-trader needs: TradingService satisfies it. */
export type OrderPlacer = Pick<TradingService, 'placeOrder'>;

export const AUTO_TRADER_ACTOR = { userId: 'auto-trader', role: 'service' } as const;

export interface AutoTraderOptions {
  readonly placer: OrderPlacer;
  readonly accountId: string;
  /** Quantity steps per position (XAUUSD: 0.01 lot each). */
  readonly qty: bigint;
  /** Only this model's champion signals are traded. */
  readonly model: string;
  readonly logger: { info(details: object, message: string): void; error(details: object, message: string): void };
  readonly onDecision?: (outcome: PlaceOrderOutcome, signal: PendingSignal) => void;
}

export class AutoTrader {
  /** Net quantity built by accepted orders, per symbol. */
  private readonly position = new Map<string, bigint>();

  constructor(private readonly options: AutoTraderOptions) {}

  async onSignals(signals: readonly PendingSignal[]): Promise<void> {
    for (const signal of signals) {
      const data = signal.event.data;
      if (data.shadow || data.model !== this.options.model || data.direction === 'flat') continue;
      try {
        await this.trade(signal);
      } catch (error) {
        // A refused or failed order must not stop the signal engine; the error is logged with the signal.
        this.options.logger.error({ err: error, signal: signal.event.eventId }, 'auto-trader could not place an order');
      }
    }
  }

  private async trade(signal: PendingSignal): Promise<void> {
    const { symbol, direction } = signal.event.data;
    const target = direction === 'long' ? this.options.qty : -this.options.qty;
    const current = this.position.get(symbol) ?? 0n;
    const difference = target - current;
    if (difference === 0n) return;
    const commandId = uuidV5(`auto-trader/${signal.event.eventId}`);
    const outcome = await this.options.placer.placeOrder(
      { commandId, actor: AUTO_TRADER_ACTOR, correlationId: signal.event.eventId },
      {
        accountId: this.options.accountId, clientOrderId: `auto-${signal.event.eventId}`, symbol,
        side: difference > 0n ? 'buy' : 'sell', kind: 'market', timeInForce: 'IOC', qty: difference > 0n ? difference : -difference,
      },
    );
    if (outcome.accepted) this.position.set(symbol, target);
    this.options.logger.info({ orderId: outcome.orderId, accepted: outcome.accepted, reasons: outcome.decision.reasons, signal: signal.event.eventId }, 'auto-trader order decided');
    this.options.onDecision?.(outcome, signal);
  }
}

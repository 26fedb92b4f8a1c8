// The broker port: what the command side needs from any execution venue. The paper broker implements it
// with matchOrder; MT5 and cTrader adapters follow the same shape. Every report goes back to the ledger
// as a command (RecordFill, RecordReject, ...), so reports must be safe to deliver twice: fills carry a
// deterministic fill id and the ledger ignores a fill id it has already booked.
import type { CancelReason, OrderKind, OrderSide, QuoteTop, TimeInForce } from './matching.ts';

/** An accepted order handed to the broker. Prices in price units, quantity in quantity steps. */
export type RoutedOrder = {
  readonly accountId: string;
  readonly orderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly kind: OrderKind;
  readonly timeInForce: TimeInForce;
  readonly limitPrice?: bigint;
  readonly stopPrice?: bigint;
  readonly qty: bigint;
  /** Quantity already filled before this routing (a broker restarted mid-order resumes from here). */
  readonly filledQty: bigint;
  readonly fillCount: number;
  readonly sessionEndsAt?: Date;
};

export type MarketQuote = QuoteTop & { readonly symbol: string };

type OrderRef = { readonly accountId: string; readonly orderId: string; readonly at: Date };

export type BrokerRejectReason = 'EMERGENCY_STOP' | 'ORDER_INVALID' | 'NO_MARKET' | 'VENUE_REJECTED';

export type BrokerReport =
  /** A fill names what the venue filled (symbol, side) so the ledger can check it against the order. */
  | (OrderRef & { readonly kind: 'fill'; readonly fillId: string; readonly price: bigint; readonly qty: bigint; readonly symbol?: string; readonly side?: OrderSide })
  | (OrderRef & { readonly kind: 'reject'; readonly reason: BrokerRejectReason; readonly message: string })
  | (OrderRef & { readonly kind: 'cancel'; readonly reason: CancelReason | 'CANCEL_REQUESTED' })
  | (OrderRef & { readonly kind: 'expire' });

/** Receives the broker's reports; the broker awaits it, so a slow ledger slows the broker, not the reverse. */
export type BrokerReportListener = (report: BrokerReport) => void | Promise<void>;

export interface Broker {
  /** Venue name as it appears in logs and reports ("paper", "mt5", "ctrader"). */
  readonly venue: string;
  /** Takes an accepted order to market. Outcomes (fill, reject, cancel, expire) arrive as reports. */
  route(order: RoutedOrder): Promise<void>;
  /** Asks the venue to cancel a working order; a fill that races the cancel is still reported. */
  cancel(accountId: string, orderId: string): Promise<void>;
  /** Feeds a market quote (the paper broker matches on it; real venues may ignore it). */
  onQuote(quote: MarketQuote): Promise<void>;
  /** Registers a report listener; returns the function that removes it. */
  onReport(listener: BrokerReportListener): () => void;
  /** Stops taking orders and waits for in-flight reports to be delivered. */
  close(): Promise<void>;
}

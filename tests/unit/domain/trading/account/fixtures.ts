// An XAUUSD account as the desk sets one up: 1,000,000.00 USD, 3 lots net cap, gold at 2,400.00.
import type { Actor } from '../../../../../domain/ports/event-store.ts';
import type { CommandMetadata } from '../../../../../domain/shared/decider.ts';
import {
  DEFAULT_FILL_BAND_BPS,
  accountDecider,
  orderFromEvents,
  type AccountCommand,
  type AccountEvent,
  type CancelOrder,
  type PlaceOrder,
  type PlaceOrderData,
  type RecordFill,
  type RiskLimitsInput,
} from '../../../../../domain/trading/account/index.ts';
import { XAUUSD_FACTS } from '../../../../../domain/trading/orders/index.ts';
import type { Quote } from '../../../../../domain/trading/risk/index.ts';
import { specFor } from '../spec.ts';

export const ACCOUNT = 'A1';
export const T0 = new Date('2024-05-06T10:00:00.000Z');
export const TRADER: Actor = { userId: 'trader-1', role: 'trader' };
export const OFFICER: Actor = { userId: 'officer-1', role: 'risk_officer' };
export const BROKER: Actor = { userId: 'paper-broker', role: 'service' };

export const at = (offsetMs: number): Date => new Date(T0.getTime() + offsetMs);

let commandSeq = 0;
export function meta(now: Date = T0, actor: Actor = TRADER, commandId?: string): CommandMetadata {
  commandSeq += 1;
  return { commandId: commandId ?? `cmd-${commandSeq}`, now, actor };
}

export const LIMITS: RiskLimitsInput = {
  maxOrderNotional: 50_000_000n, // 500,000.00 USD
  maxPositionQty: 300n, // 3 lots
  maxOpenOrders: 5,
  priceCollarBps: 100n,
  maxQuoteAgeMs: 2_000,
  maxSubmitsPerWindow: 10,
  submitWindowMs: 1_000,
  maxDailyLoss: 1_000_000n, // 10,000.00 USD
};

/** bid 2399.90 / ask 2400.10, mid 2400.00, 100 ms old at `now`. */
export const quoteAt = (now: Date, mid = 240_000n, halfSpread = 10n): Quote => ({
  bid: mid - halfSpread,
  ask: mid + halfSpread,
  timestamp: new Date(now.getTime() - 100),
});

export const open = (startingBalance = 100_000_000n): AccountCommand => ({
  type: 'OpenAccount',
  data: { accountId: ACCOUNT, currency: 'USD', startingBalance },
  metadata: meta(T0, OFFICER),
});

export const setLimits = (limits: Partial<RiskLimitsInput> = {}, now = T0): AccountCommand => ({
  type: 'SetRiskLimits',
  data: { accountId: ACCOUNT, limits: { ...LIMITS, ...limits } },
  metadata: meta(now, OFFICER),
});

export type OrderFields = Partial<Omit<PlaceOrderData, 'market' | 'controls'>> & {
  now?: Date;
  quote?: Quote | null;
  stopped?: boolean;
  mid?: bigint;
};

let orderSeq = 0;
export function place(fields: OrderFields = {}): PlaceOrder {
  const { now = T0, quote, stopped = false, mid, ...order } = fields;
  orderSeq += 1;
  const id = order.orderId ?? `O-${orderSeq}`;
  const lastQuote = quote === null ? undefined : (quote ?? quoteAt(now, mid));
  return {
    type: 'PlaceOrder',
    data: {
      accountId: ACCOUNT,
      clientOrderId: order.clientOrderId ?? `c-${id}`,
      symbol: 'XAUUSD',
      side: 'buy',
      kind: 'market',
      timeInForce: 'GTC',
      qty: 100n,
      ...order,
      orderId: id,
      market: { instrument: XAUUSD_FACTS, ...(lastQuote === undefined ? {} : { lastQuote }) },
      controls: stopped ? { stopped: true, scope: 'global' } : { stopped: false },
    },
    metadata: meta(now, TRADER),
  };
}

/** A fill; the market it meets is by default a quote with its mid at the fill price (so the mark is the price). */
export const fill = (orderId: string, qty: bigint, price: bigint, fillId: string, now = T0, fee?: bigint, market?: RecordFill['data']['market']): RecordFill => ({
  type: 'RecordFill',
  data: {
    accountId: ACCOUNT, orderId, fillId, qty, price, ...(fee === undefined ? {} : { fee }),
    market: market ?? { lastQuote: { bid: price, ask: price, timestamp: now }, bandBps: DEFAULT_FILL_BAND_BPS },
  },
  metadata: meta(now, BROKER),
});

export const cancel = (orderId: string, now = T0): CancelOrder => ({
  type: 'CancelOrder',
  data: { accountId: ACCOUNT, orderId, reason: 'trader cancel' },
  metadata: meta(now, TRADER),
});

export const account = specFor(accountDecider);

/**
 * The command with the order it names as `history` recorded it (recordedOrder): a finished order is not
 * in the state, and the command side hands it in read from the stream, as these specs do from `history`.
 */
export function naming<C extends AccountCommand>(command: C, history: readonly AccountEvent[]): C {
  const orderId = (command.data as { orderId?: string }).orderId;
  const own = history.filter((e) => (e.data as { orderId?: string }).orderId === orderId);
  const recordedOrder = orderFromEvents(own);
  return { ...command, data: { ...command.data, ...(recordedOrder ? { recordedOrder } : {}) } };
}

/** An open, funded account with the fixture limits. */
export const funded = (): ReturnType<typeof account.history> => account.history(open(), setLimits());

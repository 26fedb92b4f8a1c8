// Event data as the domain records it, small enough to read in a test.
import { pickInstrumentFacts, XAUUSD_FACTS } from '../../../domain/trading/orders/index.ts';
import type { GivenEvent } from './given.ts';

export const FACTS = pickInstrumentFacts(XAUUSD_FACTS);

export const tick = (at: string, bid: bigint, ask: bigint, sequence: bigint): GivenEvent => ({
  stream: `ticks-XAUUSD-${at.slice(0, 10).replaceAll('-', '')}`,
  type: 'TickReceived',
  data: { symbol: 'XAUUSD', source: 'feed', sequence, bid, ask, timestamp: at },
});

export const opened = (account: string, at: string, startingBalance: bigint): GivenEvent => ({
  stream: `account-${account}`, type: 'AccountOpened', data: { at, accountId: account, currency: 'USD', startingBalance },
});

export const placed = (account: string, orderId: string, at: string, side: 'buy' | 'sell', qty: bigint): GivenEvent => ({
  stream: `account-${account}`,
  type: 'OrderPlaced',
  data: { at, orderId, clientOrderId: `c-${orderId}`, symbol: 'XAUUSD', side, kind: 'market', timeInForce: 'GTC', qty, limitPrice: null, stopPrice: null, reduceOnly: false, instrument: FACTS, quote: null },
});

export const accountEvent = (account: string, type: string, data: Record<string, unknown>): GivenEvent => ({ stream: `account-${account}`, type, data });

interface FillFields {
  orderId: string; at: string; side: 'buy' | 'sell'; qty: bigint; price: bigint; fee: bigint; cashFlow: bigint; orderStatus: string; orderFilledQty: bigint;
  closedQty: bigint; openedQty: bigint; realizedPnl: bigint; positionQty: bigint; positionCostBasis: bigint;
}

export const filled = (account: string, fillId: string, f: FillFields): GivenEvent => ({
  stream: `account-${account}`, type: 'OrderFilled', data: { fillId, symbol: 'XAUUSD', ...f },
});

interface RefusalFields {
  orderId: string; at: string; side: 'buy' | 'sell'; qty: bigint; price: bigint; code: string; reason: string;
  reportedSymbol?: string | null; reportedSide?: 'buy' | 'sell' | null; limitPrice?: bigint | null;
  quote?: { bid: bigint; ask: bigint; timestamp: string } | null; bandBps?: bigint; reportedBy?: { userId: string; role: string };
}

/** FillRefused as the account records it: the order's symbol and side, what the broker named, the quote and band. */
export const refused = (account: string, fillId: string, f: RefusalFields): GivenEvent => ({
  stream: `account-${account}`,
  type: 'FillRefused',
  data: {
    fillId, symbol: 'XAUUSD', reportedSymbol: null, reportedSide: null, limitPrice: null, quote: null, bandBps: 100n,
    reportedBy: { userId: 'broker-1', role: 'service' }, ...f,
  },
});

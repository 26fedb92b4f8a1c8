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

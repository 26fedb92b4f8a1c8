// Subscriptions: live bus messages turned into the same shapes the queries return. Quotes and the
// forming candle come straight from ticks; orders, fills, positions, risk decisions and control states
// are read from the read models once their projection has applied the event, so a subscriber gets the
// whole row, exactly as a query would show it a moment later.
import { LIVE_TOPICS, type LiveBus, type LiveEvent, type LiveSubscription } from '../infra/bus/index.ts';
import { midOf } from '../domain/market-data/index.ts';
import type { AccountReads, Fill, Order, Position, RiskDecision } from './accounts.ts';
import type { ControlState, DeskReads } from './desk.ts';
import type { Instruments } from './format.ts';
import { INTERVAL_MS, presentCandle, presentQuote, type Candle, type CandleUnits, type Interval, type MarketReads, type Quote } from './market.ts';
import type { ProjectionWatch } from './watch.ts';

type Mapper<T> = (event: LiveEvent) => Promise<T | undefined> | T | undefined;

/**
 * An async iterator over mapped bus messages. Not an async generator: a generator parked on a read
 * could not be returned until the next message, and a closed subscription must free its bus interest now.
 */
export function liveIterator<T>(sub: LiveSubscription<LiveEvent>, map: Mapper<T>): AsyncIterableIterator<T> {
  const source = sub[Symbol.asyncIterator]();
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const message = await source.next();
        if (message.done) return { done: true, value: undefined };
        const value = await map(message.value.payload);
        if (value !== undefined) return { done: false, value };
      }
    },
    async return() {
      sub.close();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

const ORDER_EVENTS = new Set(['OrderPlaced', 'OrderAccepted', 'OrderDenied', 'OrderCancelRequested', 'OrderCanceled', 'OrderFilled', 'OrderRejected', 'OrderExpired']);

export interface LiveViewsDeps {
  readonly bus: LiveBus;
  readonly instruments: Instruments;
  readonly market: MarketReads;
  readonly accounts: AccountReads;
  readonly desk: DeskReads;
  readonly watch: ProjectionWatch;
}

export class LiveViews {
  constructor(private readonly deps: LiveViewsDeps) {}

  private async open(topic: string): Promise<LiveSubscription<LiveEvent>> {
    const sub = this.deps.bus.subscribe<LiveEvent>(topic);
    await sub.ready;
    return sub;
  }

  private async after<T>(projection: string, event: LiveEvent, read: () => Promise<T | null | undefined>): Promise<T | undefined> {
    await this.deps.watch.reached(projection, BigInt(event.position));
    return (await read()) ?? undefined;
  }

  async quotes(symbol: string): Promise<AsyncIterableIterator<Quote>> {
    return liveIterator(await this.open(LIVE_TOPICS.quotes(symbol)), (e) => quoteOf(this.deps.instruments, e));
  }

  async formingCandle(symbol: string, interval: Interval): Promise<AsyncIterableIterator<Candle>> {
    const sub = await this.open(LIVE_TOPICS.quotes(symbol));
    let candle = await this.deps.market.lastCandle(symbol, interval);
    return liveIterator(sub, (e) => {
      const next = foldTick(candle, e, symbol, interval);
      if (next === candle) return undefined;
      candle = next;
      return presentCandle(this.deps.instruments, next!);
    });
  }

  async orders(accountId: string): Promise<AsyncIterableIterator<Order>> {
    return liveIterator(await this.open(LIVE_TOPICS.account(accountId)), (e) =>
      ORDER_EVENTS.has(e.type) ? this.after('orders', e, async () => (await this.deps.accounts.ordersById([String(e.data.orderId)]))[0]) : undefined);
  }

  async fills(accountId: string): Promise<AsyncIterableIterator<Fill>> {
    return liveIterator(await this.open(LIVE_TOPICS.account(accountId)), (e) =>
      e.type === 'OrderFilled' ? this.after('fills', e, () => this.deps.accounts.fillById(String(e.data.fillId))) : undefined);
  }

  async positions(accountId: string): Promise<AsyncIterableIterator<Position>> {
    return liveIterator(await this.open(LIVE_TOPICS.account(accountId)), (e) =>
      e.type === 'OrderFilled'
        ? this.after('portfolio', e, async () => (await this.deps.accounts.positions([accountId])).get(accountId)?.find((p) => p.symbol === e.data.symbol))
        : undefined);
  }

  async riskDecisions(accountId: string): Promise<AsyncIterableIterator<RiskDecision>> {
    return liveIterator(await this.open(LIVE_TOPICS.account(accountId)), (e) =>
      e.type === 'RiskDecisionRecorded' ? this.after('risk_decisions', e, () => this.deps.accounts.decisionAt(e.position)) : undefined);
  }

  async controlStates(): Promise<AsyncIterableIterator<ControlState>> {
    return liveIterator(await this.open(LIVE_TOPICS.control), (e) =>
      this.after('control', e, async () => (await this.deps.desk.controlStates()).find((s) => s.scope === scopeKeyOf(e.data.scope))));
  }
}

export function quoteOf(instruments: Instruments, e: LiveEvent): Quote | undefined {
  if (e.type !== 'TickReceived') return undefined;
  const d = e.data as { symbol: string; bid: string; ask: string; timestamp: string };
  return presentQuote(instruments, d.symbol, BigInt(d.bid), BigInt(d.ask), d.timestamp, e.position);
}

/** The candle after one more tick: a new bucket starts a candle; a tick older than the candle changes nothing. */
export function foldTick(candle: CandleUnits | undefined, e: LiveEvent, symbol: string, interval: Interval): CandleUnits | undefined {
  if (e.type !== 'TickReceived') return candle;
  const d = e.data as { bid: string; ask: string; timestamp: string };
  const bid = BigInt(d.bid);
  const ask = BigInt(d.ask);
  const mid = midOf(bid, ask);
  const spread = ask - bid;
  const width = INTERVAL_MS[interval];
  const bucketMs = Math.floor(Date.parse(d.timestamp) / width) * width;
  if (candle && bucketMs < candle.bucketMs) return candle;
  if (!candle || bucketMs > candle.bucketMs) {
    return { symbol, interval, bucketMs, open: mid, high: mid, low: mid, close: mid, bidClose: bid, askClose: ask, tickCount: 1, spreadMin: spread, spreadMax: spread, spreadSum: spread };
  }
  return {
    ...candle, high: mid > candle.high ? mid : candle.high, low: mid < candle.low ? mid : candle.low, close: mid, bidClose: bid, askClose: ask,
    tickCount: candle.tickCount + 1, spreadMin: spread < candle.spreadMin ? spread : candle.spreadMin, spreadMax: spread > candle.spreadMax ? spread : candle.spreadMax,
    spreadSum: candle.spreadSum + spread,
  };
}

function scopeKeyOf(scope: unknown): string {
  const s = (scope ?? {}) as { kind?: string; symbol?: string; accountId?: string };
  return s.kind === 'instrument' ? `instrument:${s.symbol}` : s.kind === 'account' ? `account:${s.accountId}` : 'global';
}

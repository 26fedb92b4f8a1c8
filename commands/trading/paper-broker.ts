// The paper broker: a venue simulated in process behind the Broker port. It keeps a book of routed
// orders, matches them with matchOrder on every quote it is fed, and reports fills, cancels, expiries and
// rejections after a configurable latency. It neither routes nor fills while an emergency stop applies.
import type { ApplicableControls } from '../../domain/trading/control/index.ts';
import {
  matchUnlessStopped,
  routeDecision,
  toWorkingOrder,
  type Broker,
  type BrokerReport,
  type BrokerReportListener,
  type MarketQuote,
  type MatchingConfig,
  type QuoteTop,
  type RoutedOrder,
} from '../../domain/trading/broker/index.ts';

export interface PaperBrokerOptions {
  /** Price units added to a buy's ask and taken off a sell's bid for market and triggered stop orders. */
  readonly slippagePriceUnits: bigint;
  /** Delay before a report reaches the ledger, as a real venue's round trip would. */
  readonly latencyMs: number;
  /** The stop states that bear on an order of this account in this instrument. */
  readonly controlsFor: (accountId: string, symbol: string) => ApplicableControls;
}

/** What the broker holds, to resume after a restart exactly where it was. */
export interface PaperBrokerSnapshot {
  readonly book: readonly RoutedOrder[];
  readonly quotes: readonly MarketQuote[];
}

const keyOf = (accountId: string, orderId: string) => `${accountId}/${orderId}`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class PaperBroker implements Broker {
  readonly venue = 'paper';
  private readonly book = new Map<string, RoutedOrder>();
  private readonly quotes = new Map<string, MarketQuote>();
  private readonly listeners = new Set<BrokerReportListener>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly matching: MatchingConfig;
  private closed = false;

  constructor(private readonly options: PaperBrokerOptions) {
    this.matching = { slippagePriceUnits: options.slippagePriceUnits };
  }

  async route(order: RoutedOrder): Promise<void> {
    if (this.closed) return;
    const decision = routeDecision(this.options.controlsFor(order.accountId, order.symbol));
    if (decision.kind === 'reject') {
      const scopes = decision.scopes.map((s) => (s.kind === 'global' ? 'global' : s.kind === 'instrument' ? s.symbol : s.accountId)).join(', ');
      this.report({ kind: 'reject', accountId: order.accountId, orderId: order.orderId, at: new Date(), reason: 'EMERGENCY_STOP', message: `emergency stop in force: ${scopes}` });
      return;
    }
    this.book.set(keyOf(order.accountId, order.orderId), order);
    // Market, IOC and FOK orders meet the quote current when they arrive; resting orders wait for a later one.
    const quote = this.quotes.get(order.symbol);
    const immediate = order.kind === 'market' || order.timeInForce === 'IOC' || order.timeInForce === 'FOK';
    if (quote && immediate) this.match(order, quote);
  }

  async cancel(accountId: string, orderId: string): Promise<void> {
    // Whether or not the order is still on the book, it is off the market now: confirm.
    this.book.delete(keyOf(accountId, orderId));
    this.report({ kind: 'cancel', accountId, orderId, at: new Date(), reason: 'CANCEL_REQUESTED' });
  }

  async onQuote(quote: MarketQuote): Promise<void> {
    const current = this.quotes.get(quote.symbol);
    if (current && current.at.getTime() > quote.at.getTime()) return;
    this.quotes.set(quote.symbol, quote);
    for (const order of [...this.book.values()]) {
      if (order.symbol === quote.symbol) this.match(order, quote);
    }
  }

  onReport(listener: BrokerReportListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reports still on their way to the ledger. */
  pendingReports(): number {
    return this.inFlight.size;
  }

  /** Waits for every report made so far to be delivered. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }

  snapshot(): PaperBrokerSnapshot {
    return { book: [...this.book.values()], quotes: [...this.quotes.values()] };
  }

  restore(snapshot: PaperBrokerSnapshot): void {
    this.book.clear();
    this.quotes.clear();
    for (const order of snapshot.book) this.book.set(keyOf(order.accountId, order.orderId), order);
    for (const quote of snapshot.quotes) this.quotes.set(quote.symbol, quote);
  }

  private match(order: RoutedOrder, quote: QuoteTop): void {
    const controls = this.options.controlsFor(order.accountId, order.symbol);
    const result = matchUnlessStopped(toWorkingOrder(order), quote, this.matching, controls);
    const ref = { accountId: order.accountId, orderId: order.orderId, at: quote.at };
    const key = keyOf(order.accountId, order.orderId);
    switch (result.kind) {
      case 'none':
        return;
      case 'fill': {
        const filledQty = order.filledQty + result.qty;
        if (filledQty >= order.qty) this.book.delete(key);
        else this.book.set(key, { ...order, filledQty, fillCount: order.fillCount + 1 });
        this.report({ ...ref, kind: 'fill', fillId: result.fillId, price: result.price, qty: result.qty, symbol: order.symbol, side: order.side });
        return;
      }
      case 'cancel':
        this.book.delete(key);
        this.report({ ...ref, kind: 'cancel', reason: result.reason });
        return;
      case 'expire':
        this.book.delete(key);
        this.report({ ...ref, kind: 'expire' });
        return;
    }
  }

  private report(report: BrokerReport): void {
    const delivery = (async () => {
      if (this.options.latencyMs > 0) await sleep(this.options.latencyMs);
      for (const listener of [...this.listeners]) await listener(report);
    })();
    const tracked = delivery.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}

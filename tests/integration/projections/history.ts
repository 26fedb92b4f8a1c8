// A generated trading history for projection tests and the rebuild benchmark: XAUUSD ticks on a random
// walk (with a few rejected ticks), accounts that deposit and place orders (risk decisions, denials,
// fills with exact position bookkeeping, cancels), account trading-state changes and emergency stops.
// Seeded, so two runs generate the same data; appended in large batches straight to the store.
import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent } from '../../../domain/ports/event-store.ts';
import { XAUUSD_SPEC } from '../../../domain/market-data/instrument-spec.ts';
import { tickStreamId } from '../../../domain/market-data/tick-events.ts';
import { bookFill, flatPosition, type Position } from '../../../domain/trading/account/positions.ts';
import { pickInstrumentFacts, XAUUSD_FACTS } from '../../../domain/trading/orders/index.ts';
import { mulberry32 } from '../../../commands/market-data/synthetic-feed.ts';

export interface HistoryOptions {
  readonly events: number;
  readonly accounts?: number;
  readonly seed?: number;
  readonly start?: Date;
  /** Milliseconds between ticks. */
  readonly tickEveryMs?: number;
}

export interface Append {
  readonly streamId: string;
  readonly events: NewEvent[];
}

const prng = mulberry32;

const FACTS = pickInstrumentFacts(XAUUSD_FACTS);
const CHECK_NAMES = ['RISK.QTY_MIN', 'RISK.QTY_MAX', 'RISK.NOTIONAL', 'RISK.POSITION_LIMIT', 'RISK.PRICE_COLLAR', 'RISK.STALE_MARKET_DATA'] as const;

class Generator {
  private readonly random: () => number;
  private time: number;
  private bid = 234_500n;
  private sequence = 0n;
  private orderSeq = 0;
  private readonly positions = new Map<string, Position>();
  private readonly balances = new Map<string, bigint>();
  private pending = new Map<string, NewEvent[]>();
  count = 0;

  constructor(private readonly options: HistoryOptions) {
    this.random = prng(options.seed ?? 7);
    this.time = (options.start ?? new Date('2026-03-02T00:00:00Z')).getTime();
  }

  private event(type: string, data: NewEvent['data'], actor = { userId: 'trader-1', role: 'trader' }): NewEvent {
    this.count += 1;
    return { eventId: randomUUID(), type, data, metadata: { commandId: randomUUID(), correlationId: randomUUID(), actor, source: 'history' } };
  }

  private push(streamId: string, event: NewEvent): void {
    const list = this.pending.get(streamId) ?? [];
    list.push(event);
    this.pending.set(streamId, list);
  }

  private drain(): Append[] {
    const appends = [...this.pending].flatMap(([streamId, events]) => {
      const chunks: Append[] = [];
      for (let i = 0; i < events.length; i += 5_000) chunks.push({ streamId, events: events.slice(i, i + 5_000) });
      return chunks;
    });
    this.pending = new Map();
    return appends;
  }

  private at(): string { return new Date(this.time).toISOString(); }
  private accountIds(): string[] { return Array.from({ length: this.options.accounts ?? 8 }, (_, i) => `ACC${i + 1}`); }

  opening(): Append[] {
    this.push('instrument-XAUUSD', this.event('InstrumentListed', { spec: XAUUSD_SPEC }, { userId: 'ops', role: 'admin' }));
    for (const id of this.accountIds()) {
      this.balances.set(id, 10_000_000n);
      this.push(`account-${id}`, this.event('AccountOpened', { at: this.at(), accountId: id, currency: 'USD', startingBalance: 10_000_000n }, { userId: 'ops', role: 'admin' }));
    }
    return this.drain();
  }

  private tick(): void {
    this.time += this.options.tickEveryMs ?? 1_000;
    this.sequence += 1n;
    const stream = tickStreamId('XAUUSD', new Date(this.time));
    if (this.random() < 0.01) {
      this.push(stream, this.event('TickRejected', { reason: 'SPREAD_TOO_WIDE', detail: 'spread 500 > 100', symbol: 'XAUUSD', source: 'feed', sequence: this.sequence, bid: this.bid, ask: this.bid + 500n, timestamp: this.at() }, { userId: 'feed', role: 'service' }));
      return;
    }
    this.bid += BigInt(Math.round((this.random() - 0.5) * 40));
    const spread = 20n + BigInt(Math.floor(this.random() * 20));
    this.push(stream, this.event('TickReceived', { symbol: 'XAUUSD', source: 'feed', sequence: this.sequence, bid: this.bid, ask: this.bid + spread, timestamp: this.at(), volume: 1n + BigInt(Math.floor(this.random() * 9)) }, { userId: 'feed', role: 'service' }));
  }

  private order(account: string): void {
    const stream = `account-${account}`;
    const orderId = `O${++this.orderSeq}`;
    const position = this.positions.get(account) ?? flatPosition('XAUUSD');
    const side = position.qty > 300n ? 'sell' : position.qty < -300n ? 'buy' : this.random() < 0.5 ? 'buy' : 'sell';
    const qty = 1n + BigInt(Math.floor(this.random() * 150));
    const ask = this.bid + 25n;
    const limit = this.random() < 0.2;
    const at = this.at();
    this.push(stream, this.event('OrderPlaced', { at, orderId, clientOrderId: `c-${orderId}`, symbol: 'XAUUSD', side, kind: limit ? 'limit' : 'market', timeInForce: 'GTC', qty, limitPrice: limit ? this.bid - 500n : null, stopPrice: null, reduceOnly: false, instrument: FACTS, quote: { bid: this.bid, ask, timestamp: at } }));
    const denied = this.random() < 0.1;
    const checks = CHECK_NAMES.map((name, i) => ({ name, passed: !(denied && i === 3), observed: String(qty * BigInt(i + 1)), limit: String(1000 * (i + 1)) }));
    this.push(stream, this.event('RiskDecisionRecorded', { at, orderId, accepted: !denied, checks, reasons: denied ? ['RISK.POSITION_LIMIT'] : [] }));
    if (denied) { this.push(stream, this.event('OrderDenied', { at, orderId, reasons: ['RISK.POSITION_LIMIT'] })); return; }
    this.push(stream, this.event('OrderAccepted', { at, orderId }));
    if (limit) {
      this.push(stream, this.event('OrderCancelRequested', { at, orderId, reason: 'trader' }));
      this.push(stream, this.event('OrderCanceled', { at, orderId }));
      return;
    }
    const parts = qty > 50n && this.random() < 0.3 ? [qty / 2n, qty - qty / 2n] : [qty];
    let filled = 0n;
    for (const [i, part] of parts.entries()) this.fill(stream, account, orderId, side, part, (filled += part), i === parts.length - 1, at);
  }

  private fill(stream: string, account: string, orderId: string, side: 'buy' | 'sell', qty: bigint, filled: bigint, last: boolean, at: string): void {
    const price = side === 'buy' ? this.bid + 25n : this.bid;
    const booking = bookFill(this.positions.get(account) ?? flatPosition('XAUUSD'), side, qty, price, FACTS);
    this.positions.set(account, booking.position);
    const fee = qty;
    this.balances.set(account, this.balances.get(account)! + booking.realizedPnl - fee);
    this.push(stream, this.event('OrderFilled', {
      at, fillId: `F-${orderId}-${filled}`, orderId, symbol: 'XAUUSD', side, qty, price, fee, cashFlow: booking.cashFlow, orderStatus: last ? 'filled' : 'partially_filled', orderFilledQty: filled,
      closedQty: booking.closedQty, openedQty: booking.openedQty, realizedPnl: booking.realizedPnl, positionQty: booking.position.qty, positionCostBasis: booking.position.costBasis,
    }));
  }

  private occasional(i: number): void {
    const accounts = this.accountIds();
    const account = accounts[i % accounts.length]!;
    const at = this.at();
    if (i % 5_000 === 0) {
      const balance = this.balances.get(account)! + 100_000n;
      this.balances.set(account, balance);
      this.push(`account-${account}`, this.event('FundsDeposited', { at, amount: 100_000n, reference: `dep-${i}`, balanceAfter: balance }, { userId: 'ops', role: 'admin' }));
    }
    if (i % 20_000 === 10_000) {
      const risk = { userId: 'risk-1', role: 'risk_officer' };
      const scope = { kind: 'instrument', symbol: 'XAUUSD' } as const;
      this.push('control-instrument-XAUUSD', this.event('EmergencyStopEngaged', { scope, reason: 'drill', actor: risk, at }, risk));
      this.push('control-instrument-XAUUSD', this.event('TradingStateChanged', { scope, from: 'ACTIVE', to: 'HALTED', reason: 'drill', actor: risk, at }, risk));
      this.push('control-instrument-XAUUSD', this.event('EmergencyStopReleased', { scope, reason: 'drill over', actor: risk, at, requestedBy: null, requestReason: null }, risk));
      this.push('control-instrument-XAUUSD', this.event('TradingStateChanged', { scope, from: 'HALTED', to: 'ACTIVE', reason: 'drill over', actor: risk, at }, risk));
      this.push(`account-${account}`, this.event('TradingStateChanged', { at, from: 'ACTIVE', to: 'REDUCING', reason: 'review', reasonCode: null, changedBy: risk }, risk));
    }
  }

  /** One chunk of about `size` events. */
  chunk(size: number, tickIndex: { i: number }): Append[] {
    const target = this.count + size;
    const accounts = this.accountIds();
    while (this.count < target && this.count < this.options.events) {
      tickIndex.i += 1;
      this.tick();
      if (this.random() < 0.1) this.order(accounts[Math.floor(this.random() * accounts.length)]!);
      this.occasional(tickIndex.i);
    }
    return this.drain();
  }
}

/** Appends about `options.events` events; returns how many. Appends of a chunk run concurrently. */
export async function appendHistory(store: EventStore, options: HistoryOptions, onProgress?: (count: number) => void): Promise<number> {
  const generator = new Generator(options);
  for (const append of generator.opening()) await store.append(append.streamId, append.events, 'any');
  const index = { i: 0 };
  while (generator.count < options.events) {
    const appends = generator.chunk(20_000, index);
    // Appends to one stream keep their order; different streams go in parallel.
    const byStream = new Map<string, Append[]>();
    for (const a of appends) byStream.set(a.streamId, [...(byStream.get(a.streamId) ?? []), a]);
    await Promise.all([...byStream.values()].map(async (list) => { for (const a of list) await store.append(a.streamId, a.events, 'any'); }));
    onProgress?.(generator.count);
  }
  return generator.count;
}

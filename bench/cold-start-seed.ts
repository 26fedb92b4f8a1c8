// The cold-start bench's store: `events` events over 100 accounts in a PostgreSQL event store, written
// with COPY (a 1,000,000-event store in well under a minute, where appends would take many). The
// account histories are decided by the account's own decider (open, limits, then market orders each
// accepted and filled), so every event is one the ledger itself would have written; the largest account
// holds 90 % of them, the other 99 share the rest with today's XAUUSD ticks (2,000 at most).
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { tickStreamId } from '../domain/market-data/index.ts';
import type { AccountCommand } from '../domain/trading/account/commands.ts';
import { accountDecider, accountStreamId } from '../domain/trading/account/index.ts';
import { XAUUSD_FACTS } from '../domain/trading/orders/index.ts';
import { encodeJson } from '../domain/shared/json.ts';

export const SEED_ACCOUNTS = 100;
export const LARGEST_ACCOUNT = 'COLD-1';
const LARGEST_SHARE = 0.9;
const ORDER_EVERY_MS = 2_000;
const MID = 240_000n; // 2,400.00 USD/oz: where the synthetic feed starts, so its first ticks pass the spike filter
const ADMIN = { userId: 'cold-start-seed', role: 'admin' as const };
const TRADER = { userId: 'cold-start-trader', role: 'trader' as const };

export const SEED_LIMITS = {
  maxOrderNotional: 100_000_000n, maxPositionQty: 1_000n, maxOpenOrders: 1_000, priceCollarBps: 500n, maxQuoteAgeMs: 60_000,
  maxSubmitsPerWindow: 1_000_000, submitWindowMs: 1_000, maxDailyLoss: 100_000_000_000n,
  // each round trip pays the spread: over a 1M-event history that is ~10 % of equity, past the default drawdown halt
  maxDrawdownBps: 10_000n,
};

interface Row { readonly streamId: string; readonly type: string; readonly data: unknown; readonly metadata: unknown; readonly at: Date }

/** The COPY text-format line of one event (JSON has no raw tab or newline; backslashes are doubled). */
const line = (position: number, revision: number, row: Row): string =>
  `${position}\t${randomUUID()}\t${row.streamId}\t${revision}\t${row.type}\t1\t${encodeJson(row.data).replace(/\\/g, '\\\\')}\t`
  + `${encodeJson(row.metadata).replace(/\\/g, '\\\\')}\t${row.at.toISOString()}\n`;

/** One account's stream, about `events` events long, as its decider writes it; the last order `endAt`. */
function* accountHistory(accountId: string, events: number, endAt: number): Generator<Row> {
  const streamId = accountStreamId(accountId);
  let state = accountDecider.initialState();
  let written = 0;
  const orders = Math.max(0, Math.floor((events - 2) / 4));
  let now = endAt - orders * ORDER_EVERY_MS;
  const apply = function* (command: AccountCommand): Generator<Row> {
    const metadata = { commandId: command.metadata.commandId, correlationId: command.metadata.commandId, causationId: command.metadata.commandId, actor: command.metadata.actor, source: 'cold-start-seed' };
    for (const event of accountDecider.decide(command, state)) {
      if (event.type === 'OrderDenied') throw new Error(`seed order denied: ${JSON.stringify(event.data, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 600)}`);
      state = accountDecider.evolve(state, event);
      written += 1;
      yield { streamId, type: event.type, data: event.data, metadata, at: command.metadata.now };
    }
  };
  const meta = (actor: typeof ADMIN | typeof TRADER) => ({ commandId: randomUUID(), now: new Date(now), actor });
  yield* apply({ type: 'OpenAccount', data: { accountId, currency: 'USD', startingBalance: 100_000_000n }, metadata: meta(ADMIN) });
  yield* apply({ type: 'SetRiskLimits', data: { accountId, limits: SEED_LIMITS, reason: 'cold-start seed' }, metadata: meta(ADMIN) });
  for (let n = 0; written < events; n += 1) {
    now += ORDER_EVERY_MS;
    const quote = { bid: MID - 10n + BigInt(n % 7), ask: MID + 10n + BigInt(n % 7), timestamp: new Date(now - 100) };
    const side = n % 2 === 0 ? 'buy' : 'sell';
    const orderId = `${accountId}-o${n}`;
    yield* apply({
      type: 'PlaceOrder',
      data: { accountId, orderId, clientOrderId: `seed-${n}`, symbol: 'XAUUSD', side, kind: 'market', timeInForce: 'IOC', qty: 10n, market: { lastQuote: quote, instrument: XAUUSD_FACTS }, controls: { stopped: false } },
      metadata: meta(TRADER),
    });
    yield* apply({
      type: 'RecordFill',
      data: { accountId, orderId, fillId: `${orderId}-f`, qty: 10n, price: side === 'buy' ? quote.ask : quote.bid, fee: 0n, market: { lastQuote: quote, bandBps: 100n } },
      metadata: { commandId: randomUUID(), now: new Date(now + 50), actor: { userId: 'paper-broker', role: 'service' } },
    });
  }
}

function* ticks(count: number, endAt: number): Generator<Row> {
  const metadata = { commandId: randomUUID(), actor: { userId: 'cold-start-feed', role: 'service' }, source: 'cold-start-seed' };
  for (let i = 0; i < count; i += 1) {
    const at = new Date(endAt - (count - i) * 50);
    const bid = MID - 10n + BigInt(i % 5);
    yield { streamId: tickStreamId('XAUUSD', at), type: 'TickReceived', data: { symbol: 'XAUUSD', source: 'cold-start-seed', sequence: BigInt(i + 1), bid, ask: bid + 20n, timestamp: at.toISOString(), volume: 1n }, metadata, at };
  }
}

/** Sizes of the 100 accounts and the ticks for a store of about `events` events. */
export function seedPlan(events: number): { accounts: Array<{ id: string; events: number }>; ticks: number } {
  const tickCount = Math.min(2_000, Math.floor(events * 0.05));
  const largest = Math.floor(events * LARGEST_SHARE);
  const each = Math.max(6, Math.floor((events - largest - tickCount) / (SEED_ACCOUNTS - 1)));
  return {
    accounts: Array.from({ length: SEED_ACCOUNTS }, (_, i) => ({ id: i === 0 ? LARGEST_ACCOUNT : `COLD-${i + 1}`, events: i === 0 ? largest : each })),
    ticks: tickCount,
  };
}

/**
 * COPYs the plan into `schema`.events of an empty store (positions from 1: below any later append's,
 * which start at a transaction id shifted 20 bits). Returns the count per stream kind.
 */
export async function seedStore(connectionString: string, events: number, onProgress: (written: number) => void, schema = 'es'): Promise<{ events: number; largestAccountEvents: number }> {
  const plan = seedPlan(events);
  const endAt = Date.now() - 60_000;
  let position = 0;
  let largestAccountEvents = 0;
  function* lines(): Generator<string> {
    for (const account of plan.accounts) {
      let revision = 0;
      for (const row of accountHistory(account.id, account.events, endAt)) {
        position += 1;
        if (position % 50_000 === 0) onProgress(position);
        yield line(position, revision++, row);
      }
      if (account.id === LARGEST_ACCOUNT) largestAccountEvents = revision;
    }
    const revisions = new Map<string, number>();
    for (const row of ticks(plan.ticks, Date.now() - 5_000)) {
      const revision = revisions.get(row.streamId) ?? 0;
      revisions.set(row.streamId, revision + 1);
      position += 1;
      yield line(position, revision, row);
    }
  }
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const copy = client.query(copyFrom(`copy ${schema}.events (position, event_id, stream_id, revision, type, schema_version, data, metadata, occurred_at) from stdin`));
    await pipeline(Readable.from(batched(lines())), copy);
    await client.query(`analyze ${schema}.events`);
  } finally {
    await client.end();
  }
  return { events: position, largestAccountEvents };
}

/** Lines joined into chunks of ~64 kB: one stream write per line would cost more than the COPY itself. */
function* batched(source: Iterable<string>): Generator<string> {
  let chunk = '';
  for (const text of source) {
    chunk += text;
    if (chunk.length >= 65_536) { yield chunk; chunk = ''; }
  }
  if (chunk) yield chunk;
}

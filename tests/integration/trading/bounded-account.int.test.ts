// Issue 20.1-20.2 on the real stores: an account's state keeps working orders only, finished orders are read
// back from the stream, a fill id is booked once even when another command reports it for another order, and
// an account loads from its latest snapshot plus the events after it, on PostgreSQL and on PGlite.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore, RecordedEvent } from '../../../domain/ports/event-store.ts';
import type { SnapshotStore } from '../../../domain/ports/snapshot-store.ts';
import { ACCOUNT_FOLD_VERSION } from '../../../domain/trading/account/index.ts';
import { createQuoteBook, type QuoteBook } from '../../../commands/market-data/quote-book.ts';
import { StateCache } from '../../../commands/handling/state-cache.ts';
import { createTradingService, warmAccountStates, type CommandContext, type TradingService, type TradingServiceDeps } from '../../../commands/trading/index.ts';
import { createMemoryKeyValueStore } from '../../../infra/cache/memory.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { createSqlSnapshotStore } from '../../../infra/event-store/snapshots.ts';
import { asLedgerEventStore } from '../../../infra/event-store/upcasting.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import { TEST_DATABASE_URL, inCi, postgresService, uniqueName } from '../../support/services.ts';

const postgres = await postgresService();

const ctx = (role = 'trader'): CommandContext => ({ commandId: randomUUID(), actor: { userId: `${role}-1`, role } });
const LIMITS = {
  maxOrderNotional: 100_000_000n, maxPositionQty: 1_000n, maxOpenOrders: 1_000, priceCollarBps: 500n, maxQuoteAgeMs: 3_600_000,
  maxSubmitsPerWindow: 100_000, submitWindowMs: 1_000, maxDailyLoss: 10_000_000n,
};
const buy = (accountId: string, extra: Record<string, unknown> = {}) =>
  ({ accountId, clientOrderId: randomUUID(), symbol: 'XAUUSD', side: 'buy', kind: 'market', timeInForce: 'GTC', qty: 10n, ...extra }) as const;

interface Backend {
  readonly sql: SqlClient;
  readonly store: EventStore;
  readonly snapshots: SnapshotStore;
  readonly schema: string;
  close(): Promise<void>;
}

async function openBackend(kind: 'postgres' | 'pglite'): Promise<Backend> {
  const schema = kind === 'postgres' ? uniqueName('bounded') : 'es';
  const sql = kind === 'postgres' ? createPgClient({ connectionString: TEST_DATABASE_URL, max: 6 }) : await createPgliteClient();
  const inner = await PostgresEventStore.create(sql, { schema });
  return {
    sql, schema, store: asLedgerEventStore(inner), snapshots: await createSqlSnapshotStore(sql, { schema }),
    async close() {
      await inner.close();
      if (kind === 'postgres') await sql.exec(`drop schema if exists ${schema} cascade`);
      await sql.close();
    },
  };
}

/** The store, counting the events of `streamId` read back: what a load of the account costs. */
function counting(store: EventStore, streamId: string): { store: EventStore; read: () => number } {
  let read = 0;
  const tally = (events: RecordedEvent[]) => {
    read += events.filter((e) => e.streamId === streamId).length;
    return events;
  };
  return { store: { ...store, readStream: async (id, options) => tally(await store.readStream(id, options)) }, read: () => read };
}

const kinds = [
  { kind: 'postgres' as const, available: postgres.available, reason: postgres.skipReason },
  { kind: 'pglite' as const, available: true, reason: '' },
];

for (const { kind, available, reason } of kinds) {
  describe.skipIf(!available && !inCi)(`bounded account state and snapshots on ${kind}${reason}`, () => {
    let b: Backend;
    let quotes: QuoteBook;
    const keyValue = createMemoryKeyValueStore();
    const service = (overrides: Partial<TradingServiceDeps> = {}): TradingService =>
      createTradingService({ eventStore: b.store, keyValue, quotes, ...overrides });
    let s: TradingService;

    beforeAll(async () => {
      b = await openBackend(kind);
      quotes = createQuoteBook(keyValue);
      await quotes.update({ symbol: 'XAUUSD', bid: 240_000n, ask: 240_050n, mid: 240_025n, timestamp: new Date(), source: 'test', sequence: 1n });
      s = service();
    }, 120_000);
    afterAll(async () => b?.close());

    const open = async (service: TradingService, accountId: string) => {
      await service.openAccount(ctx('admin'), { accountId, currency: 'USD', startingBalance: 10_000_000n });
      await service.setRiskLimits(ctx('risk_officer'), { accountId, limits: LIMITS });
    };

    it('reads a finished order from the stream, for every process: GET, a repeated fill, a cancel, its id', async () => {
      await open(s, 'B1');
      const placed = await s.placeOrder(ctx(), buy('B1'));
      const booked = await s.recordFill(ctx('service'), { accountId: 'B1', orderId: placed.orderId, fillId: 'F-1', qty: 10n, price: 240_025n });
      expect(booked.events.map((e) => e.type)).toEqual(['OrderFilled']);
      expect((await s.account('B1'))!.workingOrders).toEqual([]);
      for (const reader of [s, service()]) {
        expect(await reader.order('B1', placed.orderId)).toMatchObject({ status: 'filled', filledQty: 10n, fillIds: ['F-1'] });
      }
      const before = (await b.store.readStream('account-B1')).length;
      // the broker sends the fill again under another command id: nothing is booked twice
      const again = await service().recordFill(ctx('service'), { accountId: 'B1', orderId: placed.orderId, fillId: 'F-1', qty: 10n, price: 240_025n });
      expect(again.events).toEqual([]);
      await expect(s.cancelOrder(ctx(), { accountId: 'B1', orderId: placed.orderId })).rejects.toMatchObject({ code: 'ORDER.INVALID_TRANSITION', details: { from: 'filled' } });
      await expect(s.placeOrder(ctx(), buy('B1', { orderId: placed.orderId }))).rejects.toMatchObject({ code: 'ORDER.ALREADY_EXISTS' });
      expect((await b.store.readStream('account-B1')).length).toBe(before);
    });

    it('books a fill id once forever: the same fill id reported for another order is not booked again', async () => {
      await open(s, 'B2');
      const first = await s.placeOrder(ctx(), buy('B2'));
      await s.recordFill(ctx('service'), { accountId: 'B2', orderId: first.orderId, fillId: 'F-9', qty: 10n, price: 240_025n });
      const second = await s.placeOrder(ctx(), buy('B2'));
      const reused = await service().recordFill(ctx('service'), { accountId: 'B2', orderId: second.orderId, fillId: 'F-9', qty: 10n, price: 240_025n });
      expect(reused.events).toEqual([]);
      const fills = (await b.store.readStream('account-B2')).filter((e) => e.type === 'OrderFilled');
      expect(fills.map((e) => e.data.orderId)).toEqual([first.orderId]);
      expect((await s.order('B2', second.orderId))!.status).toBe('accepted');
      expect((await service().account('B2'))!.positions).toMatchObject([{ symbol: 'XAUUSD', qty: 10n }]);
    });

    it('refuses a client order id another process used, though neither holds more than a day of ids', async () => {
      const other = service();
      await open(s, 'B5');
      await other.account('B5'); // the other process has the account cached before the first order
      const first = await s.placeOrder(ctx(), buy('B5', { clientOrderId: 'desk-7' }));
      const second = await other.placeOrder(ctx(), buy('B5', { clientOrderId: 'desk-7' }));
      expect(first.accepted).toBe(true);
      expect(second).toMatchObject({ accepted: false, decision: { reasons: ['RISK.DUPLICATE_CLIENT_ORDER_ID'] } });
    });

    it('loads an account from its latest snapshot and the events after it, as a fold from the first event has it', async () => {
      const every = 20;
      const writer = service({ snapshots: b.snapshots, snapshotEvery: every });
      await open(writer, 'B3');
      for (let i = 0; i < 15; i += 1) {
        const placed = await writer.placeOrder(ctx(), buy('B3', { kind: 'limit', limitPrice: 239_000n + BigInt(i) }));
        if (i % 3 === 0) await writer.recordFill(ctx('service'), { accountId: 'B3', orderId: placed.orderId, fillId: `F3-${i}`, qty: 4n, price: 239_000n });
        if (i % 5 === 0) await writer.cancelOrder(ctx(), { accountId: 'B3', orderId: placed.orderId });
        await writer.deposit(ctx('admin'), { accountId: 'B3', amount: 1_000n + BigInt(i) });
      }
      const head = (await b.store.readStream('account-B3', { direction: 'backwards', maxCount: 1 }))[0]!.revision;
      // the snapshot is written off the command's path: wait until one within `every` events of the head is there
      let snapshot = await b.snapshots.load('account-B3', ACCOUNT_FOLD_VERSION);
      for (let i = 0; i < 200 && (snapshot === undefined || head - snapshot.revision >= BigInt(every)); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        snapshot = await b.snapshots.load('account-B3', ACCOUNT_FOLD_VERSION);
      }
      expect(snapshot).toBeDefined();
      expect(head - snapshot!.revision).toBeLessThan(BigInt(every));

      const fromStart = await service().account('B3');
      const loader = counting(b.store, 'account-B3');
      const restarted = createTradingService({ eventStore: loader.store, keyValue, quotes, snapshots: b.snapshots, snapshotEvery: every });
      const view = await restarted.account('B3');
      expect(view).toEqual(fromStart);
      // the snapshot's own event (checked against the stream) and the tail after it; not the ~100 events before
      expect(loader.read()).toBeLessThanOrEqual(every + 1);
      expect(loader.read()).toBeLessThan(Number(head));
      // and it decides as the fold from the start does
      const next = await restarted.placeOrder(ctx(), buy('B3', { kind: 'limit', limitPrice: 239_500n }));
      expect(next.accepted).toBe(true);
    });

    it('ignores a snapshot of another fold version and one whose last event the stream does not have', async () => {
      await open(s, 'B4');
      for (let i = 0; i < 5; i += 1) await s.deposit(ctx('admin'), { accountId: 'B4', amount: 100n });
      const truth = await service().account('B4');
      const head = (await b.store.readStream('account-B4', { direction: 'backwards', maxCount: 1 }))[0]!;
      // a snapshot that would say something else, of another fold: never decoded
      await b.snapshots.save({ streamId: 'account-B4', revision: head.revision, eventId: head.eventId, foldVersion: 'account-fold-0', state: '{"not":"a state"}' });
      expect(await service({ snapshots: b.snapshots }).account('B4')).toEqual(truth);
      // of this fold, but ending on an event the stream does not have (a store reset under kept snapshots)
      await b.snapshots.save({ streamId: 'account-B4', revision: head.revision, eventId: randomUUID(), foldVersion: ACCOUNT_FOLD_VERSION, state: '{"not":"a state"}' });
      expect(await service({ snapshots: b.snapshots }).account('B4')).toEqual(truth);
    });

    it('warms a restarted process with the accounts whose snapshots were written last: their first order reads nothing of them', async () => {
      const writer = service({ snapshots: b.snapshots, snapshotEvery: 5 });
      for (const accountId of ['W1', 'W2']) {
        await open(writer, accountId);
        for (let i = 0; i < 8; i += 1) await writer.deposit(ctx('admin'), { accountId, amount: 100n });
      }
      await new Promise((resolve) => setTimeout(resolve, 100)); // snapshots are written after the command's turn
      expect(await b.snapshots.recent!('account-', ACCOUNT_FOLD_VERSION, 10)).toEqual(expect.arrayContaining(['account-W1', 'account-W2']));

      // The restarted process: a fresh cache, warmed before it takes orders.
      const cache = new StateCache({ snapshots: b.snapshots });
      const warmed = await warmAccountStates(cache, b.store, b.snapshots, { limit: 10 });
      expect(warmed.accounts).toBeGreaterThanOrEqual(2);
      const loader = counting(b.store, 'account-W1');
      const restarted = service({ eventStore: loader.store, cache });
      const order = await restarted.placeOrder(ctx(), buy('W1', { kind: 'limit', limitPrice: 239_500n }));
      expect(order.accepted).toBe(true);
      expect(loader.read()).toBe(0);
      // and the warmed state is the account's: the same view as a fold from its first event
      expect(await restarted.account('W2')).toEqual(await service().account('W2'));
    });
  });
}

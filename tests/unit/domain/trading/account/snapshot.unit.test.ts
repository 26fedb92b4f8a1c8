import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_FOLD_VERSION, DEFAULT_FILL_BAND_BPS, accountDecider, accountSnapshots, plainAccountState,
  type AccountCommand, type AccountEvent, type AccountState,
} from '../../../../../domain/trading/account/index.ts';
import { ACCOUNT, BROKER, OFFICER, T0, cancel, fill, meta, open, place, setLimits } from './fixtures.ts';

const HOUR = 3_600_000;

/** Abstract steps, resolved against the account as it is when each runs. */
type Step =
  | { kind: 'wait'; ms: number }
  | { kind: 'place'; buy: boolean; qty: bigint; client: number; limit: boolean }
  | { kind: 'fill'; pick: number; share: number }
  | { kind: 'cancel'; pick: number; confirm: boolean }
  | { kind: 'deposit'; amount: bigint };

const step: fc.Arbitrary<Step> = fc.oneof(
  // from a few ms to a day and a half: crosses the client-id window's hours, trading days and submit windows
  fc.record({ kind: fc.constant('wait' as const), ms: fc.oneof(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: HOUR / 2, max: 36 * HOUR })) }),
  fc.record({ kind: fc.constant('place' as const), buy: fc.boolean(), qty: fc.bigInt({ min: 1n, max: 150n }), client: fc.integer({ min: 0, max: 12 }), limit: fc.boolean() }),
  fc.record({ kind: fc.constant('fill' as const), pick: fc.nat(), share: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat(), confirm: fc.boolean() }),
  fc.record({ kind: fc.constant('deposit' as const), amount: fc.bigInt({ min: 1n, max: 1_000_000n }) }),
);

const mid = 240_000n;

function commandFor(state: AccountState, s: Step, now: Date, seq: number): AccountCommand | undefined {
  const working = [...state.workingOrders.values()];
  switch (s.kind) {
    case 'wait':
      return undefined;
    case 'place':
      return place({ side: s.buy ? 'buy' : 'sell', qty: s.qty, clientOrderId: `c-${s.client}`, now, ...(s.limit ? { kind: 'limit' as const, limitPrice: mid - 50n } : {}) });
    case 'fill': {
      const order = working[s.pick % Math.max(working.length, 1)];
      if (order === undefined) return undefined;
      const qty = 1n + ((order.qty - order.filledQty - 1n) * BigInt(s.share)) / 100n;
      return fill(order.orderId, qty, order.limitPrice ?? mid, `F${seq}`, now, 10n, { lastQuote: { bid: mid - 10n, ask: mid + 10n, timestamp: now }, bandBps: DEFAULT_FILL_BAND_BPS });
    }
    case 'cancel': {
      const order = working[s.pick % Math.max(working.length, 1)];
      if (order === undefined) return undefined;
      if (order.status !== 'pending_cancel') return cancel(order.orderId, now);
      return s.confirm ? { type: 'ConfirmCancel', data: { accountId: ACCOUNT, orderId: order.orderId }, metadata: meta(now, BROKER) } : undefined;
    }
    case 'deposit':
      return { type: 'Deposit', data: { accountId: ACCOUNT, amount: s.amount }, metadata: meta(now, OFFICER) };
  }
}

/** The events a run of steps records, each command decided on the state its predecessors left. */
function historyOf(steps: readonly Step[]): AccountEvent[] {
  let state = accountDecider.initialState();
  const events: AccountEvent[] = [];
  let now = T0.getTime();
  const record = (command: AccountCommand) => {
    const produced = accountDecider.decide(command, state);
    state = produced.reduce(accountDecider.evolve, state);
    events.push(...produced);
  };
  record(open());
  record(setLimits({ maxOpenOrders: 8, maxSubmitsPerWindow: 3, submitWindowMs: 5_000, maxPositionQty: 400n, maxQuoteAgeMs: 86_400_000 }));
  steps.forEach((s, i) => {
    now += s.kind === 'wait' ? s.ms : 10;
    const command = commandFor(state, s, new Date(now), i);
    if (command !== undefined) record(command);
  });
  return events;
}

const fold = (state: AccountState, events: readonly AccountEvent[]) => events.reduce(accountDecider.evolve, state);

describe('account snapshots', () => {
  it('a snapshot of any prefix, decoded and folded on with the rest, is the state folded from the first event', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 80 }), fc.double({ min: 0, max: 1, noNaN: true }), (steps, cut) => {
        const events = historyOf(steps);
        const k = Math.floor(cut * events.length);
        const full = fold(accountDecider.initialState(), events);
        const restored = accountSnapshots.decode(accountSnapshots.encode(fold(accountDecider.initialState(), events.slice(0, k))));
        const tail = fold(restored, events.slice(k));
        expect(plainAccountState(tail)).toEqual(plainAccountState(full));
        expect(accountSnapshots.encode(tail)).toBe(accountSnapshots.encode(full));
        // and both decide alike: an order with a client id the history may have used, an hour on
        const next = place({ clientOrderId: 'c-3', qty: 5n, now: new Date(T0.getTime() + 40 * 24 * HOUR) });
        expect(stripIds(accountDecider.decide(next, tail))).toEqual(stripIds(accountDecider.decide(next, full)));
      }),
      { numRuns: 300 },
    );
  });

  it('names the fold that made it, and the fold is pinned to its source', () => {
    // A change to any file the fold runs through must bump ACCOUNT_FOLD_VERSION (snapshots of the old fold are
    // then ignored), or, when it folds exactly as before, update this hash.
    const files = [
      'domain/trading/account/state.ts', 'domain/trading/account/evolve.ts', 'domain/trading/account/snapshot.ts',
      'domain/trading/account/client-order-ids.ts', 'domain/trading/account/grow-only-index.ts', 'domain/trading/account/working-orders.ts',
      'domain/trading/account/positions.ts', 'domain/trading/account/valuation.ts', 'domain/trading/account/events.ts',
      'domain/trading/orders/order.ts', 'domain/trading/risk/submit-times.ts', 'domain/upcasters.ts',
    ];
    const hash = createHash('sha256');
    for (const file of files) hash.update(readFileSync(new URL(`../../../../../${file}`, import.meta.url)));
    expect({ version: ACCOUNT_FOLD_VERSION, source: hash.digest('hex').slice(0, 16) }).toEqual({ version: 'account-fold-2', source: 'b4cbf0548e90c36c' });
  });
});

/** Decisions compared without the ids the fixtures number afresh. */
const stripIds = (events: readonly AccountEvent[]) => events.map((e) => ({ type: e.type, data: { ...e.data, orderId: undefined } }));

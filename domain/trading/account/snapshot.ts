// The account state as a snapshot: plain JSON (bigints tagged, as in events) and back, so loading an
// account reads its latest snapshot and only the events recorded after it instead of its whole stream.
//
// A snapshot is only as good as the fold that made it. ACCOUNT_FOLD_VERSION names the fold: bump it with
// any change to what evolve keeps or how (this folder's state, evolve, the working-order and client-id
// structures, positions, valuation; the order state machine; the upcasters). A snapshot of another
// version is ignored, never decoded, and the account is folded from its first event again.
// tests/unit/domain/trading/account/snapshot.unit.test.ts pins a hash of those files, so changing one
// fails until the version is bumped (or the hash updated, for a change that folds the same).
import type { SnapshotCodec } from '../../shared/decider.ts';
import { decodeJson, encodeJson } from '../../shared/json.ts';
import type { InstrumentFacts, Order } from '../orders/index.ts';
import { SubmitTimes } from '../risk/index.ts';
import { clientOrderIdsFromPlain, clientOrderIdsToPlain } from './client-order-ids.ts';
import type { Position } from './positions.ts';
import type { AccountState } from './state.ts';
import { WorkingOrders } from './working-orders.ts';

export const ACCOUNT_FOLD_VERSION = 'account-fold-2';

/** The state as plain data: maps as entry lists in their order, the working orders in the map's order. */
type PlainAccountState = Omit<AccountState, 'workingOrders' | 'clientOrderIds' | 'positions' | 'instruments' | 'marks' | 'recentSubmitTimes'> & {
  readonly workingOrders: readonly Order[];
  readonly clientOrderIds: ReturnType<typeof clientOrderIdsToPlain>;
  readonly positions: ReadonlyArray<readonly [string, Position]>;
  readonly instruments: ReadonlyArray<readonly [string, Required<InstrumentFacts>]>;
  readonly marks: ReadonlyArray<readonly [string, bigint]>;
  readonly recentSubmitTimes: readonly number[];
};

/** Every part of the state as plain data; also what two states are compared by (a fold equals a snapshot + tail). */
export function plainAccountState(state: AccountState): PlainAccountState {
  return {
    ...state,
    workingOrders: [...state.workingOrders.values()],
    clientOrderIds: clientOrderIdsToPlain(state.clientOrderIds),
    positions: [...state.positions],
    instruments: [...state.instruments],
    marks: [...state.marks],
    recentSubmitTimes: state.recentSubmitTimes.toArray(),
  };
}

export function accountStateFromPlain(plain: PlainAccountState): AccountState {
  let workingOrders = WorkingOrders.EMPTY;
  for (const order of plain.workingOrders) workingOrders = workingOrders.with(order);
  return {
    ...plain,
    workingOrders,
    clientOrderIds: clientOrderIdsFromPlain(plain.clientOrderIds),
    positions: new Map(plain.positions),
    instruments: new Map(plain.instruments),
    marks: new Map(plain.marks),
    recentSubmitTimes: SubmitTimes.of(plain.recentSubmitTimes),
  };
}

export const accountSnapshots: SnapshotCodec<AccountState> = {
  version: ACCOUNT_FOLD_VERSION,
  encode(state) {
    const { clientOrderIds, ...rest } = plainAccountState(state);
    return `${encodeJson(rest)}\n${JSON.stringify(clientOrderIds)}`;
  },
  decode(text) {
    const split = text.indexOf('\n');
    if (split < 0) throw new Error('not an account snapshot: expected the state and its client order ids on two lines');
    const rest = decodeJson<Omit<PlainAccountState, 'clientOrderIds'>>(text.slice(0, split));
    return accountStateFromPlain({ ...rest, clientOrderIds: JSON.parse(text.slice(split + 1)) as PlainAccountState['clientOrderIds'] });
  },
};

/** What the state holds, counted: working orders, remembered client order ids, submit times, positions. */
export function heldEntries(state: AccountState): number {
  const plain = plainAccountState(state);
  const ids = plain.clientOrderIds.reduce((n, [, slot]) => n + slot.length, 0);
  return plain.workingOrders.length + ids + plain.recentSubmitTimes.length + plain.positions.length + plain.instruments.length + plain.marks.length;
}



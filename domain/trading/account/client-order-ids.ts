// The client order ids an account placed recently: the duplicate check's window. A client order id is
// refused (RISK.DUPLICATE_CLIENT_ORDER_ID, a recorded denial) while it is in the window: for at least
// 24 hours after the order that used it was placed, and at most 25. Older ids are forgotten, so what the
// state holds is one day of the account's orders, not its whole history. An order still working keeps its
// id taken past the window too: the decision also asks the working orders (WorkingOrders.holdsClientOrderId).
//
// The ids sit in hourly slots, each a grow-only index shared between successive states; a slot leaves
// when its hour is more than 24 hours behind the newest one, and a lookup looks only at slots within 24
// hours of the time asked about (a quiet account keeps its last slots until its next order, but they
// no longer count). Every process folds the same events into the same window, so the rule holds across
// processes: two orders with one client id in two processes meet at the account stream's expected revision.
import { emptyIndex, entriesOf, has, including, type GrowOnlyIndex } from './grow-only-index.ts';

const HOUR_MS = 3_600_000;
/** How long a client order id stays taken, at least (it is remembered for up to one hour longer). */
export const CLIENT_ORDER_ID_WINDOW_MS = 24 * HOUR_MS;
const SLOT_MS = HOUR_MS;
const SLOTS_BACK = CLIENT_ORDER_ID_WINDOW_MS / SLOT_MS;

interface Slot {
  /** Hours since the epoch. */
  readonly hour: number;
  /** The client order ids placed in this hour. */
  readonly ids: GrowOnlyIndex<true>;
}

export interface ClientOrderIdWindow {
  /** Oldest first. */
  readonly slots: readonly Slot[];
}

export const EMPTY_CLIENT_ORDER_IDS: ClientOrderIdWindow = { slots: [] };

const hourOf = (epochMs: number): number => Math.floor(epochMs / SLOT_MS);

/** The window with `clientOrderId` taken at `placedMs` (a time before the newest slot counts as the newest). */
export function rememberClientOrderId(window: ClientOrderIdWindow, clientOrderId: string, placedMs: number): ClientOrderIdWindow {
  const newest = window.slots[window.slots.length - 1];
  const hour = newest === undefined ? hourOf(placedMs) : Math.max(newest.hour, hourOf(placedMs));
  const kept = window.slots[0] !== undefined && window.slots[0].hour < hour - SLOTS_BACK ? window.slots.filter((s) => s.hour >= hour - SLOTS_BACK) : window.slots;
  const last = kept[kept.length - 1];
  if (last !== undefined && last.hour === hour) {
    const ids = including(last.ids, clientOrderId, true);
    return ids === last.ids ? window : { slots: [...kept.slice(0, -1), { hour, ids }] };
  }
  return { slots: [...kept, { hour, ids: including(emptyIndex<true>(), clientOrderId, true) }] };
}

/** True when an order placed within the window before `nowMs` used this client order id. */
export function clientOrderIdTaken(window: ClientOrderIdWindow, clientOrderId: string, nowMs: number): boolean {
  const oldest = hourOf(nowMs) - SLOTS_BACK;
  for (let i = window.slots.length - 1; i >= 0; i -= 1) {
    const slot = window.slots[i]!;
    if (slot.hour < oldest) return false;
    if (has(slot.ids, clientOrderId)) return true;
  }
  return false;
}

/** How many ids the window holds: the duplicate check's memory, one day of orders. */
export const clientOrderIdsHeld = (window: ClientOrderIdWindow): number => window.slots.reduce((n, s) => n + s.ids.size, 0);

/** The window as plain data (a snapshot): per slot its hour and its ids in the order they came. */
export const clientOrderIdsToPlain = (window: ClientOrderIdWindow): Array<[number, string[]]> =>
  window.slots.map((slot) => [slot.hour, entriesOf(slot.ids).map(([clientOrderId]) => clientOrderId)]);

export function clientOrderIdsFromPlain(plain: ReadonlyArray<readonly [number, readonly string[]]>): ClientOrderIdWindow {
  return {
    slots: plain.map(([hour, clientOrderIds]) => {
      let ids = emptyIndex<true>();
      for (const clientOrderId of clientOrderIds) ids = including(ids, clientOrderId, true);
      return { hour, ids };
    }),
  };
}

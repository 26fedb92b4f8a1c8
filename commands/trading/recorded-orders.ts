// Finished orders as their events recorded them. The account's state keeps working orders only (its size
// must not grow with history), so a command or a read that names a finished order reads it back here: the
// order's own events, folded by the one order state machine (orderFromEvents). The PostgreSQL store finds
// them by an index on the order id (EventStore.readOrderEvents); elsewhere the stream is scanned backwards
// from its end to the order's OrderPlaced, which costs the events recorded since the order was placed.
import type { EventStore, RecordedEvent } from '../../domain/ports/event-store.ts';
import { accountStreamId, orderFromEvents, type AccountEvent } from '../../domain/trading/account/index.ts';
import type { Order } from '../../domain/trading/orders/index.ts';

const PAGE = 1_000;

const asAccountEvent = (event: RecordedEvent): AccountEvent => ({ type: event.type, data: event.data }) as unknown as AccountEvent;

/** The order as its recorded events leave it, whatever its status; undefined when the account never placed it. */
export async function recordedOrder(store: EventStore, accountId: string, orderId: string): Promise<Order | undefined> {
  const streamId = accountStreamId(accountId);
  const events = store.readOrderEvents ? await store.readOrderEvents(streamId, orderId) : await scanForOrder(store, streamId, orderId);
  return orderFromEvents(events.map(asAccountEvent));
}

/** The order's events, found by reading the stream backwards until its OrderPlaced; oldest first. */
async function scanForOrder(store: EventStore, streamId: string, orderId: string): Promise<RecordedEvent[]> {
  const found: RecordedEvent[] = [];
  for (let from: bigint | undefined; ;) {
    const page = await store.readStream(streamId, { direction: 'backwards', maxCount: PAGE, ...(from === undefined ? {} : { fromRevision: from }) });
    for (const event of page) {
      if (event.data.orderId !== orderId) continue;
      found.push(event);
      if (event.type === 'OrderPlaced') return found.reverse();
    }
    const last = page[page.length - 1];
    if (page.length < PAGE || last === undefined || last.revision === 0n) return found.reverse();
    from = last.revision - 1n;
  }
}

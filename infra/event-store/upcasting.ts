// Wraps any event store so everything read from it comes out at the newest schema version. Writes go
// through untouched, with every argument: the append's options carry the streams an order was judged on
// (AppendOptions.unchanged), and dropping them once let orders through an engaged emergency stop.
import type { EventStore, ReadAllPage, RecordedEvent, Subscription } from '../../domain/ports/event-store.ts';
import type { UpcasterRegistry } from '../../domain/shared/upcasting.ts';
import { eventUpcasters } from '../../domain/upcasters.ts';

export function withUpcasting(store: EventStore, registry: UpcasterRegistry): EventStore {
  const up = (event: RecordedEvent) => registry.upcast(event);
  const readOrderEvents = store.readOrderEvents?.bind(store);
  return {
    append: (...args) => store.append(...args),
    ...(readOrderEvents ? { readOrderEvents: async (streamId: string, orderId: string) => (await readOrderEvents(streamId, orderId)).map(up) } : {}),
    readStream: async (streamId, options) => (await store.readStream(streamId, options)).map(up),
    readStreams: async (reads, options) => {
      const byStream = await store.readStreams(reads, options);
      return new Map([...byStream].map(([streamId, events]) => [streamId, events.map(up)]));
    },
    readAll: async (options): Promise<ReadAllPage> => {
      const page = await store.readAll(options);
      return { ...page, events: page.events.map(up) };
    },
    subscribe: (options): Subscription => {
      const inner = store.subscribe(options);
      return {
        close: () => inner.close(),
        [Symbol.asyncIterator]: () => {
          const iterator = inner[Symbol.asyncIterator]();
          return {
            next: async () => {
              const result = await iterator.next();
              return result.done ? result : { done: false, value: up(result.value) };
            },
            return: async () => {
              await inner.close();
              return { done: true, value: undefined };
            },
          };
        },
      };
    },
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
}

/**
 * The event store as the ledger uses it: every read upcast with the ledger's registry. Services and the
 * tests that stand for them wrap their adapter with this one function, so a test never runs on a store
 * shaped differently from the one a deployed process writes through.
 */
export const asLedgerEventStore = (store: EventStore): EventStore => withUpcasting(store, eventUpcasters);

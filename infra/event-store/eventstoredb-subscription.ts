// Catch-up-then-live subscription over EventStoreDB's subscribeToAll. The driver's subscription is a
// Readable whose buffer (highWaterMark = batchSize) fills only as far as we pull, and gRPC flow control
// holds the server back behind it, so a slow consumer never makes us buffer the log.
// When the connection drops we resubscribe from the last event we delivered, waiting longer after
// each consecutive failure (capped), until the consumer closes the subscription.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AllStreamResolvedEvent, AllStreamSubscription } from '@eventstore/db-client';
import type { RecordedEvent, Subscription } from '../../domain/ports/event-store.ts';
import { isTransientEsdbError, resubscribeDelayMs, translateEsdbError } from './eventstoredb-mapping.ts';

export interface SubscriptionSource {
  /** Opens a driver subscription delivering events after `after` (from the start when undefined). */
  open(after: bigint | undefined): AllStreamSubscription;
  /** Our event for a driver event, or undefined when it is not for this consumer. */
  toEvent(resolved: AllStreamResolvedEvent): RecordedEvent | undefined;
}

const CLOSED = Symbol('closed');

export class EventStoreDbSubscription implements Subscription {
  readonly #source: SubscriptionSource;
  readonly #onClose: (subscription: EventStoreDbSubscription) => void;
  readonly #iterator: AsyncGenerator<RecordedEvent, undefined>;
  readonly #closing = new AbortController();
  readonly #closedSignal: Promise<typeof CLOSED>;
  #closed = false;
  #driver: AllStreamSubscription | undefined;
  #lastDelivered: bigint | undefined;

  constructor(source: SubscriptionSource, after: bigint | undefined, onClose: (subscription: EventStoreDbSubscription) => void) {
    this.#source = source;
    this.#lastDelivered = after;
    this.#onClose = onClose;
    this.#closedSignal = new Promise((resolve) => {
      this.#closing.signal.addEventListener('abort', () => resolve(CLOSED), { once: true });
    });
    this.#iterator = this.#deliver();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return {
      next: () => this.#iterator.next(),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    this.#onClose(this);
    await this.#dropDriver();
  }

  async *#deliver(): AsyncGenerator<RecordedEvent, undefined> {
    let failures = 0;
    let driverEvents: AsyncIterator<AllStreamResolvedEvent> | undefined;
    while (!this.#closed) {
      try {
        driverEvents ??= this.#openDriver();
        const pending = driverEvents.next();
        // If close() wins the race, the abandoned read may still reject when the stream is destroyed.
        pending.catch(() => undefined);
        const next = await Promise.race([pending, this.#closedSignal]);
        if (next === CLOSED) return undefined;
        if (next.done === true) throw new DriverSubscriptionEnded();
        failures = 0;
        const event = this.#source.toEvent(next.value);
        if (event === undefined || (this.#lastDelivered !== undefined && event.globalPosition <= this.#lastDelivered)) continue;
        this.#lastDelivered = event.globalPosition;
        yield event;
      } catch (error) {
        if (this.#closed) return undefined;
        if (!(error instanceof DriverSubscriptionEnded) && !isTransientEsdbError(error)) {
          await this.close();
          throw translateEsdbError(error);
        }
        await this.#dropDriver();
        driverEvents = undefined;
        await sleep(resubscribeDelayMs(failures), undefined, { signal: this.#closing.signal }).catch(() => undefined);
        failures += 1;
      }
    }
    return undefined;
  }

  #openDriver(): AsyncIterator<AllStreamResolvedEvent> {
    this.#driver = this.#source.open(this.#lastDelivered);
    return this.#driver[Symbol.asyncIterator]();
  }

  async #dropDriver(): Promise<void> {
    const driver = this.#driver;
    this.#driver = undefined;
    if (driver === undefined) return;
    try {
      await driver.unsubscribe();
    } catch {
      // The connection is already gone; destroying the stream below is all that is left to do.
    }
    driver.destroy();
  }
}

/** The server ended a subscription that nobody closed: treat it like a dropped connection. */
class DriverSubscriptionEnded extends Error {
  constructor() {
    super('EventStoreDB ended the subscription');
  }
}

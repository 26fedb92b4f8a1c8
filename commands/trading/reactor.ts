// Shared plumbing of the trading processes that react to the log (stop sweep, broker reactor): consume a
// subscription one event at a time, keep a checkpoint, and issue follow-up commands that tolerate what a
// reaction meets in a live ledger (the order already finished, a backend briefly down).
import type { RecordedEvent, Subscription } from '../../domain/ports/event-store.ts';
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import { isLedgerError } from '../../domain/shared/errors.ts';
import { fromJson, toJson } from './json.ts';

/** A reactor's checkpoint in the key-value store (bigint-safe JSON), saved at most once per interval while it follows the log. */
export class ReactorCheckpoint<T> {
  private lastSaved = 0;

  constructor(private readonly keyValue: KeyValueStore, private readonly key: string, private readonly everyMs = 1_000) {}

  async load(): Promise<T | undefined> {
    const saved = await this.keyValue.get(this.key);
    return saved === undefined ? undefined : fromJson<T>(saved);
  }

  /** Whether the interval since the last save has passed. */
  due(): boolean {
    return Date.now() - this.lastSaved >= this.everyMs;
  }

  async save(checkpoint: T): Promise<void> {
    await this.keyValue.set(this.key, toJson(checkpoint));
    this.lastSaved = Date.now();
  }
}

/** The slice of a pino logger these processes use. */
export interface ReactorLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export const silentLogger: ReactorLogger = { warn: () => undefined, error: () => undefined };

export interface RunningReactor {
  /** Position of the last event handled. */
  readonly position: () => bigint | undefined;
  close(): Promise<void>;
}

export function consume(subscription: Subscription, handle: (event: RecordedEvent) => Promise<void>, logger: ReactorLogger): RunningReactor {
  let position: bigint | undefined;
  const done = (async () => {
    for await (const event of subscription) {
      try {
        await handle(event);
      } catch (error) {
        // One bad event must not stop the desk's reactions to every later one.
        logger.error({ err: error, eventId: event.eventId, type: event.type, streamId: event.streamId }, 'reaction failed');
      }
      position = event.globalPosition;
    }
  })();
  return {
    position: () => position,
    async close() {
      await subscription.close();
      await done;
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs a follow-up command. A refusal by the ledger (the order already filled, canceled, unknown) means
 * the reaction is moot: logged, not retried. An unavailable backend is retried with backoff.
 */
export async function react(what: string, command: () => Promise<unknown>, logger: ReactorLogger, attempts = 6): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await command();
      return true;
    } catch (error) {
      const category = isLedgerError(error) ? error.category : 'internal';
      const retryable = category === 'unavailable' || (isLedgerError(error) && error.code === 'COMMAND.CONTENTION');
      if (!retryable || attempt >= attempts) {
        const moot = category === 'domain' || category === 'not_found';
        if (moot) logger.warn({ err: error, what }, 'reaction not applied: the ledger refused it');
        else logger.error({ err: error, what }, 'reaction not applied');
        return false;
      }
      await sleep(20 * 2 ** attempt);
    }
  }
}

export const accountIdOf = (streamId: string): string => streamId.slice('account-'.length);

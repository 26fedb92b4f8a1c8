// The outcome of every command, kept under its command id for 24 h: a repeated request gets the original
// outcome without deciding again, and a command id reused for a different body is refused. The event ids
// (uuid v5 of the command id) remain the guarantee underneath: even when this record is gone or two
// duplicates race past it, the event store records the command once.
//
// What is kept is a receipt, not the outcome itself: where the command's events are (stream, revisions),
// and the outcome is rebuilt from those events for a repeat. Repeats are rare and events are immutable,
// so a read then is cheaper than encoding every outcome (its risk checks and all) on every command and
// holding a day of them in memory or Redis.
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import { LedgerError } from '../../domain/shared/errors.ts';
import { digestOf, fromJson, toJson } from './json.ts';

export const COMMAND_RECORD_TTL_MS = 24 * 60 * 60 * 1000;

interface CommandRecord<R> {
  readonly digest: string;
  readonly receipt?: R;
}

export class CommandIdReused extends LedgerError {
  constructor(commandId: string, kind: string) {
    super('COMMAND.ID_REUSED', 'conflict', `command id ${commandId} was already used for a different command; use a new id (Idempotency-Key) for a new command`, {
      commandId,
      kind,
    });
  }
}

/**
 * How an outcome is kept: a small JSON-safe receipt, and the outcome rebuilt from it (`applied: false`).
 * `restore` answers undefined when the events are not where the receipt says (a store reset under a kept
 * Redis): the command is then handled as if no record existed, and the event ids keep it single.
 */
export interface OutcomeReceipts<O, R> {
  receipt(outcome: O): R;
  restore(commandId: string, receipt: R): Promise<O | undefined>;
}

export interface CommandRecords<O extends { readonly applied: boolean }> {
  /**
   * Runs `execute` once per command id. A repeat with the same body returns the original outcome with
   * `applied: false`; a repeat with another body throws CommandIdReused. A refused command (it throws)
   * keeps no receipt, so its retry decides again, which is safe because a refusal wrote nothing.
   */
  once(commandId: string, kind: string, body: unknown, execute: () => Promise<O>): Promise<O>;
}

export function createCommandRecords<O extends { readonly applied: boolean }, R>(
  keyValue: KeyValueStore,
  receipts: OutcomeReceipts<O, R>,
  ttlMs = COMMAND_RECORD_TTL_MS,
): CommandRecords<O> {
  const keyOf = (commandId: string) => `cmd:${commandId}`;
  return {
    async once(commandId, kind, body, execute) {
      const key = keyOf(commandId);
      const digest = digestOf({ kind, body });
      const reserved = await keyValue.setIfAbsent(key, toJson({ digest }), ttlMs);
      if (!reserved) {
        const raw = await keyValue.get(key);
        const record = raw === undefined ? undefined : fromJson<CommandRecord<R>>(raw);
        if (record !== undefined && record.digest !== digest) throw new CommandIdReused(commandId, kind);
        const restored = record?.receipt === undefined ? undefined : await receipts.restore(commandId, record.receipt);
        if (restored !== undefined) return restored;
        // Reserved but no receipt yet: a duplicate in flight, or a refusal. The event ids keep this single.
      }
      const outcome = await execute();
      // The answer does not wait for the receipt: what makes the command single is its events (their ids
      // come from the command id), and a repeat that finds no receipt yet (or none, if this write failed)
      // is answered from those events, only more slowly. One key-value round trip less per command.
      keyValue.set(key, toJson({ digest, receipt: receipts.receipt(outcome) }), ttlMs).catch(() => undefined);
      return outcome;
    },
  };
}

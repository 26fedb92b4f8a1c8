// The outcome of every command, kept under its command id for 24 h: a repeated request gets the original
// outcome without deciding again, and a command id reused for a different body is refused. The event ids
// (uuid v5 of the command id) remain the guarantee underneath: even when this record is gone or two
// duplicates race past it, the event store records the command once.
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import { LedgerError } from '../../domain/shared/errors.ts';
import { digestOf, fromJson, toJson } from './json.ts';

export const COMMAND_RECORD_TTL_MS = 24 * 60 * 60 * 1000;

interface CommandRecord<O> {
  readonly digest: string;
  readonly outcome?: O;
}

export class CommandIdReused extends LedgerError {
  constructor(commandId: string, kind: string) {
    super('COMMAND.ID_REUSED', 'conflict', `command id ${commandId} was already used for a different command; use a new id (Idempotency-Key) for a new command`, {
      commandId,
      kind,
    });
  }
}

export interface CommandRecords {
  /**
   * Runs `execute` once per command id. A repeat with the same body returns the stored outcome with
   * `applied: false`; a repeat with another body throws CommandIdReused. A refused command (it throws)
   * stores no outcome, so its retry decides again, which is safe because a refusal wrote nothing.
   */
  once<O extends { readonly applied: boolean }>(commandId: string, kind: string, body: unknown, execute: () => Promise<O>): Promise<O>;
}

export function createCommandRecords(keyValue: KeyValueStore, ttlMs = COMMAND_RECORD_TTL_MS): CommandRecords {
  const keyOf = (commandId: string) => `cmd:${commandId}`;
  return {
    async once(commandId, kind, body, execute) {
      const key = keyOf(commandId);
      const digest = digestOf({ kind, body });
      const reserved = await keyValue.setIfAbsent(key, toJson({ digest }), ttlMs);
      if (!reserved) {
        const raw = await keyValue.get(key);
        const record = raw === undefined ? undefined : fromJson<CommandRecord<Awaited<ReturnType<typeof execute>>>>(raw);
        if (record !== undefined && record.digest !== digest) throw new CommandIdReused(commandId, kind);
        if (record?.outcome !== undefined) return { ...record.outcome, applied: false };
        // Reserved but no outcome yet: a duplicate in flight, or a refusal. The event ids keep this single.
      }
      const outcome = await execute();
      await keyValue.set(key, toJson({ digest, outcome }), ttlMs);
      return outcome;
    },
  };
}

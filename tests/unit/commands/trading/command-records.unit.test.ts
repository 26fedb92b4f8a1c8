// The record kept per command id: a repeat gets the original answer rebuilt from its receipt, another
// body under the same id is refused, and a receipt whose events are gone does not block the command.
import { describe, expect, it } from 'vitest';
import { CommandIdReused, createCommandRecords, type OutcomeReceipts } from '../../../../commands/trading/idempotency.ts';
import { createMemoryKeyValueStore } from '../../../../infra/cache/memory.ts';

interface Outcome {
  readonly applied: boolean;
  readonly total: bigint;
}

/** Receipts over a ledger of totals kept here: the receipt names an entry, restore reads it back. */
function ledger() {
  const entries = new Map<string, bigint>();
  const receipts: OutcomeReceipts<Outcome, { entry: string }> = {
    receipt: (outcome) => {
      const entry = `e${entries.size}`;
      entries.set(entry, outcome.total);
      return { entry };
    },
    restore: async (_commandId, { entry }) => {
      const total = entries.get(entry);
      return total === undefined ? undefined : { applied: false, total };
    },
  };
  return { entries, receipts };
}

describe('command records', () => {
  it('runs a command once and answers a repeat with the original outcome, marked not applied', async () => {
    const { receipts } = ledger();
    const records = createCommandRecords(createMemoryKeyValueStore(), receipts);
    let runs = 0;
    const execute = async () => ({ applied: true, total: BigInt((runs += 1) * 100) });
    const first = await records.once('c1', 'Deposit', { amount: 100n }, execute);
    const again = await records.once('c1', 'Deposit', { amount: 100n }, execute);
    expect([first, again, runs]).toEqual([{ applied: true, total: 100n }, { applied: false, total: 100n }, 1]);
  });

  it('refuses the same command id with another body, whatever the key order of the first', async () => {
    const records = createCommandRecords(createMemoryKeyValueStore(), ledger().receipts);
    await records.once('c2', 'Deposit', { amount: 100n, reference: 'a' }, async () => ({ applied: true, total: 1n }));
    await expect(records.once('c2', 'Deposit', { reference: 'a', amount: 100n }, async () => ({ applied: true, total: 2n }))).resolves.toMatchObject({ applied: false, total: 1n });
    await expect(records.once('c2', 'Deposit', { amount: 200n, reference: 'a' }, async () => ({ applied: true, total: 3n }))).rejects.toBeInstanceOf(CommandIdReused);
    await expect(records.once('c2', 'Withdraw', { amount: 100n, reference: 'a' }, async () => ({ applied: true, total: 4n }))).rejects.toMatchObject({ code: 'COMMAND.ID_REUSED' });
  });

  it('handles the command afresh when the events its receipt points at are gone (a store reset under a kept cache)', async () => {
    const { entries, receipts } = ledger();
    const records = createCommandRecords(createMemoryKeyValueStore(), receipts);
    await records.once('c3', 'Deposit', { amount: 5n }, async () => ({ applied: true, total: 5n }));
    entries.clear();
    const after = await records.once('c3', 'Deposit', { amount: 5n }, async () => ({ applied: true, total: 6n }));
    expect(after).toEqual({ applied: true, total: 6n });
  });
});

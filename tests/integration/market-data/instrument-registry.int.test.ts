// The instrument registry at start: the specs in force, read from the listed instruments' own streams,
// never by scanning the log (on 1M events that scan cost ~0.5 s of PostgreSQL per start, growing with
// history); and a spec changed later still reaches a following registry, once.
import { describe, expect, it } from 'vitest';
import type { EventStore } from '../../../domain/ports/event-store.ts';
import { instrumentDecider, instrumentStreamId, XAGUSD_SPEC, XAUUSD_SPEC } from '../../../domain/market-data/index.ts';
import { handleCommand } from '../../../commands/handling/handle-command.ts';
import { ensureInstrumentsListed, InstrumentRegistry } from '../../../commands/market-data/instruments.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import { event } from '../../contracts/event-store.contract.ts';

const NOW = new Date('2026-12-07T10:00:00Z');
const admin = { userId: 'ops', role: 'admin' } as const;

/** The store, counting the reads of the whole log that go through it. */
function countingLogReads(store: EventStore): { store: EventStore; logReads: () => number } {
  let reads = 0;
  const counted = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key === 'readAll') return (...args: Parameters<EventStore['readAll']>) => { reads += 1; return target.readAll(...args); };
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: counted, logReads: () => reads };
}

describe('instrument registry (PGlite)', () => {
  it('loads the specs in force from the instruments\' streams without reading the log, and follows a later change once', async () => {
    const sql = await createPgliteClient();
    const store = await PostgresEventStore.create(sql);
    try {
      await ensureInstrumentsListed(store, [XAUUSD_SPEC, XAGUSD_SPEC], NOW);
      const change = (maxSpread: bigint, commandId: string) => handleCommand({ eventStore: store }, instrumentDecider, instrumentStreamId('XAUUSD'), {
        type: 'ChangeInstrumentSpec', data: { symbol: 'XAUUSD', changes: { maxSpread }, reason: 'test' }, metadata: { commandId, now: NOW, actor: admin },
      });
      await change(XAUUSD_SPEC.maxSpread * 2n, '00000000-0000-4000-8000-000000000001');
      for (let i = 0; i < 5; i += 1) await store.append(`account-R${i}`, Array.from({ length: 200 }, (_, n) => event('Tested', { n })), 'any');

      const { store: counted, logReads } = countingLogReads(store);
      const registry = await InstrumentRegistry.load(counted);
      expect(logReads()).toBe(0);
      expect(registry.symbols().sort()).toEqual(['XAGUSD', 'XAUUSD']);
      expect(registry.spec('XAUUSD')?.maxSpread).toBe(XAUUSD_SPEC.maxSpread * 2n);

      registry.follow();
      try {
        await change(XAUUSD_SPEC.maxSpread * 3n, '00000000-0000-4000-8000-000000000002');
        const deadline = Date.now() + 10_000;
        while (registry.spec('XAUUSD')?.maxSpread !== XAUUSD_SPEC.maxSpread * 3n) {
          if (Date.now() > deadline) throw new Error(`the change was not followed: maxSpread ${String(registry.spec('XAUUSD')?.maxSpread)}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        await registry.close();
      }
    } finally {
      await store.close();
      await sql.close();
    }
  }, 60_000);
});

// live_catch_up: events/s the live projector applies catching up from position 0 (every projection, on a
// fresh read schema) over the rebuild bench's generated store (`npm run bench -- projections-live
// <events>`, 1,000,000 by default), against a rebuild of the same events in the same run. The live path
// is what a read model behind a busy import runs; the rebuild is the batched path it should keep up with.
import { createPgClient } from '../infra/sql/pg-client.ts';
import { ALL_PROJECTIONS, progressBar, rebuildProjections, startProjector } from '../projections/index.ts';
import { progress, report } from './report.ts';
import { ensureDatabase, generatedStore } from './rebuild.bench.ts';

export async function run(args: string[]): Promise<void> {
  const size = Number(args[0] ?? 1_000_000);
  const sql = createPgClient({ connectionString: await ensureDatabase(`bench_rebuild_${size}`), max: 16 });
  try {
    const store = await generatedStore(sql, size);
    const bar = progressBar('rebuild all', process.stderr);
    const rebuilt = await rebuildProjections({ sql, store, projections: ALL_PROJECTIONS, batchSize: 5_000, onProgress: (p) => bar.update(p) });
    const rebuildRate = rebuilt.events / rebuilt.seconds;
    progress(`projections-live: rebuild ${rebuilt.events} events in ${rebuilt.seconds.toFixed(1)} s (${Math.round(rebuildRate)} events/s)`);

    await sql.exec('drop schema if exists read cascade');
    const head = (await store.headPosition())!;
    const started = performance.now();
    // The projector as the projector role starts it: its own defaults for batch size and status.
    const projector = await startProjector({ sql, store, projections: ALL_PROJECTIONS });
    try {
      for (const p of ALL_PROJECTIONS) {
        await projector.waitFor(p.name, head, 3_600_000);
        progress(`projections-live: ${p.name} caught up after ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }
    } finally {
      await projector.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    progress(`projections-live: live ${rebuilt.events} events in ${seconds.toFixed(1)} s`);
    report({ bench: 'projections-live', figure: 'live_catch_up', value: rebuilt.events / seconds, unit: 'events/s', baseline: rebuildRate, target: 'ratio >= 0.5 (live / rebuild)' });
    await store.close();
  } finally {
    await sql.close();
  }
}

// `nicegold projections status` and `nicegold projections rebuild <name|all>`.
import { ALL_PROJECTIONS, DEFAULT_LAG_BOUND, ensureEngineTables, progressBar, rebuildProjections, selectProjections, storeLagProbe } from '../../../projections/index.ts';
import { ValidationError } from '../../../domain/shared/errors.ts';
import { loadConfig } from '../../config/config.ts';
import { createLogger } from '../../logging/logger.ts';
import { openBackends, type Backends } from '../../runtime/backends.ts';
import { postgresEventCounter, postgresLagProbe, usesSqlStore } from '../../runtime/roles/projector.ts';
import { parseArgs } from '../args.ts';
import type { CliCommand } from '../commands.ts';

interface StatusRow {
  projection: string;
  position: string | null;
  version: number;
  state: string | null;
  holder: string | null;
  updated_at: Date | null;
  last_error: string | null;
}

async function status(backends: Backends, sqlStore: boolean): Promise<number> {
  await ensureEngineTables(backends.sql);
  const { rows } = await backends.sql.query<StatusRow>(
    `select c.projection, c.position::text, c.version, s.state, s.holder, s.updated_at, s.last_error
     from read.projection_checkpoints c left join read.projection_status s using (projection) order by c.projection`,
  );
  const probe = sqlStore ? postgresLagProbe(backends.sql) : storeLagProbe(backends.eventStore);
  const lines = [['projection', 'checkpoint', 'lag (events)', 'lag (s)', 'state', 'holder', 'status at'].join('\t')];
  for (const projection of ALL_PROJECTIONS) {
    const row = rows.find((r) => r.projection === projection.name);
    const after = row?.position ? BigInt(row.position) : undefined;
    const lag = await probe(after, projection.eventTypes === 'all' ? undefined : { eventTypes: projection.eventTypes }, DEFAULT_LAG_BOUND);
    const seconds = lag.oldestRecordedAt ? ((Date.now() - lag.oldestRecordedAt.getTime()) / 1000).toFixed(1) : '0';
    const state = !row ? 'never run' : row.version !== projection.version ? 'needs rebuild' : (row.state ?? 'not running');
    lines.push([projection.name, row?.position ?? '-', `${lag.events}${lag.capped ? '+' : ''}`, seconds, row?.last_error ? `${state} (${row.last_error})` : state, row?.holder ?? '-', row?.updated_at?.toISOString() ?? '-'].join('\t'));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function rebuild(backends: Backends, sqlStore: boolean, name: string): Promise<number> {
  const projections = selectProjections(name);
  const abort = new AbortController();
  const interrupt = () => { process.stderr.write('\ninterrupted: abandoning the rebuild, live tables unchanged\n'); abort.abort(); };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const bar = progressBar(`rebuild ${name}`, process.stderr);
    const result = await rebuildProjections({
      sql: backends.sql, store: backends.eventStore, projections, signal: abort.signal,
      countEvents: sqlStore ? postgresEventCounter(backends.sql) : undefined,
      onProgress: (p) => bar.update(p),
    });
    process.stderr.write('\n');
    process.stdout.write(`rebuilt ${result.projections.join(', ')}: ${result.events} events in ${result.seconds.toFixed(1)} s, checkpoint ${result.checkpoint ?? 'start'}\n`);
    return 0;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

export const command: CliCommand = {
  name: 'projections',
  summary: 'projections status | projections rebuild <name|all> (replays into shadow tables and swaps them in)',
  async run(args) {
    const parsed = parseArgs(args);
    const [action, name] = parsed.positional;
    if (action !== 'status' && action !== 'rebuild') throw new ValidationError('CLI.USAGE', 'usage: nicegold projections status | nicegold projections rebuild <name|all>');
    if (action === 'rebuild' && !name) throw new ValidationError('CLI.USAGE', `which projection? ${ALL_PROJECTIONS.map((p) => p.name).join(', ')} or all`);
    const config = loadConfig();
    const backends = await openBackends(config, createLogger(config.logLevel));
    try {
      return action === 'status' ? await status(backends, usesSqlStore(config)) : await rebuild(backends, usesSqlStore(config), name!);
    } finally {
      await backends.close();
    }
  },
};

// Starts the ledger: backends, the roles this process runs, then the HTTP server. Shuts down in order:
// stop intake (HTTP, consumers), let in-flight work finish, then close the stores.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import { buildApp } from '../http/app.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { instrumentEventStore } from '../metrics/instrument.ts';
import { createMetrics } from '../metrics/metrics.ts';
import { lockDataDir } from '../sql/data-dir-lock.ts';
import { StateCache } from '../../commands/handling/state-cache.ts';
import { warmAccountStates } from '../../commands/trading/warm-up.ts';
import { openBackends, type Backends } from './backends.ts';
import { loadRoleModules } from './load-roles.ts';
import { startersFor, type RunningRole } from './roles.ts';

export interface RunningLedger {
  readonly app: FastifyInstance | undefined;
  readonly url: string | undefined;
  readonly backends: Backends;
  readonly logger: Logger;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Delete the embedded data directory first. */
  readonly fresh?: boolean;
  readonly logger?: Logger;
}

/** --fresh: only while no other process holds the folder (its lock is checked first: a running ledger's data is never removed). */
async function removeEmbeddedData(dir: string): Promise<void> {
  const release = lockDataDir(dir);
  try {
    await rm(dir, { recursive: true, force: true });
  } finally {
    release();
  }
}

export async function startLedger(config: Config, options: StartOptions = {}): Promise<RunningLedger> {
  const logger = options.logger ?? createLogger(config.logLevel);
  if (options.fresh) {
    if (config.databaseUrl) logger.warn('--fresh only resets embedded data under DATA_DIR; an external database is left as it is');
    else await removeEmbeddedData(path.join(config.dataDir, 'pglite'));
  }
  const mark = startupMarks(logger);
  await loadRoleModules();
  mark('modules loaded', { code: import.meta.url.endsWith('.js') ? 'compiled' : 'sources' });
  const metrics = createMetrics();
  const opened = await openBackends(config, logger);
  mark('backends connected');
  // Every append of every role is timed and counted (nicegold_event_append_seconds, nicegold_events_appended_total).
  const backends: Backends = { ...opened, eventStore: instrumentEventStore(opened.eventStore, metrics, config.eventStore) };
  const roles: RunningRole[] = [];
  let app: FastifyInstance | undefined;
  let url: string | undefined;
  try {
    const accountStates = new StateCache({ ...(backends.snapshots ? { snapshots: backends.snapshots } : {}), snapshotEvery: config.snapshotEvery });
    const context = { config, logger, metrics, backends, accountStates };
    for (const role of config.roles) {
      for (const start of startersFor(role)) roles.push(await start(context));
      mark(`role ${role} started`, { role });
    }
    if (config.roles.includes('api')) {
      // The accounts that traded last are in the cache before the process says it is ready (warm-up.ts).
      const warmed = await warmAccountStates(accountStates, backends.eventStore, backends.snapshots);
      mark('account states warmed', { accounts: warmed.accounts, ms: Math.round(warmed.ms), cut: warmed.cut });
    }
    // Every process serves /healthz, /readyz and /metrics; the routes of the roles it runs come with them.
    app = await buildApp({ logger, metrics, readiness: backends.readiness, plugins: roles.flatMap((r) => r.plugins ?? []) });
    await app.ready();
    mark('routes registered');
    url = await app.listen({ host: config.host, port: config.port });
    mark('listening', { url });
  } catch (error) {
    await stopAll(app, roles, backends);
    throw error;
  }
  logger.info({ roles: config.roles, url }, 'ledger started');
  let stopping: Promise<void> | undefined;
  return {
    app,
    url,
    backends,
    logger,
    stop: () => (stopping ??= stopAll(app, roles, backends).then(() => logger.info('ledger stopped'))),
  };
}

/**
 * Start-up phases in the log (info), each with the milliseconds since the process started (Node's time
 * origin, so module loading before startLedger is counted): where a slow restart spent its time.
 */
function startupMarks(logger: Logger): (phase: string, fields?: Record<string, unknown>) => void {
  return (phase, fields) => logger.info({ ...fields, startup: phase, sinceProcessStartMs: Math.round(performance.now()) }, `start-up: ${phase}`);
}

async function stopAll(app: FastifyInstance | undefined, roles: readonly RunningRole[], backends: Backends): Promise<void> {
  await app?.close(); // stop intake: no new requests; in-flight ones finish
  for (const role of [...roles].reverse()) await role.stop();
  await backends.close();
}

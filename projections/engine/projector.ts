// Runs projections against the event store and the read-model database: one worker per projection,
// one lock session and one read of the log (shared-log.ts) for all of them, and a status loop that records
// lag and notices rebuild requests.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { EventStore } from '../../domain/ports/event-store.ts';
import { swapRequests } from './checkpoint.ts';
import { DEFAULT_LAG_BOUND, filterOf, lagSeconds, storeLagProbe, type LagProbe } from './lag.ts';
import { openLockSession, type LockSession } from './lock-session.ts';
import { unionFilter } from './rebuild.ts';
import { SharedLog } from './shared-log.ts';
import { detectFeatures, ensureEngineTables, migrateProjection } from './schema.ts';
import type { Projection, ReadModelSql, SqlFeatures } from './types.ts';
import { ProjectionWorker, type ProjectorLogger } from './worker.ts';

export interface LagGauge {
  set(labels: { projection: string }, value: number): void;
}

export interface ProjectorOptions {
  readonly sql: ReadModelSql;
  readonly store: EventStore;
  readonly projections: readonly Projection[];
  readonly batchSize?: number;
  readonly standbyPollMs?: number;
  readonly statusIntervalMs?: number;
  readonly lagBound?: number;
  readonly lagProbe?: LagProbe;
  readonly gauges?: { readonly lagEvents: LagGauge; readonly lagSeconds: LagGauge };
  readonly logger?: ProjectorLogger;
  readonly holder?: string;
  readonly features?: SqlFeatures;
  /** How long the shared log's next page waits for the slowest projection before that one reads on by itself (default 2 s). */
  readonly laggardWaitMs?: number;
  /**
   * How long the read models may leave ticks and signals unapplied to apply several in one batch (default
   * 1 s, PROJECTOR_MARKET_DATA_EVERY_MS): each batch is a transaction per projection, the largest cost of an
   * idle embedded demo. Orders, fills and stops are applied as soon as they are appended.
   */
  readonly marketDataEveryMs?: number;
}

export interface RunningProjector {
  readonly holder: string;
  /** Names of the projections this instance is applying now. */
  active(): string[];
  /** Resolves once `name` has applied everything up to `position`. */
  waitFor(name: string, position: bigint, timeoutMs?: number): Promise<void>;
  /** Finishes the batch in flight, records status, releases the locks. */
  stop(): Promise<void>;
}

/**
 * Events per batch (and per page of the subscription): the rebuild's page. A batch's fixed cost (its
 * transaction, the checkpoint, a projection's load of the state it folds into) is paid per batch, so a
 * projector catching up behind an import pays it five times less often than with pages of 1,000.
 */
export const DEFAULT_BATCH_SIZE = 5_000;

export const PROJECTOR_MARKET_DATA_EVERY_MS = 1_000;

const silent: ProjectorLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startProjector(options: ProjectorOptions): Promise<RunningProjector> {
  const { sql, store } = options;
  const logger = options.logger ?? silent;
  await ensureEngineTables(sql);
  const features = options.features ?? (await detectFeatures(sql));
  for (const projection of options.projections) await migrateProjection(sql, projection, features);
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  let session: LockSession | undefined = await openLockSession(sql);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  // Every projection's batches come from one read of the log, each page decoded once (shared-log.ts).
  const log = new SharedLog(store, {
    filter: unionFilter(options.projections),
    pageSize: batchSize,
    ...(options.laggardWaitMs === undefined ? {} : { laggardWaitMs: options.laggardWaitMs }),
    marketDataEveryMs: options.marketDataEveryMs ?? PROJECTOR_MARKET_DATA_EVERY_MS,
  });
  const context = {
    sql, store, features, logger, batchSize,
    batches: (projection: Projection, after: bigint | undefined) => log.reader(projection, after),
    standbyPollMs: options.standbyPollMs ?? 1_000,
    session: () => session,
  };
  const workers = options.projections.map((projection) => new ProjectionWorker(projection, context));
  const running = workers.map((worker) => worker.run());
  const status = new StatusLoop(sql, workers, holder, {
    probe: options.lagProbe ?? storeLagProbe(store),
    head: () => store.headPosition(),
    bound: options.lagBound ?? DEFAULT_LAG_BOUND,
    gauges: options.gauges,
    logger,
    onSessionLost: async () => {
      const lost = session;
      session = undefined;
      await Promise.all(workers.map((worker) => worker.loseLock()));
      await lost?.close().catch(() => undefined);
      session = await openLockSession(sql).catch(() => undefined);
    },
    ping: async () => { if (session) await session.ping(); else session = await openLockSession(sql); },
  });
  status.start(options.statusIntervalMs ?? 1_000);
  logger.info({ holder, projections: options.projections.map((p) => p.name), timescale: features.timescale }, 'projector started');

  let stopping: Promise<void> | undefined;
  return {
    holder,
    active: () => workers.filter((w) => w.state === 'active').map((w) => w.projection.name),
    async waitFor(name, position, timeoutMs = 30_000) {
      const worker = workers.find((w) => w.projection.name === name);
      if (!worker) throw new Error(`no projection named ${name}`);
      const deadline = Date.now() + timeoutMs;
      // A filtered projection's checkpoint stops at its last matching event: done when nothing it reads is left up to `position`.
      const reached = async () => {
        const at = worker.checkpoint?.position;
        if (at !== undefined && at >= position) return true;
        if (worker.state !== 'active' || worker.checkpoint === undefined) return false;
        const page = await store.readAll({ after: at, filter: filterOf(worker.projection), maxCount: 1 });
        const next = page.events[0];
        // Past the horizon the store has not looked yet: an event there may still be ours.
        return next === undefined ? (page.checkpoint ?? -1n) >= position : next.globalPosition > position;
      };
      while (!(await reached())) {
        if (Date.now() > deadline) throw new Error(`projection ${name} did not reach ${position} within ${timeoutMs} ms (state ${worker.state})`);
        await sleep(20);
      }
    },
    stop: () => (stopping ??= (async () => {
      const holding = workers.filter((w) => w.state !== 'standby');
      await Promise.all(workers.map((worker) => worker.stop()));
      await Promise.all(running);
      await log.close();
      await status.stop(holding);
      await session?.close();
      logger.info({ holder }, 'projector stopped');
    })()),
  };
}

interface StatusOptions {
  readonly probe: LagProbe;
  /** The log's last event: a projection at or past it has no lag, and needs no probe. */
  readonly head: () => Promise<bigint | undefined>;
  readonly bound: number;
  readonly gauges: ProjectorOptions['gauges'];
  readonly logger: ProjectorLogger;
  readonly onSessionLost: () => Promise<void>;
  readonly ping: () => Promise<void>;
}

/** Longest time between two writes of an unchanged status row. */
export const STATUS_HEARTBEAT_MS = 10_000;
const NO_LAG = { events: 0, capped: false, oldestRecordedAt: undefined } as const;

class StatusLoop {
  private timer: NodeJS.Timeout | undefined;
  private readonly written = new Map<string, { key: string; at: number }>();
  private round: Promise<void> = Promise.resolve();

  constructor(private readonly sql: ReadModelSql, private readonly workers: readonly ProjectionWorker[], private readonly holder: string, private readonly options: StatusOptions) {}

  start(intervalMs: number): void {
    let busy = false;
    // A round that outlasts the interval is not queued behind: the next one starts when it is done.
    this.timer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.round = this.tick().catch(() => undefined).finally(() => { busy = false; });
    }, intervalMs);
  }

  /** Records a last status for the projections this instance was holding (a standby's would overwrite the holder's). */
  async stop(holding: readonly ProjectionWorker[]): Promise<void> {
    clearInterval(this.timer);
    await this.round;
    for (const worker of holding) await this.record(worker, true).catch(() => undefined);
  }

  private async tick(): Promise<void> {
    try {
      await this.options.ping();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'projection lock connection lost; every projection goes to standby');
      await this.options.onSessionLost();
      return;
    }
    const running = this.workers.filter((worker) => worker.state !== 'standby' && worker.state !== 'stopped');
    if (running.length === 0) return;
    // One read of the rebuild requests and one of the head per round, for every projection: an idle
    // desk's projector sent three statements per projection per second (a check, a lag probe, a write).
    const [swaps, head] = await Promise.all([swapRequests(this.sql), this.options.head()]);
    for (const worker of running) {
      if (worker.state === 'active' && swaps.has(worker.projection.name)) await worker.yieldToRebuild();
      await this.record(worker, false, head).catch((error: unknown) => this.options.logger.warn({ projection: worker.projection.name, err: error }, 'could not record projection status'));
    }
  }

  private async record(worker: ProjectionWorker, final: boolean, head?: bigint): Promise<void> {
    const name = worker.projection.name;
    const position = worker.checkpoint?.position;
    const from = worker.lagFrom();
    // No head: an empty log, nothing to be behind while reading it.
    const atHead = !final && (head === undefined ? worker.state === 'active' : from !== undefined && from >= head);
    const lag = atHead ? NO_LAG : await this.options.probe(from, filterOf(worker.projection), this.options.bound);
    const seconds = lagSeconds(lag, new Date());
    this.options.gauges?.lagEvents.set({ projection: name }, lag.events);
    this.options.gauges?.lagSeconds.set({ projection: name }, seconds);
    const state = final ? 'stopped' : worker.state;
    const params = [name, state, position?.toString() ?? null, lag.events, lag.capped, seconds.toFixed(3), worker.applied, this.holder, worker.lastError ?? null];
    // The row is written when it changes, and at least every STATUS_HEARTBEAT_MS (its updated_at says the holder is alive).
    const key = JSON.stringify(params);
    const last = this.written.get(name);
    if (!final && last !== undefined && last.key === key && Date.now() - last.at < STATUS_HEARTBEAT_MS) return;
    await this.sql.query(
      `insert into read.projection_status (projection, state, checkpoint, lag_events, lag_capped, lag_seconds, events_applied, holder, last_error, updated_at)
       values ($1, $2, $3::bigint, $4, $5, $6, $7, $8, $9, now())
       on conflict (projection) do update set state = excluded.state, checkpoint = excluded.checkpoint, lag_events = excluded.lag_events,
         lag_capped = excluded.lag_capped, lag_seconds = excluded.lag_seconds, events_applied = excluded.events_applied,
         holder = excluded.holder, last_error = excluded.last_error, updated_at = now()`,
      params,
    );
    this.written.set(name, { key, at: Date.now() });
  }
}

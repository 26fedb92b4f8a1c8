// Blue/green rebuild: replay the whole log into shadow schemas (`read_rebuild_<name>`) while the live
// tables keep answering, then take the projections' advisory locks (live projectors step aside), apply
// the last events and swap the tables in with renames in one transaction. Until that transaction
// commits nothing live changes, so an interrupted rebuild leaves the live tables exactly as they were.
import type { EventFilter, EventStore, ReadAllPage, RecordedEvent } from '../../domain/ports/event-store.ts';
import { LedgerError } from '../../domain/shared/errors.ts';
import { openLockSession, type LockSession } from './lock-session.ts';
import type { RebuildProgress } from './progress.ts';
import { assertIdentifier, createShadowTables, detectFeatures, ensureEngineTables, finishBulkLoad, migrateProjection, READ_SCHEMA, type BulkLoad } from './schema.ts';
import { type Projection, type ProjectionTarget, type ReadModelSql, type SqlExecutor, type SqlFeatures } from './types.ts';

export interface RebuildOptions {
  readonly sql: ReadModelSql;
  readonly store: EventStore;
  readonly projections: readonly Projection[];
  readonly batchSize?: number;
  /** How long to wait for live projectors to release their locks. */
  readonly lockTimeoutMs?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** Counts the events to replay, for the ETA; without it the ETA follows positions. */
  readonly countEvents?: (filter: EventFilter | undefined) => Promise<number>;
  readonly signal?: AbortSignal;
  readonly features?: SqlFeatures;
}

export interface RebuildResult {
  readonly projections: readonly string[];
  readonly events: number;
  readonly seconds: number;
  readonly checkpoint: bigint | undefined;
}

export class RebuildInterrupted extends LedgerError {
  constructor(reason: string) {
    super('PROJECTION.REBUILD_INTERRUPTED', 'unavailable', `rebuild interrupted (${reason}); the live tables are unchanged`, {});
  }
}

/** Pages read but not yet applied by every projection (bounds the memory of a replay). */
const PAGES_IN_FLIGHT = 4;

export const shadowSchemaOf = (name: string): string => assertIdentifier(`read_rebuild_${name}`);

interface Shadow {
  readonly projection: Projection;
  readonly target: ProjectionTarget;
  /** The event types it reads, as a set (looked up for every event of the log). */
  readonly types: ReadonlySet<string> | 'all';
}

/** One read of the log for every projection being rebuilt: the union of their event types. */
export function unionFilter(projections: readonly Projection[]): EventFilter | undefined {
  if (projections.some((p) => p.eventTypes === 'all')) return undefined;
  return { eventTypes: [...new Set(projections.flatMap((p) => p.eventTypes as readonly string[]))] };
}

export async function rebuildProjections(options: RebuildOptions): Promise<RebuildResult> {
  const { sql } = options;
  const started = performance.now();
  await ensureEngineTables(sql);
  const features = options.features ?? (await detectFeatures(sql));
  for (const projection of options.projections) await migrateProjection(sql, projection, features);
  const shadows: Shadow[] = options.projections.map((projection) => ({
    projection,
    target: { schema: shadowSchemaOf(projection.name), features, bulk: true },
    types: projection.eventTypes === 'all' ? 'all' : new Set(projection.eventTypes),
  }));
  const names = shadows.map((s) => s.projection.name);
  let session: LockSession | undefined;
  let swapped = false;
  try {
    const loads: BulkLoad[] = [];
    for (const shadow of shadows) {
      await sql.exec(`drop schema if exists ${shadow.target.schema} cascade`);
      loads.push(await createShadowTables(sql, shadow.projection, shadow.target));
    }
    const replay = new Replay(options, shadows, started);
    await replay.init();
    await replay.catchUp();
    // The deferred indexes, each built in one pass while the live tables still answer; the tail applied
    // after the locks are taken goes into indexed tables.
    replay.report('building indexes');
    await finishBulkLoad(sql, loads);
    replay.report('waiting for live projectors to step aside, then swapping in');
    await requestSwap(sql, names);
    session = await openLockSession(sql);
    await takeLocks(sql, session, names, options.lockTimeoutMs ?? 60_000, options.signal);
    await replay.catchUp();
    await swapIn(sql, shadows, replay.checkpoint);
    swapped = true;
    replay.finish();
    return { projections: names, events: replay.applied, seconds: (performance.now() - started) / 1000, checkpoint: replay.checkpoint };
  } finally {
    if (!swapped) await abandon(sql, shadows).catch(() => undefined);
    await session?.close().catch(() => undefined);
  }
}

class Replay {
  applied = 0;
  checkpoint: bigint | undefined;
  private total: number | undefined;
  private first: bigint | undefined;
  private head: bigint | undefined;
  private readonly filter: EventFilter | undefined;

  constructor(private readonly options: RebuildOptions, private readonly shadows: readonly Shadow[], private readonly started: number) {
    this.filter = unionFilter(shadows.map((s) => s.projection));
  }

  async init(): Promise<void> {
    this.total = await this.options.countEvents?.(this.filter);
    this.head = await this.options.store.headPosition();
    this.first = (await this.options.store.readAll({ maxCount: 1 })).events[0]?.globalPosition;
  }

  /**
   * Reads page after page until the head, the next page while the current one is applied. Each projection
   * applies the pages in log order on its own connection, without waiting for the others to finish the same
   * page (shadow tables are invisible until the swap, and an interrupted rebuild throws them all away), with
   * at most PAGES_IN_FLIGHT pages read but not yet applied by every projection.
   */
  async catchUp(): Promise<void> {
    const read = (after: bigint | undefined) => this.options.store.readAll({ after, filter: this.filter, maxCount: this.options.batchSize ?? 5_000 });
    const lanes = new Map<Shadow, Promise<void>>();
    const window: Promise<void>[] = [];
    let done: Promise<void> = Promise.resolve();
    try {
      let page = await read(this.checkpoint);
      for (;;) {
        if (this.options.signal?.aborted) throw new RebuildInterrupted('aborted');
        const next = page.hasMore ? read(page.checkpoint) : undefined;
        next?.catch(() => undefined);
        done = this.applyPage(page, lanes, done);
        window.push(done);
        if (window.length >= PAGES_IN_FLIGHT) await window.shift();
        if (!next) break;
        page = await next;
      }
      await done;
    } finally {
      // On a failure the pages already handed to the lanes still settle before the caller drops the shadows.
      await Promise.allSettled([...lanes.values()]);
    }
  }

  private applyPage(page: ReadAllPage, lanes: Map<Shadow, Promise<void>>, previous: Promise<void>): Promise<void> {
    const applies = page.events.length === 0 ? [] : this.shadows.map((shadow) => {
      const lane = (lanes.get(shadow) ?? Promise.resolve()).then(() => this.options.sql.transaction((tx) => applyTo(tx, shadow, page.events)));
      lanes.set(shadow, lane);
      return lane;
    });
    const done = Promise.all([previous, ...applies]).then(() => {
      this.applied += page.events.length;
      this.checkpoint = page.checkpoint ?? this.checkpoint;
      this.options.onProgress?.(this.progress());
    });
    done.catch(() => undefined); // awaited through the window or the next page; this only keeps it from being reported unhandled
    return done;
  }

  progress(): RebuildProgress {
    const elapsedSeconds = (performance.now() - this.started) / 1000;
    const span = this.first !== undefined && this.head !== undefined && this.head > this.first ? Number(this.head - this.first) : undefined;
    const fraction = this.total === undefined && span && this.checkpoint !== undefined && this.first !== undefined
      ? Math.min(1, Number(this.checkpoint - this.first) / span) : undefined;
    return { applied: this.applied, total: this.total === undefined ? undefined : Math.max(this.total, this.applied), fraction, elapsedSeconds };
  }

  /** Tells the progress bar what happens now that the replay is done. */
  report(stage: string): void {
    this.options.onProgress?.({ ...this.progress(), stage });
  }

  finish(): void {
    this.options.onProgress?.({ ...this.progress(), fraction: 1 });
  }
}

async function applyTo(tx: SqlExecutor, shadow: Shadow, events: readonly RecordedEvent[]): Promise<void> {
  const { types } = shadow;
  const mine = types === 'all' ? events : events.filter((e) => types.has(e.type));
  if (mine.length > 0) await shadow.projection.apply(mine, tx, shadow.target);
}

async function requestSwap(sql: ReadModelSql, names: readonly string[]): Promise<void> {
  await sql.query('update read.projection_checkpoints set swap_requested_at = now() where projection = any($1::text[])', [names]);
}

async function takeLocks(sql: ReadModelSql, session: LockSession, names: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let renewed = Date.now();
  for (const name of [...names].sort()) {
    while (!(await session.tryLock(name))) {
      if (signal?.aborted) throw new RebuildInterrupted('aborted');
      if (Date.now() > deadline) throw new RebuildInterrupted(`projection ${name} is still held by a live projector after ${timeoutMs} ms`);
      if (Date.now() - renewed > 10_000) { await requestSwap(sql, names); renewed = Date.now(); }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The one transaction that makes the rebuilt tables live: drop the old ones, move the new ones in. */
async function swapIn(sql: ReadModelSql, shadows: readonly Shadow[], checkpoint: bigint | undefined): Promise<void> {
  await sql.transaction(async (tx) => {
    const names = shadows.map((s) => s.projection.name);
    await tx.query('select projection from read.projection_checkpoints where projection = any($1::text[]) order by projection for update', [names]);
    for (const { projection, target } of shadows) {
      for (const table of projection.tables) {
        await tx.query(`drop table if exists ${READ_SCHEMA}.${assertIdentifier(table)}`);
        await tx.query(`alter table ${target.schema}.${assertIdentifier(table)} set schema ${READ_SCHEMA}`);
      }
      await tx.query(`drop schema ${target.schema} cascade`);
      await tx.query('delete from read.schema_migrations where projection = $1', [projection.name]);
      for (const m of projection.migrations) {
        await tx.query('insert into read.schema_migrations (projection, version, description) values ($1, $2, $3)', [projection.name, m.version, m.description]);
      }
      await tx.query(
        `update read.projection_checkpoints set position = $2::bigint, version = $3, generation = generation + 1, swap_requested_at = null, updated_at = now() where projection = $1`,
        [projection.name, checkpoint?.toString() ?? null, projection.version],
      );
    }
  });
}

async function abandon(sql: ReadModelSql, shadows: readonly Shadow[]): Promise<void> {
  await sql.query('update read.projection_checkpoints set swap_requested_at = null where projection = any($1::text[])', [shadows.map((s) => s.projection.name)]);
  for (const shadow of shadows) await sql.exec(`drop schema if exists ${shadow.target.schema} cascade`);
}

// One projection inside a projector: standby until it holds the projection's advisory lock, then
// catch-up and live from the stored checkpoint, one transaction per batch.
import { applyLiveBatch, CheckpointMoved, loadCheckpoint, type StoredCheckpoint } from './checkpoint.ts';
import type { LockSession } from './lock-session.ts';
import { READ_SCHEMA } from './schema.ts';
import type { EventBatches } from './shared-log.ts';
import type { Projection, ProjectionTarget, ReadModelSql, SqlFeatures } from './types.ts';

export type WorkerState = 'standby' | 'active' | 'failing' | 'needs_rebuild' | 'yielding' | 'stopped';

export interface ProjectorLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface WorkerContext {
  readonly sql: ReadModelSql;
  readonly features: SqlFeatures;
  readonly batchSize: number;
  readonly standbyPollMs: number;
  readonly logger: ProjectorLogger;
  /** The projection's events after a position, in batches (the projector's shared read of the log). */
  batches(projection: Projection, after: bigint | undefined): EventBatches;
  /** The current lock session; replaced when its connection dies. */
  session(): LockSession | undefined;
}

const MAX_BACKOFF_MS = 10_000;

export class ProjectionWorker {
  state: WorkerState = 'standby';
  checkpoint: StoredCheckpoint | undefined;
  applied = 0;
  lastError: string | undefined;
  private reader: EventBatches | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private failures = 0;
  readonly target: ProjectionTarget;

  constructor(readonly projection: Projection, private readonly ctx: WorkerContext) {
    this.target = { schema: READ_SCHEMA, features: ctx.features };
  }

  async run(): Promise<void> {
    while (!this.stopping) {
      const session = this.ctx.session();
      const locked = session ? await session.tryLock(this.projection.name).catch(() => false) : false;
      if (!locked) {
        this.state = 'standby';
        await this.pause(this.ctx.standbyPollMs);
        continue;
      }
      try {
        await this.runActive();
        this.failures = 0;
      } catch (error) {
        await this.onFailure(error);
      } finally {
        await this.reader?.close();
        this.reader = undefined;
        await session?.unlock(this.projection.name).catch(() => undefined);
      }
      if (this.state === 'yielding' || this.state === 'needs_rebuild') await this.pause(this.ctx.standbyPollMs);
    }
    this.state = 'stopped';
  }

  private async runActive(): Promise<void> {
    const stored = await loadCheckpoint(this.ctx.sql, this.projection.name);
    if (stored.swapRequested) { this.state = 'yielding'; return; }
    if (stored.version !== this.projection.version) {
      this.state = 'needs_rebuild';
      this.ctx.logger.warn({ projection: this.projection.name, stored: stored.version, code: this.projection.version }, 'projection version changed: run `nicegold projections rebuild`');
      return;
    }
    this.checkpoint = stored;
    this.state = 'active';
    this.ctx.logger.info({ projection: this.projection.name, checkpoint: String(stored.position), generation: stored.generation }, 'projection active');
    this.reader = this.ctx.batches(this.projection, stored.position);
    for (let batch = await this.reader.next(); batch !== undefined && !this.stopping; batch = await this.reader.next()) {
      // Empty: none of this projection's events up to where its reader has got; the checkpoint moves there.
      const to = batch.length > 0 ? batch[batch.length - 1]!.globalPosition : this.reader.settled;
      if (to === undefined || (batch.length === 0 && this.checkpoint.position !== undefined && to <= this.checkpoint.position)) continue;
      await applyLiveBatch(this.ctx.sql, this.projection, this.target, batch, this.checkpoint, to);
      this.checkpoint = { ...this.checkpoint, position: to };
      this.applied += batch.length;
      this.lastError = undefined;
      if (this.state !== 'active') break; // asked to yield while the batch was applying
    }
  }

  private async onFailure(error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof CheckpointMoved) {
      this.ctx.logger.info({ projection: this.projection.name }, message);
      this.state = 'yielding';
      return;
    }
    this.failures += 1;
    this.state = 'failing';
    this.lastError = message;
    this.ctx.logger.error({ projection: this.projection.name, err: error }, 'projection batch failed; retrying from the stored checkpoint');
    await this.pause(Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(this.failures, 10)));
  }

  /**
   * Where this projection's lag is counted from: its checkpoint, or further on where its reader has
   * passed only other projections' events. A filtered projection's checkpoint stays at its last matching
   * event; counting from there rescanned every event since on each status round (a projection of rare
   * events on a 1M-event store: ~1 s of PostgreSQL per second).
   */
  lagFrom(): bigint | undefined {
    const at = this.checkpoint?.position;
    const settled = this.state === 'active' ? this.reader?.settled : undefined;
    return settled !== undefined && (at === undefined || settled > at) ? settled : at;
  }

  /** A rebuild wants to swap this projection's tables: finish the current batch and release the lock. */
  async yieldToRebuild(): Promise<void> {
    if (this.state !== 'active') return;
    this.state = 'yielding';
    await this.reader?.close();
  }

  /** The lock session died: whatever this worker held is gone. */
  async loseLock(): Promise<void> {
    if (this.state === 'active') this.state = 'standby';
    await this.reader?.close();
  }

  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.wake = undefined; resolve(); }, ms);
      this.wake = () => { clearTimeout(timer); this.wake = undefined; resolve(); };
    });
  }

  /** Stops intake; the batch being applied commits first. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.reader?.close();
  }
}

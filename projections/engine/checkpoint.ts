// Checkpoints live next to the read models and move in the same transaction as the rows a batch writes:
// a batch either happened entirely (rows and checkpoint) or not at all, whatever stops the process.
import type { RecordedEvent } from '../../domain/ports/event-store.ts';
import { LedgerError } from '../../domain/shared/errors.ts';
import { READ_SCHEMA } from './schema.ts';
import type { Projection, ProjectionTarget, ReadModelSql, SqlExecutor } from './types.ts';

/** How long a rebuild's request that live projectors step aside stays valid: a crashed rebuild cannot block them for good. */
export const SWAP_REQUEST_TTL_SECONDS = 60;

export interface StoredCheckpoint {
  readonly position: bigint | undefined;
  readonly version: number;
  readonly generation: number;
  /** A rebuild is about to swap this projection's tables: live projectors step aside. */
  readonly swapRequested: boolean;
}

interface CheckpointRow {
  position: string | null;
  version: number;
  generation: number;
  swap_requested: boolean;
}

/** A rebuild's request to step aside that has not expired. */
const SWAP_REQUESTED = `swap_requested_at > now() - interval '${SWAP_REQUEST_TTL_SECONDS} seconds'`;

const SELECT_CHECKPOINT = `select position::text, version, generation, coalesce(${SWAP_REQUESTED}, false) as swap_requested
  from read.projection_checkpoints where projection = $1`;

const toCheckpoint = (row: CheckpointRow): StoredCheckpoint => ({
  position: row.position === null ? undefined : BigInt(row.position),
  version: Number(row.version),
  generation: Number(row.generation),
  swapRequested: row.swap_requested === true,
});

export async function loadCheckpoint(sql: SqlExecutor, name: string): Promise<StoredCheckpoint> {
  const { rows } = await sql.query<CheckpointRow>(SELECT_CHECKPOINT, [name]);
  const row = rows[0];
  if (!row) throw new Error(`projection ${name} has no checkpoint row: migrate it first`);
  return toCheckpoint(row);
}

/** The projections a rebuild has asked (within the request's TTL) to step aside, in one read for all. */
export async function swapRequests(sql: SqlExecutor): Promise<Set<string>> {
  const { rows } = await sql.query<{ projection: string }>(
    `select projection from read.projection_checkpoints where ${SWAP_REQUESTED}`,
  );
  return new Set(rows.map((row) => row.projection));
}

/** The stored checkpoint is not the one this instance read: another instance or a rebuild moved it. */
export class CheckpointMoved extends LedgerError {
  constructor(projection: string, reason: string) {
    super('PROJECTION.CHECKPOINT_MOVED', 'conflict', `projection ${projection}: ${reason}; re-reading from the stored checkpoint`, { projection });
  }
}

const samePosition = (a: bigint | undefined, b: bigint | undefined) => a === b;

/**
 * Applies one batch to the live tables and moves the checkpoint to `to`, in one transaction. The row
 * lock on the checkpoint fences writers: a second instance or a rebuild swap that moved it makes this
 * batch roll back instead of applying twice.
 */
export async function applyLiveBatch(
  sql: ReadModelSql,
  projection: Projection,
  target: ProjectionTarget,
  batch: readonly RecordedEvent[],
  from: StoredCheckpoint,
  to: bigint,
): Promise<void> {
  await sql.transaction(async (tx) => {
    const { rows } = await tx.query<CheckpointRow>(`${SELECT_CHECKPOINT} for update`, [projection.name]);
    const stored = rows[0] ? toCheckpoint(rows[0]) : undefined;
    if (!stored || !samePosition(stored.position, from.position) || stored.generation !== from.generation) {
      throw new CheckpointMoved(projection.name, 'the checkpoint moved under this instance');
    }
    if (stored.swapRequested) throw new CheckpointMoved(projection.name, 'a rebuild is swapping the tables in');
    if (batch.length > 0) await projection.apply(batch, tx, target);
    await tx.query(`update ${READ_SCHEMA}.projection_checkpoints set position = $2::bigint, updated_at = now() where projection = $1`, [projection.name, to.toString()]);
  });
}

// What a projection is, and the slice of the SQL client the engine needs. The SQL types are structural
// copies of infra/sql/client.ts, so projections depend on no adapter: any SqlClient fits.
import type { RecordedEvent } from '../../domain/ports/event-store.ts';

export interface SqlResult<Row> {
  readonly rows: Row[];
  readonly rowCount: number;
}

export interface SqlExecutor {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
  copyFrom?(statement: string, data: string): Promise<void>;
}

export interface ReadModelSql extends SqlExecutor {
  readonly dialect: 'postgres' | 'pglite';
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  exec(sql: string): Promise<void>;
  withConnection<T>(work: (conn: SqlExecutor) => Promise<T>): Promise<T>;
}

/** Database features a migration may use; TimescaleDB only when the extension is available. */
export interface SqlFeatures {
  readonly timescale: boolean;
}

/** Where a projection writes: `read` for the live tables, a shadow schema while rebuilding. */
export interface ProjectionTarget {
  /** Schema name, already validated as a safe identifier. */
  readonly schema: string;
  readonly features: SqlFeatures;
  /**
   * A rebuild's shadow: fresh tables that nothing reads before the swap and that each event reaches once,
   * so rows that only add can go in with COPY (nothing there can conflict; if something did, the rebuild
   * fails and the live tables stay).
   */
  readonly bulk?: boolean;
}

export interface ProjectionMigration {
  readonly version: number;
  readonly description: string;
  /** DDL statements separated by semicolons, for the tables in `target.schema`. */
  readonly up: (target: ProjectionTarget) => string;
}

export interface Projection {
  /** Lower-case identifier: `candles`, `orders`. Names the checkpoint, the lock and the shadow schema. */
  readonly name: string;
  /** Version of what `apply` writes. A stored checkpoint of another version needs a rebuild. */
  readonly version: number;
  /** Event types this projection reads; `all` reads every event (the audit log). */
  readonly eventTypes: readonly string[] | 'all';
  /** Tables it owns in its schema; a rebuild swaps exactly these. */
  readonly tables: readonly string[];
  readonly migrations: readonly ProjectionMigration[];
  /** Writes the effect of `batch` (in log order). Runs inside the transaction that commits the checkpoint. */
  apply(batch: readonly RecordedEvent[], tx: SqlExecutor, target: ProjectionTarget): Promise<void>;
}

export const handles = (projection: Projection, type: string): boolean =>
  projection.eventTypes === 'all' || projection.eventTypes.includes(type);

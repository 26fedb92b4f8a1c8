// One small SQL client interface over a `pg` pool (PostgreSQL, TimescaleDB) and PGlite (embedded), so the
// event store and the projections run unchanged on both. Parameters are positional ($1, $2, ...).
// 64-bit integers should be selected as text (`col::text`) and converted with BigInt: the two drivers
// parse int8 differently.

export interface SqlResult<Row> {
  readonly rows: Row[];
  readonly rowCount: number;
}

export interface SqlExecutor {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
  /**
   * Runs `COPY … FROM STDIN` with `data` in COPY's text format: the bulk path of a rebuild. Only on a
   * PostgreSQL connection (transactions and held connections); absent on PGlite, where callers insert.
   */
  copyFrom?(statement: string, data: string): Promise<void>;
}

export type Notification = (payload: string) => void;

export interface SqlClient extends SqlExecutor {
  readonly dialect: 'postgres' | 'pglite';
  /** Runs `work` in one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs several statements separated by semicolons (migrations). No parameters. */
  exec(sql: string): Promise<void>;
  /** LISTEN on a channel; returns an unsubscribe function. */
  listen(channel: string, onNotify: Notification): Promise<() => Promise<void>>;
  /** Runs `work` holding one dedicated connection (advisory locks are per session). */
  withConnection<T>(work: (conn: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Quotes an SQL identifier (schema or table name) that comes from configuration, never from users. */
export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`refusing unsafe SQL identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

// Array parameters as literal text (`{"a","b \\"c\\""}`, `{1,NULL,3}`), the text the server reads for a
// `$n::type[]` parameter, built in one pass: the pg driver's generic array encoding checks and escapes
// every element one call at a time (a visible share of an append's or a rebuild's CPU).
const ESCAPED = /["\\]/g;
const NEEDS_ESCAPE = /["\\]/;
/** One element of an array literal, double-quoted. */
export const quotedElement = (value: string): string => (NEEDS_ESCAPE.test(value) ? `"${value.replace(ESCAPED, '\\$&')}"` : `"${value}"`);

/** A text[] (or uuid[], timestamptz[]: any type read from text) array literal. */
export function textArray(values: readonly string[]): string {
  let text = '{';
  for (let i = 0; i < values.length; i += 1) text += (i > 0 ? ',' : '') + quotedElement(values[i]!);
  return `${text}}`;
}

/** An integer array literal (int, smallint, bigint) from numbers or integer text; null is NULL. */
export function integerArray(values: ReadonlyArray<number | string | null>): string {
  let text = '{';
  for (let i = 0; i < values.length; i += 1) text += (i > 0 ? ',' : '') + String(values[i] ?? 'NULL');
  return `${text}}`;
}

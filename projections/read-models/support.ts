// Small helpers the read models share: bulk inserts through unnest (one round trip per table per batch)
// and reading the common fields of events.
import type { RecordedEvent } from '../../domain/ports/event-store.ts';
import { assertIdentifier } from '../engine/schema.ts';
import type { ProjectionTarget, SqlExecutor } from '../engine/types.ts';
import { quotedElement } from '../../infra/sql/client.ts';

/**
 * A column of a bulk insert: its name, the SQL type of its array parameter, and optionally the type the
 * unnested value is cast to (`col('checks', 'text', 'jsonb')`: sent as text, stored as jsonb). A cast
 * column's text is that type's input, so COPY takes the same cell as it is.
 */
export interface Column {
  readonly name: string;
  readonly type: string;
  readonly cast?: string;
}

export const col = (name: string, type: string, cast?: string): Column => ({ name, type, cast });

/** Cell values as the drivers take them: bigints go as text, cast back by the array type. */
export type Cell = string | number | boolean | bigint | null;

/** A PostgreSQL text[] literal, for a column declared `col(name, 'text', 'text[]')`. */
export { textArray } from '../../infra/sql/client.ts';

/**
 * Column `index` of `rows` as a PostgreSQL array literal (`{1,NULL,"a \"b\""}`), the text the server reads
 * for a `$n::type[]` parameter. Built here in one pass: the driver's generic array encoding checks and
 * escapes every element one call at a time, a large part of a rebuild's CPU.
 */
export function arrayLiteral(rows: readonly (readonly Cell[])[], index: number): string {
  let text = '{';
  for (let r = 0; r < rows.length; r += 1) {
    if (r > 0) text += ',';
    const value = rows[r]![index] ?? null;
    if (value === null) text += 'NULL';
    else if (typeof value === 'string') text += quotedElement(value);
    else if (typeof value === 'boolean') text += value ? 't' : 'f';
    else text += String(value);
  }
  return `${text}}`;
}

export const table = (target: ProjectionTarget, name: string): string => `${assertIdentifier(target.schema)}.${assertIdentifier(name)}`;

/** `insert into <table> (...) select ... from unnest($1::t1[], ...)`, with an optional conflict clause. */
export async function insertRows(tx: SqlExecutor, into: string, columns: readonly Column[], rows: readonly (readonly Cell[])[], conflict = ''): Promise<void> {
  if (rows.length === 0) return;
  const names = columns.map((c) => c.name);
  const params = columns.map((_, i) => arrayLiteral(rows, i));
  const unnest = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const select = columns.map((c, i) => (c.cast ? `c${i}::${c.cast}` : `c${i}`)).join(', ');
  const alias = columns.map((_, i) => `c${i}`).join(', ');
  await tx.query(`insert into ${into} (${names.join(', ')}) select ${select} from unnest(${unnest}) as u(${alias}) ${conflict}`, params);
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIALS = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Rows in COPY's text format: tab between fields, a line per row, `\N` for null. */
export function copyText(rows: readonly (readonly Cell[])[], width: number): string {
  let text = '';
  for (const row of rows) {
    for (let i = 0; i < width; i += 1) {
      if (i > 0) text += '\t';
      const value = row[i] ?? null;
      if (value === null) text += '\\N';
      else if (typeof value === 'string') text += COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c]!) : value;
      else if (typeof value === 'boolean') text += value ? 't' : 'f';
      else text += String(value);
    }
    text += '\n';
  }
  return text;
}

/** Below this many rows one insert beats a COPY and the savepoint around it (two more round trips). */
const LIVE_COPY_MIN_ROWS = 200;
const UNIQUE_VIOLATION = '23505';

const isUniqueViolation = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;

/**
 * Rows that only add (a log-like table): on PostgreSQL copied in with COPY, several times cheaper for the
 * server than an insert of unnested arrays. A rebuild's shadow is fresh, so nothing there can conflict. The
 * live tables see each event once too (the checkpoint moves in the batch's transaction), so a large live
 * batch is copied as well, inside a savepoint: should a row be there already, the savepoint undoes the COPY
 * and the insert skips that row, as a small batch's insert does.
 */
export async function appendRows(tx: SqlExecutor, target: ProjectionTarget, name: string, columns: readonly Column[], rows: readonly (readonly Cell[])[]): Promise<void> {
  if (rows.length === 0) return;
  const copy = () => tx.copyFrom!(`copy ${table(target, name)} (${columns.map((c) => c.name).join(', ')}) from stdin`, copyText(rows, columns.length));
  if (target.bulk && tx.copyFrom) {
    await copy();
    return;
  }
  if (tx.copyFrom && rows.length >= LIVE_COPY_MIN_ROWS) {
    await tx.query('savepoint append_rows');
    try {
      await copy();
      await tx.query('release savepoint append_rows');
      return;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await tx.query('rollback to savepoint append_rows');
    }
  }
  await insertRows(tx, table(target, name), columns, rows, 'on conflict do nothing');
}

/** Updates every listed column from `excluded` on conflict. */
export const upsertClause = (key: readonly string[], columns: readonly Column[]): string =>
  `on conflict (${key.join(', ')}) do update set ${columns.filter((c) => !key.includes(c.name)).map((c) => `${c.name} = excluded.${c.name}`).join(', ')}`;

/** `account-A1` → `A1`. */
export const accountIdOf = (streamId: string): string => (streamId.startsWith('account-') ? streamId.slice('account-'.length) : streamId);

type Timed = { readonly at?: unknown; readonly timestamp?: unknown };

/** The time the event describes: its `at` or `timestamp` when it has one, else when it occurred. */
export function eventTime(event: RecordedEvent): Date {
  const data = event.data as Timed;
  const text = typeof data.at === 'string' ? data.at : typeof data.timestamp === 'string' ? data.timestamp : undefined;
  const parsed = text === undefined ? NaN : Date.parse(text);
  return Number.isNaN(parsed) ? event.occurredAt : new Date(parsed);
}

export const iso = (date: Date): string => date.toISOString();

export const big = (value: unknown): bigint | null => (typeof value === 'bigint' ? value : typeof value === 'number' ? BigInt(value) : typeof value === 'string' && value !== '' ? BigInt(value) : null);

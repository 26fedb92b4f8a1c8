// Small helpers the read models share: bulk inserts through unnest (one round trip per table per batch)
// and reading the common fields of events.
import type { RecordedEvent } from '../../domain/ports/event-store.ts';
import { assertIdentifier } from '../engine/schema.ts';
import type { ProjectionTarget, SqlExecutor } from '../engine/types.ts';

/** A column of a bulk insert: its name, the SQL type of its array parameter, and optionally how to cast it. */
export interface Column {
  readonly name: string;
  readonly type: string;
  /** An SQL expression over `{}` (the unnested value), e.g. `{}::jsonb`. */
  readonly expr?: string;
}

export const col = (name: string, type: string, expr?: string): Column => ({ name, type, expr });

/** Cell values as the drivers take them: bigints go as text, cast back by the array type. */
export type Cell = string | number | boolean | bigint | null;
const cell = (value: Cell): string | number | boolean | null => (typeof value === 'bigint' ? value.toString() : value);

export const table = (target: ProjectionTarget, name: string): string => `${assertIdentifier(target.schema)}.${assertIdentifier(name)}`;

/** `insert into <table> (...) select ... from unnest($1::t1[], ...)`, with an optional conflict clause. */
export async function insertRows(tx: SqlExecutor, into: string, columns: readonly Column[], rows: readonly (readonly Cell[])[], conflict = ''): Promise<void> {
  if (rows.length === 0) return;
  const names = columns.map((c) => c.name);
  const params = columns.map((_, i) => rows.map((row) => cell(row[i] ?? null)));
  const unnest = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const select = columns.map((c, i) => (c.expr ? c.expr.replaceAll('{}', `c${i}`) : `c${i}`)).join(', ');
  const alias = columns.map((_, i) => `c${i}`).join(', ');
  await tx.query(`insert into ${into} (${names.join(', ')}) select ${select} from unnest(${unnest}) as u(${alias}) ${conflict}`, params);
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

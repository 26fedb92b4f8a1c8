// Opaque cursors: base64url of the sort key of the last row a page returned. A malformed cursor is a
// client error with a code, never a server crash.
import { ValidationError } from '../domain/shared/errors.ts';

export const encodeCursor = (parts: readonly string[]): string => Buffer.from(JSON.stringify(parts)).toString('base64url');

export function decodeCursor(cursor: string | null | undefined, arity: number): string[] | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && parts.length === arity && parts.every((p) => typeof p === 'string' && p.length <= 200)) return parts as string[];
  } catch { /* fall through */ }
  throw new ValidationError('GRAPHQL.BAD_CURSOR', 'the after cursor is not one this API issued');
}

export interface Page<T> {
  readonly nodes: readonly T[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
}

/** Rows fetched with limit first + 1: the extra row only says there is a next page. */
export function pageOf<Row, T>(rows: readonly Row[], first: number, key: (row: Row) => readonly string[], present: (row: Row) => T): Page<T> {
  const kept = rows.slice(0, first);
  const last = kept.at(-1);
  return { nodes: kept.map(present), pageInfo: { hasNextPage: rows.length > first, endCursor: last === undefined ? null : encodeCursor(key(last)) } };
}

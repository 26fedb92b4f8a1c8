// The slice of the SQL client the read API needs, and the schema its read models live in.
import { ValidationError } from '../domain/shared/errors.ts';

export interface ReadSql {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: Row[] }>;
}

export type Row = Record<string, unknown>;

const SAFE = /^[a-z_][a-z0-9_]{0,62}$/;

/** `read.<table>` for the live read models (a test may point at another schema). */
export function tableIn(schema: string): (name: string) => string {
  if (!SAFE.test(schema)) throw new Error(`unsafe schema name ${JSON.stringify(schema)}`);
  return (name) => `${schema}.${name}`;
}

export function instant(value: string, argument: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ValidationError('GRAPHQL.BAD_TIME', `${argument} must be an ISO 8601 instant, got ${JSON.stringify(value.slice(0, 40))}`, { argument });
  return new Date(ms).toISOString();
}

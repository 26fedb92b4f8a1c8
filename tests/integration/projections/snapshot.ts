// Every row of every read-model table, in a stable order, for row-for-row comparisons.
import type { Projection, ReadModelSql } from '../../../projections/index.ts';

export async function snapshotReadModels(sql: ReadModelSql, projections: readonly Projection[], schema = 'read'): Promise<Map<string, string[]>> {
  const tables = new Map<string, string[]>();
  for (const projection of projections) {
    for (const table of projection.tables) {
      const { rows } = await sql.query<{ row: string }>(`select t::text as row from ${schema}.${table} t order by 1`);
      tables.set(table, rows.map((r) => r.row));
    }
  }
  return tables;
}

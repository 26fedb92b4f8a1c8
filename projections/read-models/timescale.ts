// The TimescaleDB switch: on TimescaleDB a time-series table becomes a hypertable with compression and
// retention; on plain PostgreSQL (CI, PGlite) nothing is added and the same queries work on the table.
import type { ProjectionTarget } from '../engine/types.ts';
import { table } from './support.ts';

export interface SeriesPolicy {
  readonly compressAfter: string;
  readonly dropAfter: string | undefined;
}

/** Statements (each prefixed with `;`) to append to a migration after the table is created. */
export function timescaleSeries(target: ProjectionTarget, name: string, timeColumn: string, segmentBy: string, policy: SeriesPolicy): string {
  if (!target.features.timescale) return '';
  const regclass = `'${table(target, name)}'`;
  const statements = [
    `select create_hypertable(${regclass}, '${timeColumn}', if_not_exists => true, migrate_data => true)`,
    `alter table ${table(target, name)} set (timescaledb.compress, timescaledb.compress_segmentby = '${segmentBy}')`,
    `select add_compression_policy(${regclass}, interval '${policy.compressAfter}', if_not_exists => true)`,
  ];
  if (policy.dropAfter) statements.push(`select add_retention_policy(${regclass}, interval '${policy.dropAfter}', if_not_exists => true)`);
  return statements.map((s) => `;\n${s}`).join('');
}

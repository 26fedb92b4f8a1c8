// A database that refuses some appends, as a revoked grant, a full tablespace or an operator's check would:
// a trigger on the event store's table raises `message` for the rows `when` matches. Real PostgreSQL (or
// PGlite) refusing a real statement, so the store's own error path is what a test sees.
import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../../infra/sql/client.ts';

export interface Refusal {
  /** The event store's schema. */
  readonly schema: string;
  /** A condition on `new` (the row being inserted), e.g. `new.stream_id = 'x'`. */
  readonly when: string;
  /** The database's error message (no single quotes). */
  readonly message: string;
}

/** Installs the refusal; the function returned takes it away again. */
export async function refuseInserts(sql: Pick<SqlClient, 'exec'>, { schema, when, message }: Refusal): Promise<() => Promise<void>> {
  const name = `refuse_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await sql.exec(`
    create function ${schema}.${name}() returns trigger language plpgsql as $$
    begin raise exception '${message}'; end $$;
    create trigger ${name} before insert on ${schema}.events for each row when (${when}) execute function ${schema}.${name}();`);
  return () => sql.exec(`drop trigger ${name} on ${schema}.events; drop function ${schema}.${name}()`);
}

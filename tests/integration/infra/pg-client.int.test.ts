// The PostgreSQL client's pool: a service keeps its connections through a quiet spell (the first requests
// after it would otherwise pay new connections and re-prepare their statements); short-lived clients
// let idle ones go.
import { describe, expect, it } from 'vitest';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { postgresService, TEST_DATABASE_URL } from '../../support/services.ts';

const pgService = await postgresService();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function backendAfterQuietSpell(options: { idleTimeoutMs?: number | 'never' }, quietMs: number): Promise<{ before: number; after: number }> {
  const sql = createPgClient({ connectionString: TEST_DATABASE_URL, max: 1, ...options });
  try {
    const pid = async () => Number((await sql.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid);
    const before = await pid();
    await sleep(quietMs);
    return { before, after: await pid() };
  } finally {
    await sql.close();
  }
}

describe.skipIf(!pgService.available)(`PostgreSQL client pool${pgService.skipReason}`, () => {
  it('keeps the same connection through a quiet spell longer than the default idle timeout when told never to drop it', async () => {
    const { before, after } = await backendAfterQuietSpell({ idleTimeoutMs: 'never' }, 10_500);
    expect(after).toBe(before);
  }, 20_000);

  it('lets an idle connection go after its idle timeout otherwise', async () => {
    const { before, after } = await backendAfterQuietSpell({ idleTimeoutMs: 100 }, 400);
    expect(after).not.toBe(before);
  });
});

// Opens the backends the configuration names: the event store and the SQL database for read models.
// In embedded mode one PGlite database under DATA_DIR holds both. The client libraries of backends the
// configuration does not name (PGlite, Redis, EventStoreDB) are not even imported: a restart pays only
// for what it opens.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { EventStore } from '../../domain/ports/event-store.ts';
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import type { SnapshotStore } from '../../domain/ports/snapshot-store.ts';
import { createMemoryKeyValueStore } from '../cache/memory.ts';
import { createSqlKeyValueStore } from '../cache/sql.ts';
import type { Config } from '../config/config.ts';
import { PostgresEventStore } from '../event-store/postgres.ts';
import { createSqlSnapshotStore } from '../event-store/snapshots.ts';
import { asLedgerEventStore } from '../event-store/upcasting.ts';
import type { ReadinessCheck } from '../http/app.ts';
import type { Logger } from '../logging/logger.ts';
import type { SqlClient } from '../sql/client.ts';
import { createPgClient } from '../sql/pg-client.ts';

export interface Backends {
  readonly eventStore: EventStore;
  /** The database that holds the read models (schema `read`). */
  readonly sql: SqlClient;
  /** Cache, idempotency records, rate limits, latest quotes: Redis, or in-process when REDIS_URL is unset. */
  readonly keyValue: KeyValueStore;
  /**
   * Checkpoints of the processes that follow the log (paper broker, stop sweep, signal engine), in the SQL
   * database in every mode (table `ledger.key_values`): a restart resumes from them whether or not Redis
   * keeps its data, and in embedded mode at all.
   */
  readonly checkpoints: KeyValueStore;
  /**
   * Snapshots of account states (table `snapshots` beside the events: schema `es`, or `ledger` when events
   * live in EventStoreDB); undefined with SNAPSHOT_EVERY=0. Pass them to the trading services with snapshotEvery.
   */
  readonly snapshots: SnapshotStore | undefined;
  readonly readiness: ReadinessCheck[];
  close(): Promise<void>;
}

export async function openBackends(config: Config, logger: Logger): Promise<Backends> {
  const closers: Array<() => Promise<void>> = [];
  const readiness: ReadinessCheck[] = [];
  try {
    const sql = await openSql(config, logger);
    closers.push(() => sql.close());
    readiness.push({ name: 'database', check: async () => { await sql.query('select 1'); return sql.dialect; } });

    const eventStore = asLedgerEventStore(await openEventStore(config, sql));
    closers.push(() => eventStore.close());
    readiness.push({ name: 'event-store', check: async () => `${config.eventStore}, head ${String(await eventStore.headPosition() ?? 'empty')}` });

    const keyValue = config.redisUrl ? (await import('../cache/redis.ts')).createRedisKeyValueStore(config.redisUrl) : createMemoryKeyValueStore();
    closers.push(() => keyValue.close());
    readiness.push({ name: 'cache', check: async () => { await keyValue.get('readyz'); return config.redisUrl ? 'redis' : 'in-process'; } });

    const checkpoints = await createSqlKeyValueStore(sql);
    const snapshots = config.snapshotEvery === 0 ? undefined : await createSqlSnapshotStore(sql, { schema: config.eventStore === 'eventstoredb' ? 'ledger' : 'es' });

    return {
      eventStore,
      sql,
      keyValue,
      checkpoints,
      snapshots,
      readiness,
      async close() {
        for (const close of closers.reverse()) await close().catch((error: unknown) => logger.warn({ err: error }, 'closing a backend failed'));
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

async function openSql(config: Config, logger: Logger): Promise<SqlClient> {
  if (config.databaseUrl) {
    logger.info({ database: redact(config.databaseUrl) }, 'using PostgreSQL');
    return createPgClient({ connectionString: config.databaseUrl, idleTimeoutMs: 'never' });
  }
  const dir = path.join(config.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  logger.info({ dir }, 'using embedded PGlite');
  const { createPgliteClient } = await import('../sql/pglite-client.ts');
  return createPgliteClient(dir);
}

async function openEventStore(config: Config, sql: SqlClient): Promise<EventStore> {
  switch (config.eventStore) {
    case 'pglite':
    case 'postgres':
      return PostgresEventStore.create(sql);
    case 'eventstoredb': {
      const { createEventStoreDbEventStore } = await import('../event-store/eventstoredb.ts');
      return createEventStoreDbEventStore(config.eventStoreUrl!);
    }
  }
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');

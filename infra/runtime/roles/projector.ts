// The projector role: every projection, applied from the event store into the read-model database
// (schema `read`), one active instance per projection across processes. On the PostgreSQL event store
// lag is counted in SQL (no decoding); other stores use the generic probe.
import { InstrumentRegistry, marketHoursOptions } from '../../../commands/market-data/instruments.ts';
import type { EventFilter } from '../../../domain/ports/event-store.ts';
import { ALL_PROJECTIONS, startProjector, type LagProbe } from '../../../projections/index.ts';
import type { Config } from '../../config/config.ts';
import { registerDeskStateMetrics } from '../../metrics/desk-state.ts';
import type { SqlClient } from '../../sql/client.ts';
import { registerRole } from '../roles.ts';

/** The schema `openBackends` gives the PostgreSQL event store. */
export const EVENT_STORE_SCHEMA = 'es';

const usesSqlStore = (config: Config) => config.eventStore === 'postgres' || config.eventStore === 'pglite';

function filterSql(filter: EventFilter | undefined, first: number): [string, unknown[]] {
  return filter?.eventTypes ? [`and type = any($${first}::text[])`, [[...filter.eventTypes]]] : ['', []];
}

/** Bounded count of the events after a checkpoint, and the oldest one's record time, in one query. */
export const postgresLagProbe = (sql: SqlClient, schema = EVENT_STORE_SCHEMA): LagProbe => async (after, filter, bound) => {
  const [where, params] = filterSql(filter, 3);
  const { rows } = await sql.query<{ n: string; oldest: Date | null }>(
    `select count(*)::text as n, min(recorded_at) as oldest from (
       select recorded_at from ${schema}.events where position > $1::bigint ${where} order by position limit $2) e`,
    [(after ?? -1n).toString(), bound + 1, ...params],
  );
  const n = Number(rows[0]?.n ?? 0);
  return { events: Math.min(n, bound), capped: n > bound, oldestRecordedAt: rows[0]?.oldest ? new Date(rows[0].oldest) : undefined };
};

/** How many events a rebuild will replay, for its ETA. */
export const postgresEventCounter = (sql: SqlClient, schema = EVENT_STORE_SCHEMA) => async (filter: EventFilter | undefined): Promise<number> => {
  const [where, params] = filterSql(filter, 1);
  const { rows } = await sql.query<{ n: string }>(`select count(*)::text as n from ${schema}.events where true ${where}`, params);
  return Number(rows[0]?.n ?? 0);
};

registerRole('projector', async ({ config, logger, metrics, backends }) => {
  const log = logger.child({ role: 'projector' });
  // For nicegold_market_open: the sessions the ingest role enforces, so MARKET_HOURS=always-open (where it
  // takes ticks at any hour) keeps every market open here too. Only read: listing is the ingest role's.
  const instruments = await InstrumentRegistry.load(backends.eventStore, marketHoursOptions(config.marketHours));
  instruments.follow((error) => log.error({ err: error }, 'instrument spec subscription failed'));
  const projector = await startProjector({
    sql: backends.sql,
    store: backends.eventStore,
    projections: ALL_PROJECTIONS,
    lagProbe: usesSqlStore(config) ? postgresLagProbe(backends.sql) : undefined,
    gauges: { lagEvents: metrics.projectionLagEvents, lagSeconds: metrics.projectionLagSeconds },
    logger: log,
  }).catch(async (error: unknown) => {
    await instruments.close();
    throw error;
  });
  // Stops, trading states, quote age and refused fills for the alert rules, read from the read models at
  // each scrape, and which markets are open (the stale-quote alert waits for a closed market to open).
  registerDeskStateMetrics(metrics, backends.sql, {
    instruments,
    onError: (error) => log.warn({ err: error }, 'desk state for /metrics could not be read'),
  });
  return {
    async stop() {
      await projector.stop();
      await instruments.close();
    },
  };
});

export { usesSqlStore };

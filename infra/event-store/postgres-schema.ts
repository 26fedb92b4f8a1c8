// Schema of the PostgreSQL event store: one row per event. The unique (stream_id, revision) index is the
// optimistic lock: two writers expecting the same revision both try to insert the same next revision,
// and exactly one wins. An append is therefore one INSERT statement, about as cheap as a raw insert.
//
// Global positions are (writer transaction id << 20) + index within the append, so positions follow
// transaction ids. A reader reads only below the oldest transaction that may still commit events (the
// horizon), and so can never see an event commit later with a lower position than one it has seen.
//
// Appenders take a shared advisory lock (one key per schema) before their transaction gets an id (see
// appendSql); the horizon is then the oldest transaction of the reader's snapshot that is still running
// as an appender to this store or has finished since the snapshot. A long transaction that writes no
// events (a projection rebuild, a report) holds no one up, and an unknown running transaction is treated
// as an appender: the rule errs towards waiting, never towards skipping.
import { ORDER_LIFE_EVENT_TYPES } from '../../domain/trading/account/index.ts';
import { quoteIdent } from '../sql/client.ts';

export const POSITION_SHIFT = 20n; // up to 2^20 - 1 events per append (validation caps it far lower)
export const REVISION_INDEX = 'events_stream_revision_key';
export const EVENT_ID_INDEX = 'events_event_id_key';

/**
 * The order lifecycle events of a stream by order id (readOrderEvents): finished orders are not kept in
 * the account's state and are read back through it. Partial on the event type, so a tick's insert pays
 * only the type comparison; the same predicate goes into the query so the planner can use it.
 */
export const ORDER_EVENTS_PREDICATE = `type in (${ORDER_LIFE_EVENT_TYPES.map((t) => `'${t}'`).join(', ')})`;
const APPENDER_LOCK_CLASS = 0x4e47;

/**
 * The advisory lock key pair every appender to this schema's store holds in shared mode for its
 * transaction: a fixed class and a hash of the schema name, so the stores of other schemas (and, as
 * the horizon also checks the database, of other databases) never hold up this store's readers. Two
 * schemas whose names collide on the hash only make each other's readers wait a little longer.
 */
export function appenderLock(schema: string): readonly [number, number] {
  let hash = 0x811c9dc5; // FNV-1a, 31 bits: pg_locks shows the key as an unsigned oid
  for (let i = 0; i < schema.length; i += 1) hash = Math.imul(hash ^ schema.charCodeAt(i), 0x01000193);
  return [APPENDER_LOCK_CLASS, (hash >>> 0) & 0x7fffffff];
}

export function eventStoreSchemaSql(schema: string): string {
  const s = quoteIdent(schema);
  return `
create schema if not exists ${s};
create table if not exists ${s}.events (
  position bigint primary key,
  event_id uuid not null constraint ${EVENT_ID_INDEX} unique,
  stream_id text not null,
  revision bigint not null,
  type text not null,
  schema_version smallint not null,
  data json not null,
  metadata json not null,
  occurred_at timestamptz not null,
  recorded_at timestamptz not null default now(),
  constraint ${REVISION_INDEX} unique (stream_id, revision)
);
create index if not exists events_order_events on ${s}.events (stream_id, (data->>'orderId'), revision) where ${ORDER_EVENTS_PREDICATE};
drop function if exists ${s}.append(text, bigint, uuid[], text[], smallint[], text[], text[], timestamptz[], text);
`;
}

export type AppendKind = 'revision' | 'no_stream' | 'any' | 'stream_exists';

/**
 * The revision the new events follow, by expectation; no row when the expectation does not hold (then
 * nothing is inserted). A racer that passes the same check loses on the unique (stream, revision) index.
 */
const BASE_REVISION: Record<AppendKind, (events: string) => string> = {
  revision: (e) => `select $8::bigint as revision where exists (select 1 from ${e} where stream_id = $1 and revision = $8::bigint)`,
  no_stream: (e) => `select -1::bigint as revision where not exists (select 1 from ${e} where stream_id = $1)`,
  any: (e) => `select coalesce(max(revision), -1) as revision from ${e} where stream_id = $1`,
  stream_exists: (e) => `select max(revision) as revision from ${e} where stream_id = $1 having max(revision) is not null`,
};

const INSERT_COLUMNS = 'position, event_id, stream_id, revision, type, schema_version, data, metadata, occurred_at';

/**
 * The FROM item every append statement starts with: the appenders' lock is taken in its innermost FROM
 * item, so before the transaction id is asked for around it (subqueries with volatile functions are
 * never pulled up or reordered), once per statement. `first_position` is where its events start.
 */
const appenderFrom = (schema: string): string => {
  const lock = appenderLock(schema);
  return `(
    select pg_current_xact_id()::text::bigint << ${POSITION_SHIFT} as first_position
    from (select pg_advisory_xact_lock_shared(${lock[0]}, ${lock[1]})) as locked
  ) as appender`;
};

/** True when stream `s` has an event after revision `rv` (-1: any event): it moved on since it was read. */
export const movedPast = (events: string, s: string, rv: string): string =>
  `exists (select 1 from ${events} where stream_id = ${s} and revision > ${rv})`;

/**
 * One append, one statement. Parameters: $1 stream, $2..$7 the events' ids, types, schema versions, data,
 * metadata and occurrence times, and for 'revision' $8 the expected revision.
 * - 'many': $2..$7 are arrays, but data and metadata each one JSON array text (the encoded payloads
 *   joined, nothing to escape); one row back, the last revision and position, through a data-modifying
 *   CTE (cheaper than a row per event).
 * - 'one': $2..$7 are the single event's values, with plain RETURNING (cheaper still).
 * With `dependent`, two more parameters after those: the streams the append depends on and their
 * revisions (-1: no events), AppendOptions.unchanged; if any of them moved on, nothing is inserted.
 */
export function appendSql(schema: string, kind: AppendKind, shape: 'one' | 'many' = 'many', dependent = false): string {
  const events = `${quoteIdent(schema)}.events`;
  const next = kind === 'revision' ? 9 : 8;
  const holds = dependent
    ? `where not exists (select 1 from unnest($${next}::text[], $${next + 1}::bigint[]) as g(s, rv) where ${movedPast(events, 'g.s', 'g.rv')})`
    : '';
  if (shape === 'one') {
    return `insert into ${events} (${INSERT_COLUMNS})
select appender.first_position, $2::uuid, $1, base.revision + 1, $3::text, $4::smallint, $5::json, $6::json, $7::timestamptz
from ${appenderFrom(schema)}, (${BASE_REVISION[kind](events)}) as base
${holds}
returning revision::text, position::text`;
  }
  return `with written as (insert into ${events} (${INSERT_COLUMNS})
select appender.first_position + u.ord - 1, u.id, $1, base.revision + u.ord, u.t, u.v, u.d, u.m, u.o
from ${appenderFrom(schema)},
  (${BASE_REVISION[kind](events)}) as base,
  rows from (unnest($2::uuid[], $3::text[], $4::smallint[], $7::timestamptz[]), json_array_elements($5::json), json_array_elements($6::json))
    with ordinality as u(id, t, v, o, d, m, ord)
${holds}
returning revision, position)
select max(revision)::text as revision, max(position)::text as position from written having count(*) > 0`;
}

/**
 * The horizon as a position: events below it are final. See the header for the rule.
 *
 * The statement's snapshot is taken before anything runs; the lock table is then read once (one
 * materialized scan of pg_locks, a consistent view) and both "who is running" (each transaction's
 * exclusive lock on its own id) and "who is an appender" come from that same read. Reading them from two
 * views at two moments let an appender that committed in between pass for a running non-appender, and a
 * reader skipped its events. At commit a transaction releases its id lock before its advisory locks, so
 * a view that shows the id lock of an appender also shows its appender lock.
 */
export const horizonCte = (schema: string): string => {
  const lock = appenderLock(schema);
  return `
snap as materialized (select pg_current_snapshot() as s),
locks as materialized (
  select locktype, database, pid, transactionid::text::bigint as xid32, classid, objid, objsubid, mode, granted
  from pg_locks where locktype in ('advisory', 'transactionid')
),
appender_pids as (
  select pid from locks
  where locktype = 'advisory' and classid = ${lock[0]} and objid = ${lock[1]} and objsubid = 2 and pid is not null
    and database = (select oid from pg_database where datname = current_database())
),
running_non_appenders as (
  select xid32 from locks
  where locktype = 'transactionid' and mode = 'ExclusiveLock' and granted
    and pid is not null and pid not in (select pid from appender_pids)
),
blocking as (
  select x::text::bigint as xid from snap, pg_snapshot_xip(snap.s) as x
  where (x::text::bigint & 4294967295) not in (select xid32 from running_non_appenders)
),
h as (
  select (least(coalesce((select min(xid) from blocking), pg_snapshot_xmax(s)::text::bigint), pg_snapshot_xmax(s)::text::bigint)
    << ${POSITION_SHIFT}) as horizon
  from snap
)`;
};

/**
 * The horizon on PGlite: one backend, and every statement (a transaction from BEGIN to COMMIT) runs
 * alone under PGlite's transaction mutex, so while a read runs no transaction is in flight and every
 * event below the snapshot's xmax is committed. Reading pg_locks and pg_stat_activity there cost ~45 ms
 * a read, some 20 reads a second in the idle demo: the whole of a core.
 */
export const SINGLE_BACKEND_HORIZON_CTE = `h as (select pg_snapshot_xmax(pg_current_snapshot())::text::bigint << ${POSITION_SHIFT} as horizon)`;

/** The expectation kinds as the grouped append's $2 array codes them. */
export const KIND_CODE: Record<AppendKind, number> = { revision: 0, no_stream: 1, any: 2, stream_exists: 3 };

/**
 * Several appends to distinct streams, one statement, one commit (group commit). Parameters: $1 the
 * streams, $2 their expectation kinds (KIND_CODE), $3 their expected revisions (null unless 'revision');
 * then per event, flattened in append order: $4 which append it belongs to (1-based), $5 its index within
 * that append (1-based), $6..$11 ids, types, schema versions, data, metadata (each one JSON array text)
 * and occurrence times. The streams appends were decided on (AppendOptions.unchanged): $14 and $15 each
 * distinct (stream, revision) once, -1 for "no events", and $12 / $13 which append depends on which of
 * them (1-based indexes into both). An append that depends on a stream that moved past its revision goes
 * the way of one whose expectation fails: nothing of it is inserted.
 *
 * Answers one row per stream written: its last revision and position. An append whose expectation does
 * not hold inserts nothing and has no row; the others go in. A 'revision' append also checks that the
 * next revision is free, so a stale expectation is a missing row, not a unique violation that would fail
 * the whole group. Positions run on across the whole statement.
 */
export function groupAppendSql(schema: string): string {
  const events = `${quoteIdent(schema)}.events`;
  return `with moved as materialized (
  select dep.n from unnest($12::int[], $13::int[]) as dep(n, gi)
  join (select g.gi from unnest($14::text[], $15::bigint[]) with ordinality as g(s, rv, gi)
        where ${movedPast(events, 'g.s', 'g.rv')}) as changed on changed.gi = dep.gi
),
written as (insert into ${events} (${INSERT_COLUMNS})
select appender.first_position + u.ord - 1, u.id, r.s, base.revision + u.k, u.t, u.v, u.d, u.m, u.o
from ${appenderFrom(schema)},
  unnest($1::text[], $2::smallint[], $3::bigint[]) with ordinality as r(s, kind, exp, n)
  cross join lateral (
    select case r.kind
      when 0 then (select r.exp where exists (select 1 from ${events} where stream_id = r.s and revision = r.exp)
                                  and not exists (select 1 from ${events} where stream_id = r.s and revision = r.exp + 1))
      when 1 then (select -1::bigint where not exists (select 1 from ${events} where stream_id = r.s))
      when 2 then (select coalesce(max(revision), -1) from ${events} where stream_id = r.s)
      else (select max(revision) from ${events} where stream_id = r.s)
    end as revision
    offset 0 -- kept a subquery: pulled up, its CASE (two index probes) ran again for the filter
  ) as base
  join rows from (unnest($4::int[], $5::int[], $6::uuid[], $7::text[], $8::smallint[], $11::timestamptz[]), json_array_elements($9::json), json_array_elements($10::json))
    with ordinality as u(req, k, id, t, v, o, d, m, ord) on u.req = r.n
where base.revision is not null and not exists (select 1 from moved where moved.n = r.n)
returning stream_id, revision, position)
select stream_id, max(revision)::text as revision, max(position)::text as position from written group by stream_id`;
}

// read.control_states: per scope (global, instrument, account) whether an emergency stop is engaged, by
// whom and why, the pending release request and the trading gate. read.account_trading_states: each
// account's ACTIVE / REDUCING / HALTED state. read.control_events: the history of both.
// Control events are rare, so each one is one statement, in log order.
import type { RecordedEvent } from '../../domain/ports/event-store.ts';
import type { TradingStateChanged as AccountStateChanged } from '../../domain/trading/account/events.ts';
import type { ControlEvent } from '../../domain/trading/control/events.ts';
import type { ControlScope } from '../../domain/trading/control/scope.ts';
import type { Projection, ProjectionTarget, SqlExecutor } from '../engine/types.ts';
import { accountIdOf, col, eventTime, appendRows, iso, table, type Cell } from './support.ts';

const schema = (t: ProjectionTarget) => `
create table if not exists ${table(t, 'control_states')} (
  scope_key text primary key,
  kind text not null,
  symbol text,
  account_id text,
  trading_state text not null default 'ACTIVE',
  stop_engaged boolean not null default false,
  stop_reason text,
  engaged_by text,
  engaged_at timestamptz,
  release_requested_by text,
  release_requested_at timestamptz,
  release_reason text,
  released_by text,
  released_at timestamptz,
  updated_at timestamptz not null,
  last_position bigint not null
);
create table if not exists ${table(t, 'account_trading_states')} (
  account_id text primary key,
  state text not null,
  previous_state text not null,
  reason text not null,
  reason_code text,
  changed_by text not null,
  changed_by_role text not null,
  at timestamptz not null,
  last_position bigint not null
);
create table if not exists ${table(t, 'control_events')} (
  position bigint primary key,
  stream_id text not null,
  scope_key text not null,
  type text not null,
  from_state text,
  to_state text,
  reason text,
  reason_code text,
  actor_user text,
  actor_role text,
  at timestamptz not null
);
create index if not exists control_events_scope_time on ${table(t, 'control_events')} (scope_key, at desc)`;

export const scopeKey = (scope: ControlScope): string =>
  scope.kind === 'global' ? 'global' : scope.kind === 'instrument' ? `instrument:${scope.symbol}` : `account:${scope.accountId}`;

const isAccountState = (e: RecordedEvent): boolean => e.type === 'TradingStateChanged' && e.streamId.startsWith('account-');

// Each stop event sets its own columns: $2 reason, $3 actor, $4 time; a trading state change sets $2 the state.
const STOP_UPDATES: Record<ControlEvent['type'], string> = {
  EmergencyStopEngaged: `stop_engaged = true, stop_reason = $2, engaged_by = $3, engaged_at = $4, release_requested_by = null, release_requested_at = null, release_reason = null`,
  EmergencyStopReleaseRequested: `release_requested_by = $3, release_requested_at = $4, release_reason = $2`,
  EmergencyStopReleased: `stop_engaged = false, released_by = $3, released_at = $4, release_reason = $2, release_requested_by = null, release_requested_at = null`,
  TradingStateChanged: `trading_state = $2`,
};

async function applyControl(tx: SqlExecutor, target: ProjectionTarget, e: RecordedEvent): Promise<void> {
  const event = e as unknown as ControlEvent;
  const { scope, reason, actor, at } = event.data;
  const key = scopeKey(scope);
  await tx.query(
    `insert into ${table(target, 'control_states')} (scope_key, kind, symbol, account_id, updated_at, last_position)
     values ($1, $2, $3, $4, $5, $6::bigint)
     on conflict (scope_key) do update set updated_at = excluded.updated_at, last_position = excluded.last_position`,
    [key, scope.kind, scope.kind === 'instrument' ? scope.symbol : null, scope.kind === 'account' ? scope.accountId : null, at, e.globalPosition.toString()],
  );
  const params = event.type === 'TradingStateChanged' ? [key, event.data.to] : [key, reason, actor.userId, at];
  await tx.query(`update ${table(target, 'control_states')} set ${STOP_UPDATES[event.type]} where scope_key = $1`, params);
}

async function applyAccountState(tx: SqlExecutor, target: ProjectionTarget, e: RecordedEvent): Promise<void> {
  const d = (e as unknown as AccountStateChanged).data;
  await tx.query(
    `insert into ${table(target, 'account_trading_states')} (account_id, state, previous_state, reason, reason_code, changed_by, changed_by_role, at, last_position)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::bigint)
     on conflict (account_id) do update set state = excluded.state, previous_state = excluded.previous_state, reason = excluded.reason,
       reason_code = excluded.reason_code, changed_by = excluded.changed_by, changed_by_role = excluded.changed_by_role, at = excluded.at, last_position = excluded.last_position`,
    [accountIdOf(e.streamId), d.to, d.from, d.reason, d.reasonCode, d.changedBy.userId, d.changedBy.role, d.at, e.globalPosition.toString()],
  );
}

const HISTORY = [
  col('position', 'bigint'), col('stream_id', 'text'), col('scope_key', 'text'), col('type', 'text'), col('from_state', 'text'), col('to_state', 'text'),
  col('reason', 'text'), col('reason_code', 'text'), col('actor_user', 'text'), col('actor_role', 'text'), col('at', 'timestamptz'),
];

function historyRow(e: RecordedEvent): Cell[] {
  if (isAccountState(e)) {
    const d = (e as unknown as AccountStateChanged).data;
    return [e.globalPosition, e.streamId, `account-state:${accountIdOf(e.streamId)}`, e.type, d.from, d.to, d.reason, d.reasonCode, d.changedBy.userId, d.changedBy.role, iso(eventTime(e))];
  }
  const event = e as unknown as ControlEvent;
  const states = event.type === 'TradingStateChanged' ? [event.data.from, event.data.to] : [null, null];
  return [e.globalPosition, e.streamId, scopeKey(event.data.scope), e.type, ...states, event.data.reason, null, event.data.actor.userId, event.data.actor.role, iso(eventTime(e))];
}

export const controlProjection: Projection = {
  name: 'control',
  version: 1,
  eventTypes: ['EmergencyStopEngaged', 'EmergencyStopReleaseRequested', 'EmergencyStopReleased', 'TradingStateChanged'],
  tables: ['control_states', 'account_trading_states', 'control_events'],
  migrations: [{ version: 1, description: 'emergency stops, trading states and their history', up: schema }],
  async apply(batch, tx, target) {
    for (const e of batch) {
      if (isAccountState(e)) await applyAccountState(tx, target, e);
      else if (e.streamId.startsWith('control-')) await applyControl(tx, target, e);
    }
    const known = batch.filter((e) => isAccountState(e) || e.streamId.startsWith('control-'));
    await appendRows(tx, target, 'control_events', HISTORY, known.map(historyRow));
  },
};

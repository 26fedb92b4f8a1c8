// read.risk_decisions: each pre-trade decision with every check (name, passed, observed, limit) as jsonb,
// so a trader sees why an order was denied and compliance sees what was checked when it was accepted.
import type { RecordedEvent } from '../../domain/ports/event-store.ts';
import type { RiskDecisionRecorded } from '../../domain/trading/account/events.ts';
import type { Projection, ProjectionTarget } from '../engine/types.ts';
import { accountIdOf, col, textArray, eventTime, appendRows, iso, table, type Cell } from './support.ts';

const COLUMNS = [
  col('position', 'bigint'), col('account_id', 'text'), col('order_id', 'text'), col('accepted', 'boolean'),
  col('reasons', 'text', 'text[]'), col('checks', 'text', 'jsonb'),
  col('failed_checks', 'integer'), col('at', 'timestamptz'),
];

const schema = (t: ProjectionTarget) => `
create table if not exists ${table(t, 'risk_decisions')} (
  position bigint primary key,
  account_id text not null,
  order_id text not null,
  accepted boolean not null,
  reasons text[] not null,
  checks jsonb not null,
  failed_checks integer not null,
  at timestamptz not null
);
create index if not exists risk_decisions_account_time on ${table(t, 'risk_decisions')} (account_id, at desc);
create index if not exists risk_decisions_order on ${table(t, 'risk_decisions')} (order_id)`;

function row(e: RecordedEvent): Cell[] {
  const d = (e as unknown as RiskDecisionRecorded).data;
  const checks = d.checks.map((c) => ({ name: c.name, passed: c.passed, observed: c.observed, limit: c.limit }));
  return [e.globalPosition, accountIdOf(e.streamId), d.orderId, d.accepted, textArray(d.reasons), JSON.stringify(checks), checks.filter((c) => !c.passed).length, iso(eventTime(e))];
}

export const riskDecisionsProjection: Projection = {
  name: 'risk_decisions',
  version: 1,
  eventTypes: ['RiskDecisionRecorded'],
  tables: ['risk_decisions'],
  migrations: [{ version: 1, description: 'risk decisions with check details', up: schema }],
  async apply(batch, tx, target) {
    await appendRows(tx, target, 'risk_decisions', COLUMNS, batch.map(row));
  },
};

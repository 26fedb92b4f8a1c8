// Read models for signals and model versions (schema `read`): read.signals, one row per SignalGenerated,
// and read.model_versions, one row per registered version with its status and drift count. Shaped as a
// projection of projections/engine (name, version, eventTypes, tables, migrations, apply) so the engine runs
// it with checkpoints and rebuilds; it must be added to ALL_PROJECTIONS in projections/index.ts.
import type { RecordedEvent } from '../../domain/ports/event-store.ts';
import type { ModelEvent, SignalGeneratedData } from '../../domain/signals/index.ts';
import type { Projection, ProjectionTarget, SqlExecutor } from '../engine/types.ts';

const table = (t: ProjectionTarget, name: string) => `"${t.schema}".${name}`;

const schema = (t: ProjectionTarget) => `
create table if not exists ${table(t, 'signals')} (
  event_id uuid primary key,
  model text not null,
  version integer not null,
  symbol text not null,
  score double precision not null,
  direction text not null,
  shadow boolean not null,
  feature_spec_digest text not null,
  features_digest text not null,
  features jsonb not null,
  inference_micros integer not null,
  tick_event_id text not null,
  mid bigint not null,
  at timestamptz not null,
  position bigint not null
);
create index if not exists signals_model_time on ${table(t, 'signals')} (model, at desc);
create index if not exists signals_symbol_time on ${table(t, 'signals')} (symbol, at desc);
create table if not exists ${table(t, 'model_versions')} (
  name text not null,
  version integer not null,
  status text not null,
  sha256 text not null,
  feature_spec_digest text not null,
  feature_spec jsonb not null,
  metrics jsonb not null,
  training_window jsonb not null,
  artefact_location text not null,
  registered_at timestamptz not null,
  promoted_at timestamptz,
  retired_at timestamptz,
  retire_reason text,
  drift_detections integer not null default 0,
  last_max_psi double precision,
  primary key (name, version)
)`;

const SIGNAL_COLUMNS = 15;

async function insertSignals(tx: SqlExecutor, t: ProjectionTarget, events: readonly RecordedEvent[]): Promise<void> {
  if (events.length === 0) return;
  const params: unknown[] = [];
  const rows = events.map((e, i) => {
    const d = e.data as unknown as SignalGeneratedData;
    params.push(e.eventId, d.model, d.version, d.symbol, d.score, d.direction, d.shadow, d.featureSpecDigest, d.featuresDigest,
      JSON.stringify(d.features), d.inferenceMicros, d.tick.eventId, d.tick.mid, d.tick.timestamp, e.globalPosition.toString());
    return `(${Array.from({ length: SIGNAL_COLUMNS }, (_, j) => `$${i * SIGNAL_COLUMNS + j + 1}`).join(', ')})`;
  });
  await tx.query(`insert into ${table(t, 'signals')} values ${rows.join(', ')} on conflict (event_id) do nothing`, params);
}

async function applyModelEvent(tx: SqlExecutor, t: ProjectionTarget, e: RecordedEvent): Promise<void> {
  const event = { type: e.type, data: e.data } as unknown as ModelEvent;
  const versions = table(t, 'model_versions');
  const at = e.occurredAt.toISOString();
  switch (event.type) {
    case 'ModelVersionRegistered': {
      const d = event.data;
      await tx.query(
        `insert into ${versions} (name, version, status, sha256, feature_spec_digest, feature_spec, metrics, training_window, artefact_location, registered_at)
         values ($1, $2, 'registered', $3, $4, $5, $6, $7, $8, $9) on conflict (name, version) do nothing`,
        [d.name, d.version, d.sha256, d.featureSpecDigest, JSON.stringify(d.featureSpec), JSON.stringify(d.metrics), JSON.stringify(d.trainingWindow), d.artefact.location, at],
      );
      return;
    }
    case 'ModelVersionPromoted':
      await tx.query(`update ${versions} set status = 'registered' where name = $1 and status = 'champion'`, [event.data.name]);
      await tx.query(`update ${versions} set status = 'champion', promoted_at = $3 where name = $1 and version = $2`, [event.data.name, event.data.version, at]);
      return;
    case 'ShadowStarted':
      await tx.query(`update ${versions} set status = 'registered' where name = $1 and status = 'challenger'`, [event.data.name]);
      await tx.query(`update ${versions} set status = 'challenger' where name = $1 and version = $2`, [event.data.name, event.data.version]);
      return;
    case 'ModelVersionRetired':
      await tx.query(`update ${versions} set status = 'retired', retired_at = $3, retire_reason = $4 where name = $1 and version = $2`, [event.data.name, event.data.version, at, event.data.reason]);
      return;
    case 'ModelDriftDetected':
      await tx.query(`update ${versions} set drift_detections = drift_detections + 1, last_max_psi = $3 where name = $1 and version = $2`, [event.data.name, event.data.version, event.data.maxPsi]);
      return;
  }
}

export const signalsProjection: Projection = {
  name: 'signals',
  version: 1,
  eventTypes: ['SignalGenerated', 'ModelVersionRegistered', 'ModelVersionPromoted', 'ShadowStarted', 'ModelVersionRetired', 'ModelDriftDetected'],
  tables: ['signals', 'model_versions'],
  migrations: [{ version: 1, description: 'signals and model versions', up: schema }],
  async apply(batch, tx, target) {
    // Signals are inserted in runs between model events, so a version's status changes stay in log order.
    let run: RecordedEvent[] = [];
    for (const event of batch) {
      if (event.type === 'SignalGenerated') { run.push(event); continue; }
      await insertSignals(tx, target, run);
      run = [];
      await applyModelEvent(tx, target, event);
    }
    await insertSignals(tx, target, run);
  },
};

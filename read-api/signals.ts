// Signals and model versions: which model, on which features, produced the signal behind an order.
import { iso } from './format.ts';
import { instant, tableIn, type ReadSql, type Row } from './sql.ts';

export interface Signal {
  id: string; model: string; version: number; symbol: string; score: number; direction: string; shadow: boolean;
  featureSpecDigest: string; featuresDigest: string; inferenceMicros: number; tickEventId: string; at: string;
}

export interface ModelVersion {
  name: string; version: number; status: string; sha256: string; featureSpecDigest: string; metrics: string; trainingWindow: string;
  artefactLocation: string; registeredAt: string; promotedAt: string | null; retiredAt: string | null; retireReason: string | null;
  driftDetections: number; lastMaxPsi: number | null;
}

const presentSignal = (r: Row): Signal => ({
  id: r.event_id as string, model: r.model as string, version: Number(r.version), symbol: r.symbol as string, score: Number(r.score),
  direction: r.direction as string, shadow: r.shadow === true, featureSpecDigest: r.feature_spec_digest as string,
  featuresDigest: r.features_digest as string, inferenceMicros: Number(r.inference_micros), tickEventId: r.tick_event_id as string, at: iso(r.at),
});

const optionalIso = (value: unknown) => (value === null || value === undefined ? null : iso(value));

const presentModelVersion = (r: Row): ModelVersion => ({
  name: r.name as string, version: Number(r.version), status: r.status as string, sha256: r.sha256 as string,
  featureSpecDigest: r.feature_spec_digest as string, metrics: JSON.stringify(r.metrics), trainingWindow: JSON.stringify(r.training_window),
  artefactLocation: r.artefact_location as string, registeredAt: iso(r.registered_at), promotedAt: optionalIso(r.promoted_at),
  retiredAt: optionalIso(r.retired_at), retireReason: (r.retire_reason as string | null) ?? null,
  driftDetections: Number(r.drift_detections), lastMaxPsi: r.last_max_psi === null ? null : Number(r.last_max_psi),
});

export class SignalReads {
  private readonly t: (name: string) => string;
  constructor(private readonly sql: ReadSql, schema = 'read') { this.t = tableIn(schema); }

  /** Newest first within [from, to); `shadow` null means champion and challenger alike. */
  async signals(model: string, from: string, to: string, shadow: boolean | null, first: number): Promise<Signal[]> {
    const { rows } = await this.sql.query(
      `select event_id::text, model, version, symbol, score, direction, shadow, feature_spec_digest, features_digest, inference_micros, tick_event_id, at
       from ${this.t('signals')} where model = $1 and at >= $2 and at < $3 and ($4::boolean is null or shadow = $4)
       order by at desc, position desc limit $5`,
      [model, instant(from, 'from'), instant(to, 'to'), shadow, first],
    );
    return rows.map(presentSignal);
  }

  async modelVersions(name: string | null): Promise<ModelVersion[]> {
    const { rows } = await this.sql.query(
      `select * from ${this.t('model_versions')} where ($1::text is null or name = $1) order by name, version`, [name],
    );
    return rows.map(presentModelVersion);
  }
}

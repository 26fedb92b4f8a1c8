import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../domain/ports/event-store.ts';
import { TICK_FEATURES_V1 } from '../../../domain/signals/index.ts';
import { signalsProjection } from '../../../projections/read-models/signals.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { TEST_DATABASE_URL, postgresService, uniqueName } from '../../support/services.ts';

const pg = await postgresService();
let position = 0n;
const recorded = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  eventId: randomUUID(), type, schemaVersion: 1, streamId: 's', revision: 0n, globalPosition: (position += 1n),
  occurredAt: new Date('2026-01-05T10:00:00Z'), recordedAt: new Date(), data: data as RecordedEvent['data'], metadata: {},
});
const registered = (version: number) => recorded('ModelVersionRegistered', {
  name: 'm', version, sha256: String(version).repeat(64), featureSpec: TICK_FEATURES_V1, featureSpecDigest: 'd', inputs: [], outputs: [],
  trainingWindow: { symbol: 'XAUUSD' }, metrics: { auc: 0.6 }, artefact: { location: `m${version}.onnx`, bytes: 1 }, driftReference: [],
});
const signal = (version: number, shadow: boolean) => recorded('SignalGenerated', {
  model: 'm', version, symbol: 'XAUUSD', score: 0.61, direction: 'long', shadow, featureSpecDigest: 'd', featuresDigest: 'f', features: [1.5, -2],
  inferenceMicros: 42, tick: { eventId: randomUUID(), streamId: 'ticks-XAUUSD-20260105', position: '7', timestamp: '2026-01-05T10:00:00.000Z', mid: '234500' },
});

describe.skipIf(!pg.available)(`signals read model${pg.skipReason}`, () => {
  let sql: SqlClient;
  const schema = uniqueName('read_signals');
  const target = { schema, features: { timescale: false } };
  beforeAll(async () => {
    sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    await sql.exec(`create schema ${schema}; ${signalsProjection.migrations[0]!.up(target)}`);
  });
  afterAll(async () => {
    await sql.exec(`drop schema if exists ${schema} cascade`);
    await sql.close();
  });

  it('given registrations, promotions, shadow, drift and signals, then one row per version with its status and one per signal', async () => {
    const batch = [
      registered(1), registered(2), recorded('ModelVersionPromoted', { name: 'm', version: 1, previousChampion: null, reason: '' }), signal(1, false),
      recorded('ShadowStarted', { name: 'm', version: 2, previousChallenger: null }), signal(2, true),
      recorded('ModelDriftDetected', { name: 'm', version: 1, features: [], maxPsi: 0.4, threshold: 0.25, liveSamples: 500, tickEventId: 't' }),
      recorded('ModelVersionPromoted', { name: 'm', version: 2, previousChampion: 1, reason: '' }),
      recorded('ModelVersionRetired', { name: 'm', version: 1, reason: 'drifted' }),
    ];
    await sql.transaction((tx) => signalsProjection.apply(batch, tx, target));
    await sql.transaction((tx) => signalsProjection.apply(batch.slice(3, 4), tx, target)); // redelivered: no second row
    const versions = await sql.query(`select version, status, drift_detections, last_max_psi, retire_reason from ${schema}.model_versions order by version`);
    expect(versions.rows).toEqual([
      { version: 1, status: 'retired', drift_detections: 1, last_max_psi: 0.4, retire_reason: 'drifted' },
      { version: 2, status: 'champion', drift_detections: 0, last_max_psi: null, retire_reason: null },
    ]);
    const signals = await sql.query(`select version, shadow, score, features, mid::text from ${schema}.signals order by position`);
    expect(signals.rows).toEqual([
      { version: 1, shadow: false, score: 0.61, features: [1.5, -2], mid: '234500' },
      { version: 2, shadow: true, score: 0.61, features: [1.5, -2], mid: '234500' },
    ]);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TICK_FEATURES_V1, featureSeries } from '../../../domain/signals/index.ts';
import { featureSpecDigest } from '../../../commands/signals/digest.ts';
import { ModelRegistry } from '../../../commands/signals/registry.ts';
import { SignalEngine } from '../../../commands/signals/signal-engine.ts';
import { syntheticTicks } from '../../../commands/signals/synthetic-ticks.ts';
import { createMemoryKeyValueStore } from '../../../infra/cache/memory.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { onnxRuntime } from '../../../infra/onnx/runtime.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { TEST_DATABASE_URL, postgresService, uniqueName } from '../../support/services.ts';
import { appendTicks, trainedModelFile, waitFor } from './fixtures.ts';

const pg = await postgresService();
const MODEL = 'xauusd_test';
const STREAM = 'signals-xauusd_test-20260105';
const ANALYST = { userId: 'ana', role: 'analyst' };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe.skipIf(!pg.available)(`signal engine on PostgreSQL${pg.skipReason}`, () => {
  let sql: SqlClient;
  let store: PostgresEventStore;
  let dir: string;
  let registry: ModelRegistry;
  const schema = uniqueName('signals');
  const ticks = syntheticTicks({ seed: 7, ticks: 600 });
  const keyValue = createMemoryKeyValueStore();
  const engine = () => new SignalEngine({ eventStore: store, keyValue, registry, models: [MODEL], logger: quiet, batchSize: 50, flushMs: 2 });
  const signals = async () => (await store.readStream(STREAM));
  const countOf = (n: number) => async () => { const s = await signals(); return s.length >= n ? s : undefined; };

  beforeAll(async () => {
    sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    store = await PostgresEventStore.create(sql, { schema });
    dir = await mkdtemp(path.join(os.tmpdir(), 'signals-'));
    registry = new ModelRegistry({ eventStore: store, runtime: onnxRuntime, baseDir: dir });
  });
  afterAll(async () => {
    await store.close();
    await sql.exec(`drop schema if exists ${schema} cascade`);
    await sql.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('scores every tick with a full window with the champion, on the same features training computes, and swaps champions without restart', async () => {
    const first = await trainedModelFile(dir, 11);
    const second = await trainedModelFile(dir, 12);
    const v1 = await registry.register(ANALYST, { name: MODEL, file: first.modelPath });
    await registry.promote(ANALYST, MODEL, v1.version);
    const running = engine();
    await running.start();
    await appendTicks(store, ticks.slice(0, 300));
    const before = await waitFor(countOf(300 - 63), 'champion signals');
    expect(before).toHaveLength(237);

    const training = featureSeries(ticks.slice(0, 300), TICK_FEATURES_V1);
    before.forEach((signal, i) => {
      expect(signal.data.features).toEqual(training[63 + i]);
      expect(signal.data).toMatchObject({ model: MODEL, version: 1, shadow: false, featureSpecDigest: featureSpecDigest(TICK_FEATURES_V1) });
      expect(Number.isInteger(signal.data.inferenceMicros)).toBe(true);
    });

    const v2 = await registry.register(ANALYST, { name: MODEL, file: second.modelPath });
    await registry.shadow(ANALYST, MODEL, v2.version);
    await appendTicks(store, ticks.slice(300, 350), 'XAUUSD', 301);
    const withShadow = await waitFor(countOf(237 + 100), 'shadow signals');
    const shadow = withShadow.slice(237).filter((s) => s.data.shadow === true);
    expect(shadow).toHaveLength(50);
    expect(shadow.every((s) => s.data.version === 2)).toBe(true);

    await registry.promote(ANALYST, MODEL, v2.version, 'better AUC');
    await appendTicks(store, ticks.slice(350, 400), 'XAUUSD', 351);
    const afterSwap = (await waitFor(countOf(337 + 50), 'signals after the swap')).slice(337);
    expect(afterSwap.every((s) => s.data.version === 2 && s.data.shadow === false)).toBe(true);
    await running.stop();
  });

  it('resumes after a restart without duplicate signals and with windows already full', async () => {
    await appendTicks(store, ticks.slice(400, 450), 'XAUUSD', 401);
    const resumed = engine();
    await resumed.start();
    const all = await waitFor(countOf(387 + 50), 'signals after restart');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await signals()).toHaveLength(all.length);
    expect(new Set(all.map((s) => (s.data.tick as { eventId: string }).eventId)).size).toBe(all.length - 50);
    const training = featureSeries(ticks.slice(0, 450), TICK_FEATURES_V1);
    expect(all[all.length - 1]!.data.features).toEqual(training[449]);
    await resumed.stop();
  });

  it('makes no signal from back-filled ticks, and keeps them out of the live window', async () => {
    const running = engine();
    await running.start();
    const before = (await waitFor(countOf(437), 'signals so far')).length;
    await appendTicks(store, ticks.slice(450, 500), 'XAUUSD', 451, true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await signals()).toHaveLength(before);
    // the next live ticks are scored on a window of live ticks only: the features training computes without the back-fill
    const live = [...ticks.slice(0, 450), ...ticks.slice(500, 510)];
    await appendTicks(store, ticks.slice(500, 510), 'XAUUSD', 501);
    const after = await waitFor(countOf(before + 10), 'signals after live ticks');
    expect(after).toHaveLength(before + 10);
    expect(after[after.length - 1]!.data.features).toEqual(featureSeries(live, TICK_FEATURES_V1)[live.length - 1]);
    await running.stop();
  });
});

import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../../commands/signals/registry.ts';
import { ensureDemoModel, DEMO_MODEL } from '../../../commands/signals/demo-model.ts';
import { sidecarPathOf } from '../../../commands/signals/train.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { logisticRegressionOnnx } from '../../../infra/onnx/export.ts';
import { onnxRuntime } from '../../../infra/onnx/runtime.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { TEST_DATABASE_URL, postgresService, uniqueName } from '../../support/services.ts';
import { trainedModelFile } from './fixtures.ts';

const pg = await postgresService();
const ANALYST = { userId: 'ana', role: 'analyst' };
const repositoryRoot = path.resolve(import.meta.dirname, '../../..');

describe.skipIf(!pg.available)(`model registry on PostgreSQL${pg.skipReason}`, () => {
  let sql: SqlClient;
  let store: PostgresEventStore;
  let dir: string;
  let registry: ModelRegistry;
  const schema = uniqueName('registry');

  beforeAll(async () => {
    sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    store = await PostgresEventStore.create(sql, { schema });
    dir = await mkdtemp(path.join(os.tmpdir(), 'registry-'));
    registry = new ModelRegistry({ eventStore: store, runtime: onnxRuntime, baseDir: dir });
  });
  afterAll(async () => {
    await store.close();
    await sql.exec(`drop schema if exists ${schema} cascade`);
    await sql.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records a registration with sha256, spec digest, signature, metrics and training window; the same file again names the same version', async () => {
    const model = await trainedModelFile(dir, 21, 2_000);
    const first = await registry.register(ANALYST, { name: 'reg_ok', file: model.modelPath });
    const again = await registry.register(ANALYST, { name: 'reg_ok', file: model.modelPath });
    expect(first).toEqual({ version: 1, recorded: true });
    expect(again).toEqual({ version: 1, recorded: false });
    const [event] = await store.readStream('model-reg_ok');
    expect(event!.type).toBe('ModelVersionRegistered');
    expect(event!.data).toMatchObject({
      version: 1, sha256: model.sidecar.sha256, featureSpecDigest: model.sidecar.featureSpecDigest,
      inputs: [{ name: 'features', type: 'float32', shape: ['N', 7] }], outputs: [{ name: 'probability', type: 'float32', shape: ['N', 1] }],
      trainingWindow: { symbol: 'XAUUSD', horizonTicks: 5 }, metrics: { testSamples: model.sidecar.metrics.testSamples },
    });
    expect(event!.metadata.actor).toEqual(ANALYST);
  });

  it('refuses a file that is not ONNX', async () => {
    const model = await trainedModelFile(dir, 22, 2_000);
    const fake = path.join(dir, 'fake.onnx');
    await writeFile(fake, 'this is not a model');
    await copyFile(model.sidecarPath, sidecarPathOf(fake));
    await expect(registry.register(ANALYST, { name: 'reg_bad', file: fake })).rejects.toMatchObject({ code: 'MODEL.NOT_ONNX' });
    expect(await store.readStream('model-reg_bad')).toHaveLength(0);
  });

  it('refuses a model whose input does not take the feature spec columns', async () => {
    const model = await trainedModelFile(dir, 23, 2_000);
    const narrow = path.join(dir, 'narrow.onnx');
    await writeFile(narrow, logisticRegressionOnnx({ weights: [1, 2, 3], bias: 0, graphName: 'narrow' }));
    await copyFile(model.sidecarPath, sidecarPathOf(narrow));
    await expect(registry.register(ANALYST, { name: 'reg_bad', file: narrow })).rejects.toMatchObject({ code: 'MODEL.INPUTS_MISMATCH' });
  });

  it('refuses to load a version whose file changed after registration, naming the file and the way out', async () => {
    const model = await trainedModelFile(dir, 24, 2_000);
    const { version } = await registry.register(ANALYST, { name: 'reg_swap', file: model.modelPath });
    const registration = (await registry.state('reg_swap')).versions.get(version)!.registration;
    await expect(registry.load(registration)).resolves.toBeDefined();
    await writeFile(model.modelPath, logisticRegressionOnnx({ weights: [1, 1, 1, 1, 1, 1, 1], bias: 0, graphName: 'swapped' }));
    const refusal = registry.load(registration);
    await expect(refusal).rejects.toMatchObject({ code: 'MODEL.SHA256_MISMATCH', details: { file: model.modelPath, expected: registration.sha256 } });
    await expect(refusal).rejects.toThrow(/register the changed file as a new version/);
  });

  it('registers and promotes the shipped demo model once, however often start-up runs', async () => {
    const shipped = new ModelRegistry({ eventStore: store, runtime: onnxRuntime, baseDir: repositoryRoot });
    const first = await ensureDemoModel(shipped);
    const second = await ensureDemoModel(shipped);
    expect(first).toEqual({ version: 1, champion: 1 });
    expect(second).toEqual(first);
    expect((await store.readStream(`model-${DEMO_MODEL.name}`)).map((e) => e.type)).toEqual(['ModelVersionRegistered', 'ModelVersionPromoted']);
  });
});

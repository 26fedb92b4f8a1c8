// The Kubernetes manifests of deploy/k8s as a cluster would take them. Every manifest, as written and as
// kustomize renders the base and the production overlay, is validated against the Kubernetes API's
// OpenAPI schemas (kubernetes-models: the schemas of Kubernetes 1.27 compiled to validators; types,
// formats, enums and required fields, not unknown fields). The renderings are then read as an operator
// would: each role's Deployment has its probes, resources, ConfigMap and Secret; the api has a Service and
// a PodDisruptionBudget; the roles the code does not lock (broker, signals, ingest) run once and are
// replaced, never surged. Rendered with `kustomize build` or `kubectl kustomize`; outside CI, without
// either, the rendering tests are skipped with the reason (the manifests as written are still validated).
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ALL_ROLES, CONFIG_VARIABLES, loadConfig } from '../../../infra/config/config.ts';
import { DEPLOY } from '../../support/observability.ts';

const run = promisify(execFile);
const K8S = path.join(DEPLOY, 'k8s');
const ROLES = ALL_ROLES;
const UNLOCKED_ROLES = ['broker', 'signals', 'ingest'];

interface Manifest { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: Record<string, unknown>; [key: string]: unknown }
interface Probe { httpGet?: { path: string; port: string | number } }
interface Container {
  name: string; image: string; args?: string[]; env?: Array<{ name: string; value?: string }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string; optional?: boolean } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  livenessProbe?: Probe; readinessProbe?: Probe; startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface DeploymentSpec {
  replicas?: number; strategy?: { type?: string }; selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };
}

/** The kinds deploy/k8s uses; a manifest of another kind fails until its schema is added here. */
const SCHEMAS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap, 'v1/Namespace': Namespace, 'v1/Secret': Secret, 'v1/Service': Service,
  'apps/v1/Deployment': Deployment, 'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler, 'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/** Validates against the schema of the manifest's apiVersion and kind; throws naming what is wrong. */
async function validate(manifest: Manifest): Promise<void> {
  const Model = SCHEMAS[`${manifest.apiVersion}/${manifest.kind}`];
  if (!Model) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind} in this test`);
  await Promise.resolve(new Model(manifest as never).validate());
}

async function invalidIn(manifests: readonly Manifest[]): Promise<string[]> {
  const problems: string[] = [];
  for (const m of manifests) {
    await validate(m).catch((error: unknown) => { problems.push(`${m.kind} ${m.metadata?.name}: ${(error as Error).message}`); });
  }
  return problems;
}

const documents = (text: string): Manifest[] => parseAllDocuments(text).map((d) => d.toJS() as Manifest | null).filter((m): m is Manifest => m !== null);

const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
  const full = path.join(dir, f);
  return statSync(full).isDirectory() ? walk(full) : [full];
});

/** Every resource file as written: not the kustomizations themselves, nor the patches they apply. */
function writtenManifests(): Array<{ file: string; manifest: Manifest }> {
  const files = walk(K8S).filter((f) => f.endsWith('.yaml'));
  const patches = new Set(files.filter((f) => path.basename(f) === 'kustomization.yaml').flatMap((k) => {
    const kustomization = documents(readFileSync(k, 'utf8'))[0] as { patches?: Array<{ path?: string }> };
    return (kustomization.patches ?? []).flatMap((p) => (p.path ? [path.join(path.dirname(k), p.path)] : []));
  }));
  return files.filter((f) => path.basename(f) !== 'kustomization.yaml' && !patches.has(f))
    .flatMap((file) => documents(readFileSync(file, 'utf8')).map((manifest) => ({ file: path.relative(K8S, file), manifest })));
}

const renderer = await (async () => {
  if (await run('kustomize', ['version']).then(() => true, () => false)) return (dir: string) => run('kustomize', ['build', dir]);
  if (await run('kubectl', ['kustomize', '--help']).then(() => true, () => false)) return (dir: string) => run('kubectl', ['kustomize', dir]);
  return undefined;
})();
const REQUIRED = !renderer && process.env.CI === 'true';
const render = async (dir: string) => documents((await renderer!(path.join(K8S, dir))).stdout);

const deployments = (manifests: readonly Manifest[]) => new Map(manifests.filter((m) => m.kind === 'Deployment').map((m) => [m.metadata.name, m.spec as unknown as DeploymentSpec]));
const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('Kubernetes manifests', () => {
  it('are valid against the Kubernetes API schemas as written', async () => {
    const written = writtenManifests();
    expect(written.map((w) => `${w.file} ${w.manifest.kind}`)).toEqual(expect.arrayContaining([
      'base/api.yaml Deployment', 'base/api.yaml Service', 'base/api.yaml PodDisruptionBudget', 'base/broker.yaml Deployment', 'base/projector.yaml Deployment',
      'overlays/production/api-autoscaler.yaml HorizontalPodAutoscaler',
    ]));
    expect(await invalidIn(written.map((w) => w.manifest))).toEqual([]);
  });

  it('the validator refuses what a cluster would refuse', async () => {
    const api = writtenManifests().find((w) => w.file === 'base/api.yaml' && w.manifest.kind === 'Deployment')!.manifest;
    const broken = structuredClone(api);
    (broken.spec as Record<string, unknown>).replicas = 'two';
    const container = (broken.spec as unknown as DeploymentSpec).template.spec.containers[0]!;
    container.resources = { limits: { memory: 'plenty' } };
    const problems = await invalidIn([broken]);
    expect(problems.join('\n')).toContain('replicas must be integer');
    expect(problems.join('\n')).toContain('resources/limits/memory');
  });

  describe.skipIf(!renderer && !REQUIRED)(`rendered with kustomize${renderer ? '' : ' (skipped: neither kustomize nor kubectl is installed)'}`, () => {
    for (const dir of ['base', 'overlays/production']) {
      it(`${dir}: valid, every role a Deployment with probes, resources, its ConfigMap and the Secret`, async () => {
        const manifests = await render(dir);
        expect(await invalidIn(manifests)).toEqual([]);
        const configMaps = new Set(manifests.filter((m) => m.kind === 'ConfigMap').map((m) => m.metadata.name));
        expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]); // secrets are created in the cluster, never committed
        const byName = deployments(manifests);
        for (const role of ROLES) {
          const spec = byName.get(`nicegold-${role}`);
          expect(spec, role).toBeDefined();
          expect(selects(spec!.selector.matchLabels, spec!.template.metadata.labels), role).toBe(true);
          const [ledger] = spec!.template.spec.containers;
          expect(ledger!.env).toContainEqual({ name: 'ROLES', value: role });
          expect(ledger!.args).toEqual(['start']);
          expect(ledger!.livenessProbe?.httpGet, role).toMatchObject({ path: '/healthz', port: 'http' });
          expect(ledger!.readinessProbe?.httpGet, role).toMatchObject({ path: '/readyz', port: 'http' });
          expect(ledger!.ports).toContainEqual({ name: 'http', containerPort: 3000 });
          for (const kind of ['requests', 'limits'] as const) expect(Object.keys(ledger!.resources?.[kind] ?? {}).sort(), `${role} ${kind}`).toEqual(['cpu', 'memory']);
          const configMap = ledger!.envFrom?.find((e) => e.configMapRef)?.configMapRef?.name;
          expect(configMaps, role).toContain(configMap);
          expect(ledger!.envFrom?.find((e) => e.secretRef)?.secretRef).toEqual({ name: 'nicegold-secrets' }); // not optional: no secret, no pod
          for (const env of ledger!.env ?? []) expect(['JWT_SECRET', 'MFA_SECRET_KEY', 'MFA_SECRET_KEY_PREVIOUS', 'DATABASE_URL', 'EVENTSTORE_URL']).not.toContain(env.name);
        }
        const configMap = manifests.find((m) => m.kind === 'ConfigMap')!.data as Record<string, string>;
        expect(configMap).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '3000' });
        const known = new Set(CONFIG_VARIABLES.map((v) => v.name));
        expect(Object.keys(configMap).filter((k) => !known.has(k))).toEqual([]);
        // what a pod's process reads: the ConfigMap, its ROLES and the Secret's keys; refused without the secret
        const secret = { JWT_SECRET: 'k8s-test-secret-0123456789abcdef0123456789', MFA_SECRET_KEY: 'ab'.repeat(32), MFA_SECRET_KEY_PREVIOUS: 'cd'.repeat(32), DATABASE_URL: 'postgres://ledger:pw@timescaledb:5432/ledger', EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false' };
        for (const role of ROLES) expect(loadConfig({ ...configMap, ROLES: role, ...secret }, '/app').roles).toEqual([role]);
        const api = loadConfig({ ...configMap, ROLES: 'api', ...secret }, '/app');
        expect([api.mfaSecretKey.toString('hex'), api.mfaPreviousSecretKeys.map((k) => k.toString('hex'))]).toEqual([secret.MFA_SECRET_KEY, [secret.MFA_SECRET_KEY_PREVIOUS]]);
        expect(() => loadConfig({ ...configMap, ROLES: 'api', ...secret, JWT_SECRET: undefined }, '/app')).toThrow(/JWT_SECRET/);
      });

      it(`${dir}: the api behind a Service and a PodDisruptionBudget; broker, signals and ingest single and replaced, never surged`, async () => {
        const manifests = await render(dir);
        const api = deployments(manifests).get('nicegold-api')!;
        const podLabels = api.template.metadata.labels;
        const service = manifests.find((m) => m.kind === 'Service' && m.metadata.name === 'nicegold-api')!;
        expect(selects((service.spec as { selector: Record<string, string> }).selector, podLabels)).toBe(true);
        expect((service.spec as { ports: unknown[] }).ports).toContainEqual({ name: 'http', port: 80, targetPort: 'http' });
        const budgets = manifests.filter((m) => m.kind === 'PodDisruptionBudget').map((m) => m.spec as { minAvailable?: number; selector: { matchLabels: Record<string, string> } });
        const apiBudget = budgets.find((b) => selects(b.selector.matchLabels, podLabels));
        expect(apiBudget?.minAvailable).toBeGreaterThanOrEqual(1);
        expect(api.replicas).toBeGreaterThan(apiBudget!.minAvailable!); // a drain can still move one
        for (const role of UNLOCKED_ROLES) {
          const spec = deployments(manifests).get(`nicegold-${role}`)!;
          expect({ role, replicas: spec.replicas, strategy: spec.strategy?.type }).toEqual({ role, replicas: 1, strategy: 'Recreate' });
        }
      });
    }

    it('production: one namespace, a pinned image from the registry, three api replicas and a standby projector', async () => {
      const manifests = await render('overlays/production');
      const namespaced = manifests.filter((m) => m.kind !== 'Namespace');
      expect(new Set(namespaced.map((m) => m.metadata.namespace))).toEqual(new Set(['nicegold']));
      const byName = deployments(manifests);
      for (const [name, spec] of byName) {
        const image = spec.template.spec.containers[0]!.image;
        expect(image, name).toMatch(/^[\w.-]+\/[\w./-]+:\d+\.\d+\.\d+$/);
      }
      expect(byName.get('nicegold-api')!.replicas).toBe(3);
      expect(byName.get('nicegold-projector')!.replicas).toBe(2);
      const autoscaler = manifests.find((m) => m.kind === 'HorizontalPodAutoscaler')!.spec as { scaleTargetRef: { name: string }; minReplicas: number };
      expect(autoscaler).toMatchObject({ scaleTargetRef: { name: 'nicegold-api' }, minReplicas: 3 });
    });
  });
});

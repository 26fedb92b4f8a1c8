// Grafana's provisioning in deploy/grafana as Grafana loads it: the datasources every panel names exist,
// the dashboard provider reads the folder compose mounts, each dashboard covers what the desk asked of it,
// and every PromQL expression parses (as promtool parses rules: Prometheus's own parser). Whether the
// metrics exist and the SQL runs is checked on a running ledger: tests/e2e/deploy/observability.e2e.test.ts.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEPLOY, PROMETHEUS_UID, READ_MODELS_UID, dashboardPromQueries, loadDashboards, metricNames } from '../../support/observability.ts';

const run = promisify(execFile);
const promtool = await run('promtool', ['--version']).then(() => true, () => false);
const REQUIRED = !promtool && process.env.CI === 'true';
const grafana = path.join(DEPLOY, 'grafana');

const titles = (file: string) => loadDashboards().get(file)!.panels.map((p) => p.title.toLowerCase());

describe('Grafana provisioning', () => {
  it('provisions the Prometheus and read-model datasources under the uids the dashboards use', async () => {
    const { datasources } = parse(await readFile(path.join(grafana, 'datasources/datasources.yml'), 'utf8')) as { datasources: Array<{ uid: string; type: string; url: string; jsonData?: { database?: string } }> };
    expect(datasources.map((d) => [d.uid, d.type])).toEqual([[PROMETHEUS_UID, 'prometheus'], [READ_MODELS_UID, 'grafana-postgresql-datasource']]);
    const uids = new Set(datasources.map((d) => d.uid));
    for (const [file, dashboard] of loadDashboards()) {
      for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
        expect(panel.targets?.length, `${file} / ${panel.title}`).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) expect(uids, `${file} / ${panel.title}`).toContain(target.datasource.uid);
      }
    }
  });

  it('loads the dashboards from the folder docker-compose mounts, each under its own uid', async () => {
    const { providers } = parse(await readFile(path.join(grafana, 'dashboards/dashboards.yml'), 'utf8')) as { providers: Array<{ options: { path: string } }> };
    expect(providers[0]!.options.path).toBe('/etc/grafana/provisioning/dashboards');
    const compose = await readFile(path.join(DEPLOY, '../docker-compose.yml'), 'utf8');
    expect(compose).toContain('./deploy/grafana:/etc/grafana/provisioning:ro');
    expect([...loadDashboards().values()].map((d) => d.uid)).toEqual(['nicegold-desk', 'nicegold-risk', 'nicegold-system']);
  });

  it('covers the desk, risk and system views the desk asked for', () => {
    expect(titles('desk.json')).toEqual(expect.arrayContaining(['equity', 'drawdown from peak equity', 'daily p&l', 'kpis', 'open positions', 'accounts now']));
    expect(titles('risk.json')).toEqual(expect.arrayContaining(['decisions: accepted and denied', 'denials by reason', 'halted accounts', 'emergency stops engaged', 'refused fills', 'halts, stops and releases']));
    expect(titles('system.json')).toEqual(expect.arrayContaining([
      'command latency p50 / p99 by type', 'append rate', 'projection lag (s)', 'ticks ingested / s by outcome', 'jetstream consumer lag', 'event loop delay p99', 'gc time / s by kind',
    ]));
  });

  it('names only the ledger\'s metrics (nicegold_*) and Prometheus\'s up in PromQL', () => {
    const names = new Set(dashboardPromQueries().flatMap((q) => [...metricNames(q.text)]));
    expect([...names].filter((n) => !n.startsWith('nicegold_') && n !== 'up')).toEqual([]);
  });

  describe.skipIf(!promtool && !REQUIRED)(`PromQL${promtool ? '' : ' (skipped: promtool is not installed; apt-get install prometheus)'}`, () => {
    it('parses every dashboard expression', async () => {
      const queries = dashboardPromQueries();
      // Grafana's interval variables become a duration, as Grafana substitutes them before sending
      const rules = queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: q.text.replaceAll('$__rate_interval', '1m').replaceAll('$__interval', '1m') }));
      const dir = await mkdtemp(path.join(tmpdir(), 'nicegold-promql-'));
      try {
        await writeFile(path.join(dir, 'dashboards.rules.yml'), stringify({ groups: [{ name: 'dashboards', rules }] }));
        const checked = await run('promtool', ['check', 'rules', 'dashboards.rules.yml'], { cwd: dir }).then(
          ({ stdout }) => stdout, (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`);
        expect(checked).toContain(`SUCCESS: ${queries.length} rules found`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});

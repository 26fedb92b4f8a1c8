// `npm start` as a newcomer runs it: the CLI on embedded defaults, nothing but Node.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteClient } from '../../infra/sql/pglite-client.ts';

const port = 31_000 + Math.floor(Math.random() * 2_000);
const base = `http://127.0.0.1:${port}`;

async function waitForHealth(child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nicegold start exited early with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('nicegold start did not answer /healthz in time');
}

describe('npm start on embedded defaults', () => {
  let child: ChildProcess;
  let dataDir: string;
  let output = '';
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'nicegold-start-'));
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' };
    child = spawn(process.execPath, ['bin/nicegold.mjs', 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    await waitForHealth(child, 90_000);
  }, 120_000);
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers health, readiness and metrics', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('nicegold_');
  });

  it('prints where to look and a development token per role', () => {
    expect(output).toContain(`${base}/graphiql`);
    expect(output).toContain(`${base}/docs`);
    for (const role of ['trader', 'risk_officer', 'compliance', 'analyst', 'admin', 'service']) expect(output).toMatch(new RegExp(`\\n  ${role} +ey`));
  });

  it('shows ticks, candles, orders and fills of the demo desk within a minute, over GraphQL', async () => {
    const token = /\n {2}analyst +(\S+)/.exec(output)![1]!;
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const query = `{
      ticks(symbol: "XAUUSD", from: "${from}", to: "${to}", first: 5) { nodes { bid ask } }
      candles(symbol: "XAUUSD", interval: M1, from: "${from}", to: "${to}") { open close tickCount }
      account(id: "DEMO-1") { fills(first: 5) { nodes { side qty price } } }
      modelVersions { name version status sha256 }
      signals(model: "xauusd_direction", from: "${from}", to: "${to}", first: 3) { version featuresDigest score direction shadow }
    }`;
    const deadline = Date.now() + 60_000;
    let data: {
      ticks: { nodes: unknown[] }; candles: unknown[]; account: { fills: { nodes: unknown[] } } | null;
      modelVersions: Array<{ status: string }>; signals: Array<{ version: number; featuresDigest: string }>;
    } | undefined;
    while (Date.now() < deadline) {
      const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
      data = ((await response.json()) as { data?: typeof data }).data;
      if (data && data.ticks.nodes.length > 0 && data.candles.length > 0 && (data.account?.fills.nodes.length ?? 0) > 0 && data.signals.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    expect(data?.ticks.nodes.length).toBeGreaterThan(0);
    expect(data?.candles.length).toBeGreaterThan(0);
    expect(data?.account?.fills.nodes.length).toBeGreaterThan(0);
    // every signal names the model version and the digest of the features it scored
    expect(data?.modelVersions.some((m) => m.status === 'champion')).toBe(true);
    expect(data?.signals[0]).toMatchObject({ version: 1, featuresDigest: expect.stringMatching(/^[0-9a-f]{16,}$/) });
  }, 90_000);

  it('logs where its start-up time went: each phase in order, with the milliseconds since the process started', () => {
    const phases = output.split('\n').flatMap((line) => {
      if (!line.includes('"startup"')) return [];
      const { startup, sinceProcessStartMs } = JSON.parse(line) as { startup: string; sinceProcessStartMs: number };
      return [{ startup, sinceProcessStartMs }];
    });
    expect(phases.map((p) => p.startup)).toEqual([
      'modules loaded', 'backends connected',
      'role api started', 'role ingest started', 'role signals started', 'role broker started', 'role projector started',
      'account states warmed', 'routes registered', 'listening',
    ]);
    const times = phases.map((p) => p.sinceProcessStartMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('answers the README first-five-minutes query as written', async () => {
    const readme = await readFile('README.md', 'utf8');
    const query = /```graphql\n([\s\S]*?)```/.exec(readme)![1]!;
    const token = /\n {2}analyst +(\S+)/.exec(output)![1]!;
    const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
    const body = (await response.json()) as { data?: { account: { balance: string } | null }; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    expect(body.data?.account?.balance).toMatch(/^\d+\.\d{2}$/);
  });

  it('takes ticks over HTTP only from a feed (service) token', async () => {
    const tokenOf = (role: string) => new RegExp(`\\n  ${role} +(\\S+)`).exec(output)![1]!;
    const tick = { symbol: 'XAUUSD', source: 'e2e-feed', sequence: 1, bid: '2400.00', ask: '2400.30', ts: new Date().toISOString() };
    const post = (token?: string) => fetch(`${base}/v1/ticks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ ticks: [tick] }),
    });
    expect((await post()).status).toBe(401);
    expect((await post(tokenOf('trader'))).status).toBe(403);
    const accepted = await post(tokenOf('service'));
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as { results: Array<{ status: string }> }).results[0]!.status).toMatch(/accepted|rejected/);
  });

  it('keeps its data under DATA_DIR and shuts down cleanly on Ctrl-C', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('ledger stopped');
    // the processes that follow the log left their checkpoints in the embedded database, for the next start
    const sql = await createPgliteClient(path.join(dataDir, 'pglite'));
    try {
      const { rows } = await sql.query<{ key: string }>('select key from ledger.key_values order by key');
      const keys = rows.map((r) => r.key);
      expect(keys).toEqual(expect.arrayContaining(['stop-sweep:checkpoint', 'broker:paper:checkpoint']));
      expect(keys.some((k) => k.startsWith('signals:checkpoint:'))).toBe(true);
    } finally {
      await sql.close();
    }
  }, 60_000);
});

// docker-compose.yml as an operator meets it: it cannot start without a JWT secret or the key that seals
// second factors (no published default; a previous key only while rotating), every backend has a healthcheck, and every ledger role waits for the backends it uses to be healthy.
// Checked with the real compose CLI (Debian's docker-compose validates without an engine; .ci/run installs
// it); outside CI, without it, skipped with the reason.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const run = promisify(execFile);
const compose = await run('docker-compose', ['version', '--short']).then(() => true, () => false);
const REQUIRED = !compose && process.env.CI === 'true';
const BACKENDS = ['eventstore', 'timescaledb', 'nats', 'redis'];
const ROLES = ['api', 'ingest', 'signals', 'broker', 'projector'];
const SECRETS = { JWT_SECRET: 'a-secret-for-this-test-only-0123456789abcdef', MFA_SECRET_KEY: 'ab'.repeat(32) };

const config = async (env: Record<string, string>) => {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  try {
    const { stdout } = await run('docker-compose', ['config'], { env: { ...base, ...env } });
    return { code: 0, stdout, stderr: '' };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
};

describe.skipIf(!compose && !REQUIRED)(`docker-compose.yml${compose ? '' : ' (skipped: docker-compose is not installed)'}`, () => {
  it('refuses to start without JWT_SECRET, saying how to set one', async () => {
    const refused = await config({});
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('set JWT_SECRET');
  });

  it('refuses to start without MFA_SECRET_KEY, saying how to make one', async () => {
    const refused = await config({ JWT_SECRET: SECRETS.JWT_SECRET });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('set MFA_SECRET_KEY to 64 hex digits');
  });

  it('passes the secrets through, checks the health of every backend, and starts each role only on healthy backends', async () => {
    const resolved = await config(SECRETS);
    expect(resolved.code).toBe(0);
    const services = (parse(resolved.stdout) as { services: Record<string, { healthcheck?: { test?: unknown }; depends_on?: Record<string, { condition: string }>; environment?: Record<string, string> }> }).services;
    for (const backend of BACKENDS) expect(services[backend]?.healthcheck?.test, backend).toBeDefined();
    for (const role of ROLES) {
      const service = services[role]!;
      expect(service.environment, role).toMatchObject({ ...SECRETS, MFA_SECRET_KEY_PREVIOUS: '' });
      expect(service.healthcheck?.test, role).toBeDefined();
      expect(Object.fromEntries(Object.entries(service.depends_on ?? {}).map(([name, d]) => [name, d.condition])), role)
        .toEqual(Object.fromEntries(BACKENDS.map((b) => [b, 'service_healthy'])));
    }
  });

  it('passes the previous second-factor keys through while a rotation needs them', async () => {
    const resolved = await config({ ...SECRETS, MFA_SECRET_KEY_PREVIOUS: `${'cd'.repeat(32)},${'ef'.repeat(32)}` });
    expect(resolved.code).toBe(0);
    const services = (parse(resolved.stdout) as { services: Record<string, { environment?: Record<string, string> }> }).services;
    for (const role of ROLES) expect(services[role]?.environment?.MFA_SECRET_KEY_PREVIOUS, role).toBe(`${'cd'.repeat(32)},${'ef'.repeat(32)}`);
  });
});

// The alert rules and Prometheus config of deploy/prometheus, checked by Prometheus's own promtool (Debian's
// prometheus package; .ci/run installs it): the rules parse, the config that loads them is valid, and the
// rule unit tests of alerts.test.yml (what fires when, with which labels and text) pass. Outside CI,
// without promtool, skipped with the reason. Whether the ledger exports each rule's metrics is checked on
// a running ledger by tests/e2e/deploy/observability.e2e.test.ts.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEPLOY } from '../../support/observability.ts';

const run = promisify(execFile);
const promtool = await run('promtool', ['--version']).then(() => true, () => false);
const REQUIRED = !promtool && process.env.CI === 'true';
const dir = path.join(DEPLOY, 'prometheus');

const promtoolSays = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: dir });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
};

describe.skipIf(!promtool && !REQUIRED)(`alert rules${promtool ? '' : ' (skipped: promtool is not installed; apt-get install prometheus)'}`, () => {
  it('parse, and the Prometheus config loads them', async () => {
    const rules = await promtoolSays('check', 'rules', 'alerts.yml');
    expect(rules.output).toContain('SUCCESS: 9 rules found');
    expect(rules.code).toBe(0);
    const config = await promtoolSays('check', 'config', 'prometheus.yml');
    expect(config.output).toContain('1 rule files found');
    expect(config.code).toBe(0);
  });

  it('fire when and only when their unit tests say (alerts.test.yml)', async () => {
    const tested = await promtoolSays('test', 'rules', 'alerts.test.yml');
    expect(tested.output).toContain('SUCCESS');
    expect(tested.code, tested.output).toBe(0);
  });
});

// The dependency rules keep domain/ pure and the read side on its read models (the event store only
// through the audit port); this checks the lint configuration still enforces them.
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Typed linting needs a real file in the project, so the probe is written, linted and removed.
const lint = async (folder: string, code: string) => {
  const filePath = `${folder}/lint-probe-${randomBytes(4).toString('hex')}.ts`;
  await writeFile(filePath, code);
  try {
    const [result] = await new ESLint({ cwd: process.cwd() }).lintFiles([filePath]);
    const messages = result?.messages ?? [];
    expect(messages.filter((m) => m.fatal)).toEqual([]);
    return messages.map((m) => m.ruleId);
  } finally {
    await rm(filePath, { force: true });
  }
};

describe('dependency rule', () => {
  it('refuses I/O, clocks and outer layers in domain/', async () => {
    const rules = await lint('domain', [
      "import { readFileSync } from 'node:fs';",
      "import { loadConfig } from '../infra/config/config.ts';",
      'export const probe = [readFileSync, loadConfig, Date.now(), Math.random()];',
    ].join('\n'));
    expect(rules.filter((r) => r === 'no-restricted-imports')).toHaveLength(2);
    expect(rules.filter((r) => r === 'no-restricted-properties')).toHaveLength(2);
  });

  it('keeps read-api/ off the write side and the event store, but for the audit port', async () => {
    const refused = await lint('read-api', [
      "import type { EventStore } from '../domain/ports/event-store.ts';",
      "import { PostgresEventStore } from '../infra/event-store/postgres.ts';",
      "import { accountAsOf } from '../commands/compliance/index.ts';",
      'export type Probe = [EventStore, typeof PostgresEventStore, typeof accountAsOf];',
    ].join('\n'));
    expect(refused.filter((r) => r === 'no-restricted-imports')).toHaveLength(3);
    const allowed = await lint('read-api', "import type { AuditReader } from '../domain/ports/audit-reader.ts';\nexport type Probe = AuditReader;\n");
    expect(allowed).not.toContain('no-restricted-imports');
  });

  it('allows the same imports outside domain/', async () => {
    const rules = await lint('infra', "import { readFileSync } from 'node:fs';\nexport const probe = [readFileSync, Date.now()];\n");
    expect(rules).not.toContain('no-restricted-imports');
    expect(rules).not.toContain('no-restricted-properties');
  });
}, 60_000);

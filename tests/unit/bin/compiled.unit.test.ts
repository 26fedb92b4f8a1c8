// bin/nicegold.mjs runs the compiled tree only while it is complete and newer than every source: a
// restart then skips transforming TypeScript on load, and an edit, an added or a removed source is never
// answered by old code. Checked on a scratch repository (the real bin files, a dist/ and sources that say
// which of them ran) by running the CLI as a user does.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILD_STAMP, compiledStaleness, SOURCE_DIRS } from '../../../bin/compiled.mjs';

const repository = path.resolve(import.meta.dirname, '../../..');
const BUILT_AT = Date.parse('2026-12-01T12:00:00Z');
const before = new Date(BUILT_AT - 60_000);
const after = new Date(BUILT_AT + 60_000);

let root: string;

function write(relative: string, text: string, mtime = before): void {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  utimesSync(file, mtime, mtime);
}

/** Folders get their time after their files: writing a file changes its folder's. */
function ageFolders(mtime = before): void {
  const age = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) age(path.join(dir, entry.name));
    utimesSync(dir, mtime, mtime);
  };
  for (const dir of SOURCE_DIRS) age(path.join(root, dir));
}

function runCli(): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(process.execPath, [path.join(root, 'bin/nicegold.mjs'), 'hello'], { encoding: 'utf8', cwd: root });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'nicegold-bin-'));
  for (const file of ['nicegold.mjs', 'compiled.mjs']) write(`bin/${file}`, '');
  for (const file of ['nicegold.mjs', 'compiled.mjs']) copyFileSync(path.join(repository, 'bin', file), path.join(root, 'bin', file));
  symlinkSync(path.join(repository, 'node_modules'), path.join(root, 'node_modules'));
  write('package.json', '{"type":"module"}');
  for (const file of ['tsconfig.json', 'tsconfig.build.json']) write(file, '{}');
  for (const dir of SOURCE_DIRS) write(`${dir}/sub/module.ts`, 'export const x: number = 1;\n');
  write('infra/cli/main.ts', "export async function main(args: string[]): Promise<number> { process.stdout.write(`sources ${args.join(' ')}\\n`); return 0; }\n");
  write('dist/infra/cli/main.js', "export async function main(args) { process.stdout.write(`compiled ${args.join(' ')}\\n`); return 0; }\n");
  write(`dist/${BUILD_STAMP}`, JSON.stringify({ sourcesAsOf: BUILT_AT }));
  ageFolders();
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('which code nicegold runs', () => {
  it('runs dist/ when its build is newer than every source, and says nothing about it', () => {
    expect(compiledStaleness(root)).toBeUndefined();
    expect(runCli()).toEqual({ stdout: 'compiled hello\n', stderr: '', status: 0 });
  });

  it('runs the sources through tsx when a source was edited after the build, and says why and what to run', () => {
    write('domain/sub/module.ts', 'export const x: number = 2;\n', after);
    const run = runCli();
    expect(run.stdout).toBe('sources hello\n');
    expect(run.stderr).toContain('not running dist/ (the sources changed after the build)');
    expect(run.stderr).toContain('npm run build');
  });

  it('treats an added or a removed source as a change (its folder changed)', () => {
    write('commands/sub/added.ts', 'export {};\n');
    ageFolders();
    expect(compiledStaleness(root)).toBeUndefined();
    utimesSync(path.join(root, 'commands/sub'), after, after); // what adding the file did to its folder
    expect(compiledStaleness(root)).toBe('the sources changed after the build');
    ageFolders();
    unlinkSync(path.join(root, 'projections/sub/module.ts'));
    utimesSync(path.join(root, 'projections/sub'), after, after);
    expect(compiledStaleness(root)).toBe('the sources changed after the build');
  });

  it('does not run a build that did not finish (no stamp) or a tree without one, and says so only when dist/ exists', () => {
    rmSync(path.join(root, 'dist', BUILD_STAMP));
    const unfinished = runCli();
    expect(unfinished.stdout).toBe('sources hello\n');
    expect(unfinished.stderr).toContain('not running dist/ (no complete build)');
    rmSync(path.join(root, 'dist'), { recursive: true });
    expect(runCli()).toEqual({ stdout: 'sources hello\n', stderr: '', status: 0 });
  });

  it('counts a changed compiler configuration as a change', () => {
    write('tsconfig.json', '{"compilerOptions":{}}', after);
    expect(compiledStaleness(root)).toBe('the sources changed after the build');
  });
});

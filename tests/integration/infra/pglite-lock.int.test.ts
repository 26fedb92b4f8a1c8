// Embedded PGlite serves one process: a second one opening the same DATA_DIR is refused, not handed a
// copy of its own whose writes one of them would lose.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../../infra/sql/data-dir-lock.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';

const run = promisify(execFile);

describe('embedded PGlite data folder', () => {
  let root: string;
  beforeAll(async () => { root = await mkdtemp(path.join(tmpdir(), 'nicegold-lock-')); });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('is locked to the process that opened it until it closes', async () => {
    const dir = path.join(root, 'own');
    const sql = await createPgliteClient(dir);
    expect((await readFile(`${dir}.lock`, 'utf8')).split(' ')[0]).toBe(String(process.pid));
    await sql.query('create table kept (x int)');
    // Twice in one process is two copies too.
    await expect(createPgliteClient(dir)).rejects.toMatchObject({ code: 'EMBEDDED.DATA_DIR_IN_USE', message: expect.stringContaining('this process') });
    await sql.close();
    expect(existsSync(`${dir}.lock`)).toBe(false);
    const again = await createPgliteClient(dir);
    expect((await again.query<{ n: number }>('select count(*)::int as n from kept')).rows).toEqual([{ n: 0 }]);
    await again.close();
  }, 60_000);

  it('refuses a folder a running process holds, and takes over the lock of one that died', async () => {
    const dir = path.join(root, 'held');
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    await writeFile(`${dir}.lock`, `${other.pid!}\n`);
    await expect(createPgliteClient(dir)).rejects.toMatchObject({ code: 'EMBEDDED.DATA_DIR_IN_USE', message: expect.stringContaining(`process ${other.pid!}`) });
    expect(existsSync(dir)).toBe(false); // nothing opened, nothing initialised
    other.kill('SIGKILL');
    await new Promise((resolve) => other.once('exit', resolve));
    const sql = await createPgliteClient(dir);
    expect((await readFile(`${dir}.lock`, 'utf8')).split(' ')[0]).toBe(String(process.pid));
    await sql.close();
  }, 60_000);

  it('refuses a lock from another host (it cannot tell whether that process runs), and takes over its own pid left by an earlier life', async () => {
    const dir = path.join(root, 'shared-volume');
    await writeFile(`${dir}.lock`, '1 some-other-container 7d3c\n');
    await expect(createPgliteClient(dir)).rejects.toMatchObject({ code: 'EMBEDDED.DATA_DIR_IN_USE', message: expect.stringContaining('on host some-other-container') });
    await writeFile(`${dir}.lock`, `${process.pid} ${hostname()} token-of-an-earlier-process\n`);
    const sql = await createPgliteClient(dir);
    await sql.close();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  }, 60_000);

  it('takes over a lock that names no process (empty after a crash, or garbled)', async () => {
    for (const [i, content] of ['', '0\n', '-1\n', 'garbage\n'].entries()) {
      const dir = path.join(root, `garbled-${i}`);
      await writeFile(`${dir}.lock`, content);
      const release = lockDataDir(dir);
      expect((await readFile(`${dir}.lock`, 'utf8')).split(' ')[0]).toBe(String(process.pid));
      release();
      expect(existsSync(`${dir}.lock`)).toBe(false);
    }
  });

  it('gives a stale lock to exactly one of two processes that reach it at the same instant', async () => {
    const script = `
      const { lockDataDir } = await import(${JSON.stringify(path.resolve('infra/sql/data-dir-lock.ts'))});
      const at = Number(process.argv[1]);
      while (Date.now() < at) { /* start together */ }
      try { lockDataDir(process.argv[2]); console.log('got'); } catch (error) { console.log(error.code); }
      setTimeout(() => {}, 1500);`;
    for (let round = 0; round < 3; round += 1) {
      const dir = path.join(root, `race-${round}`);
      const dead = spawn(process.execPath, ['-e', '0']);
      await new Promise((resolve) => dead.once('exit', resolve));
      await writeFile(`${dir}.lock`, `${dead.pid!} ${hostname()} stale\n`);
      const at = Date.now() + 2_500;
      const racer = () => run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, String(at), dir], { timeout: 30_000 }).then((r) => r.stdout.trim());
      const outcomes = await Promise.all([racer(), racer()]);
      expect(outcomes.sort()).toEqual(['EMBEDDED.DATA_DIR_IN_USE', 'got']);
    }
  }, 90_000);

  it('start --fresh leaves the data of a running ledger alone', async () => {
    const dataDir = path.join(root, 'fresh');
    const sql = await createPgliteClient(path.join(dataDir, 'pglite'));
    try {
      await sql.query('create table precious (x int)');
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: '0' };
      const refused = await run(process.execPath, ['bin/nicegold.mjs', 'start', '--fresh'], { env, timeout: 60_000 })
        .then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('EMBEDDED.DATA_DIR_IN_USE');
      expect(existsSync(path.join(dataDir, 'pglite'))).toBe(true);
      expect((await sql.query('select count(*)::int as n from precious')).rows).toEqual([{ n: 0 }]);
    } finally {
      await sql.close();
    }
  }, 60_000);

  it('makes the CLI of a second process stop with what to do', async () => {
    const dataDir = path.join(root, 'ledger');
    const sql = await createPgliteClient(path.join(dataDir, 'pglite'));
    try {
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir };
      const refused = await run(process.execPath, ['bin/nicegold.mjs', 'audit', 'replay', '--account', 'A1', '--at', '2026-12-05T10:00:00Z'], { env, timeout: 60_000 })
        .then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('[EMBEDDED.DATA_DIR_IN_USE]');
      expect(refused.stderr).toContain('Stop that process first');
    } finally {
      await sql.close();
    }
  }, 60_000);
});

// A ledger process for the benchmarks that measure a whole process (cold-start, idle-demo): started the
// way `npm start` starts it (node --max-semi-space-size=64 bin/nicegold.mjs start), configured through
// the environment only, watched from outside: /readyz over HTTP, CPU time and RSS from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface LedgerChild {
  readonly pid: number;
  readonly url: string;
  output(): string;
  /** Resolves with the exit code (null after a signal). */
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

export { freePort } from '../tests/e2e/support/ledger-process.ts';

export function spawnLedger(port: number, env: Record<string, string>, nodeArgs: readonly string[] = []): LedgerChild {
  const child: ChildProcess = spawn(process.execPath, ['--max-semi-space-size=64', ...nodeArgs, 'bin/nicegold.mjs', 'start'], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The first 64 kB (start-up, its phases) and the last 20 kB (why it stopped), not everything it logs.
  let head = '';
  let tail = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    if (head.length < 65_536) head += text;
    else tail = (tail + text).slice(-20_000);
  };
  const output = () => (tail === '' ? head : `${head}\n[...]\n${tail}`);
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { pid: child.pid!, url: `http://127.0.0.1:${port}`, output, exited, kill: (signal) => child.kill(signal) };
}

/** Milliseconds from now until /readyz answers 200; throws with the process's output if it exits or the time runs out. */
export async function waitReady(ledger: LedgerChild, timeoutMs: number, pollMs = 20): Promise<number> {
  const started = performance.now();
  let exitCode: number | null | undefined;
  void ledger.exited.then((code) => { exitCode = code; });
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the ledger exited (${String(exitCode)}) before /readyz answered 200:\n${ledger.output()}`);
    if (performance.now() - started > timeoutMs) throw new Error(`/readyz did not answer 200 within ${timeoutMs} ms:\n${ledger.output()}`);
    const status = await fetch(`${ledger.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status, () => 0);
    if (status === 200) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export interface ProcessSample {
  /** CPU seconds (user + system) the process has used since it started. */
  readonly cpuSeconds: number;
  readonly rssBytes: number;
}

/** CPU time and resident memory of a process, from /proc (Linux). */
export function sampleProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at ") ": utime and stime are 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds, rssBytes: Number(rss?.[1] ?? 0) * 1024 };
}

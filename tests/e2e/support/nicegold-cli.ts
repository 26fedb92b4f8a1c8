// `nicegold <command>` in a process of its own, configured by DATABASE_URL alone, as an operator runs it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CliResult { code: number; stdout: string; stderr: string }

/** Runs the CLI on a database; a non-zero exit is a result, not an error. */
export async function nicegoldCli(databaseUrl: string, args: readonly string[]): Promise<CliResult> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' };
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/nicegold.mjs', ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

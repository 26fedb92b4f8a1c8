// PostgreSQL's own client programs (pg_dump, pg_restore, psql) as child processes: how they are found,
// how they are given a database without putting its password on their command line (where `ps` shows
// it), and what their failure says. The backup leans on them because they are what every PostgreSQL
// operator trusts: pg_dump's snapshot, its archive format, pg_restore's checks.
import { spawn, type ChildProcess } from 'node:child_process';
import { LedgerError } from '../../domain/shared/errors.ts';

export type PgTool = 'pg_dump' | 'pg_restore' | 'psql';

/** A database for a libpq program: the URL without its password, which goes in PGPASSWORD. */
export interface LibpqTarget {
  readonly dbname: string;
  readonly env: Readonly<Record<string, string>>;
}

export function libpqTarget(databaseUrl: string, applicationName: string): LibpqTarget {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  // The tools inherit the environment (PGSSLMODE, PGSSLROOTCERT, a .pgpass): passed through untouched.
  const env: Record<string, string> = { ...(process.env as Record<string, string>), PGAPPNAME: applicationName };
  if (password !== '') env.PGPASSWORD = password;
  return { dbname: url.toString(), env };
}

/** The URL as it may be printed: no password. */
export const redactedUrl = (databaseUrl: string): string => {
  const url = new URL(databaseUrl);
  if (url.password !== '') url.password = '***';
  return url.toString();
};

export class BackupToolFailed extends LedgerError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(code, 'unavailable', message, details);
  }
}

const missingTool = (tool: PgTool) =>
  new BackupToolFailed('BACKUP.TOOL_MISSING', `${tool} is not installed or not on PATH: install PostgreSQL's client programs of the server's major version (Debian: apt-get install postgresql-client-15)`, { tool });

/** Starts a tool; a missing program becomes BACKUP.TOOL_MISSING instead of a bare ENOENT. */
export function startTool(tool: PgTool, args: readonly string[], env: Readonly<Record<string, string>>, stdio: Array<'pipe' | 'ignore' | 'inherit'>): ChildProcess {
  const child = spawn(tool, args, { env, stdio });
  child.on('error', () => undefined); // reported through exited()
  return child;
}

export interface ToolExit {
  readonly code: number;
  /** The last lines it wrote to stderr (its error message, when it failed). */
  readonly stderr: string;
}

const STDERR_KEPT = 8_192;

/** Resolves when the tool exits, with its status and the tail of its stderr; a failure to start rejects. */
export function exited(tool: PgTool, child: ChildProcess): Promise<ToolExit> {
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-STDERR_KEPT); });
  return new Promise((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? missingTool(tool) : error));
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stderr: stderr.trim() }));
  });
}

/** `pg_dump --version` and the like: the tool's version line, or BACKUP.TOOL_MISSING. */
export async function toolVersion(tool: PgTool): Promise<string> {
  const child = startTool(tool, ['--version'], process.env as Record<string, string>, ['ignore', 'pipe', 'pipe']);
  let out = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => { out += chunk; });
  const exit = await exited(tool, child);
  if (exit.code !== 0) throw new BackupToolFailed('BACKUP.TOOL_MISSING', `${tool} --version failed: ${exit.stderr || `exit ${exit.code}`}`, { tool });
  return out.trim();
}

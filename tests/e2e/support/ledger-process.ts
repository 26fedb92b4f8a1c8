// A ledger as an operator runs it: `nicegold start` in a process of its own, configured through the
// environment only, spoken to over HTTP on 127.0.0.1. For tests that need several processes on one
// database, a restart, or a kill.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { mintToken, type PrincipalRole } from '../../../infra/auth/index.ts';

export const E2E_JWT_SECRET = 'e2e-processes-secret-0123456789-abcdefghij';
const ISSUER = 'nicegold-ledger';

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export interface LedgerProcess {
  readonly url: string;
  readonly name: string;
  output(): string;
  /** `headers` adds to the bearer token and the fresh Idempotency-Key, e.g. X-TOTP-Code. */
  call(method: 'GET' | 'POST' | 'PUT', path: string, token: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  /** SIGINT and wait for the exit code (or SIGKILL with `kill: true`). */
  stop(options?: { kill?: boolean }): Promise<number | null>;
}

export const token = (role: PrincipalRole, userId = `${role}-user`, accounts: readonly string[] = []): Promise<string> =>
  mintToken({ role, userId, accounts, ttl: '1h' }, { secret: E2E_JWT_SECRET, issuer: ISSUER });

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `nicegold start` in production mode with the given variables (DATABASE_URL, ROLES, REDIS_URL ...)
 * and waits until /readyz answers 200.
 */
export async function startLedgerProcess(name: string, env: Record<string, string>, timeoutMs = 90_000): Promise<LedgerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['bin/nicegold.mjs', 'start'], {
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', JWT_SECRET: E2E_JWT_SECRET, LOG_LEVEL: 'warn',
      FEED_RATE: '0', MARKET_HOURS: 'always-open', RATE_LIMIT_PER_SECOND: '100000', PORT: String(port), ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${output}`);
    }
    const ready = await fetch(`${url}/readyz`).then((r) => r.status, () => 0);
    if (ready === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  async function call(method: 'GET' | 'POST' | 'PUT', path: string, bearer: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${bearer}`, ...extraHeaders };
    if (method !== 'GET') headers['idempotency-key'] = randomUUID();
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  return {
    url,
    name,
    output: () => output,
    call,
    async stop(options = {}) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(options.kill ? 'SIGKILL' : 'SIGINT');
      return exited;
    },
  };
}

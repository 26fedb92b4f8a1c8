// `nicegold audit replay | explain | export | verify`: compliance's questions, answered from the event
// streams. JSON to stdout; progress and the final hash of an export to stderr.
import { createReadStream, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { ValidationError } from '../../../domain/shared/errors.ts';
import { accountStreamId } from '../../../domain/trading/account/index.ts';
import {
  accountAsOf, explainOrder, exportTrail, generateTrailKeys, presentAccountAsOf, presentExplanation, publicKey, signingKey, verifyTrail, type TrailKey,
} from '../../../commands/compliance/index.ts';
import { loadConfig } from '../../config/config.ts';
import { createLogger } from '../../logging/logger.ts';
import { openBackends, type Backends } from '../../runtime/backends.ts';
import { flag, parseArgs, requireFlag, type ParsedArgs } from '../args.ts';
import type { CliCommand } from '../commands.ts';

const USAGE = [
  'usage: nicegold audit replay --account A1 --at 2026-12-05T10:00:00Z   the account as the ledger knew it then',
  '       nicegold audit explain --account A1 --order <orderId>          the risk decision and every event of the order',
  '       nicegold audit export (--account A1 | --stream <id>) [--from T] [--to T] [--out trail.jsonl] [--sign-key <key file>]',
  '       nicegold audit verify <trail.jsonl> [--expect <final hash>] [--against-ledger] [--public-key <.pub file or folder of them>]',
  '       nicegold audit keygen --out <folder>                                an Ed25519 key pair for signing trails',
].join('\n');

function instant(name: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new ValidationError('CLI.INVALID_INSTANT', `--${name} must be an ISO 8601 instant, e.g. 2026-12-05T10:00:00Z; got ${JSON.stringify(text)}`);
  return at;
}

/** Progress of a long job on stderr (the caller reports every 1,000 events or so), so stdout stays the answer. */
async function withProgress<T>(what: string, work: (report: (events: number) => void) => Promise<T>): Promise<T> {
  const started = performance.now();
  let shown = false;
  try {
    return await work((events) => {
      shown = true;
      process.stderr.write(`\r${what} ${events} events, ${Math.round(events / ((performance.now() - started) / 1_000))} events/s   `);
    });
  } finally {
    if (shown) process.stderr.write('\n');
  }
}

const printJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

async function withBackends<T>(work: (backends: Backends) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const backends = await openBackends(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel));
  try {
    return await work(backends);
  } finally {
    await backends.close();
  }
}

async function replay(parsed: ParsedArgs): Promise<number> {
  const accountId = requireFlag(parsed, 'account', 'the account id');
  const at = instant('at', requireFlag(parsed, 'at', 'the instant, ISO 8601'))!;
  const asOf = await withBackends((b) => withProgress(`replay ${accountId}: read`, (onPage) => accountAsOf(b.eventStore, accountId, at, onPage)));
  printJson(presentAccountAsOf(asOf)); // the audit API's accountAsOf answers the same
  return 0;
}

async function explain(parsed: ParsedArgs): Promise<number> {
  const accountId = requireFlag(parsed, 'account', 'the account id');
  const orderId = requireFlag(parsed, 'order', 'the order id');
  printJson(presentExplanation(await withBackends((b) => withProgress(`explain ${orderId}: read`, (onPage) => explainOrder(b.eventStore, accountId, orderId, onPage)))));
  return 0;
}

const fileExists = (path: string) => new ValidationError('CLI.FILE_EXISTS', `${path} exists; a trail is never overwritten: choose another --out`);

/** Puts the finished file at `path` unless something is there already (a hard link never overwrites). */
function publish(partial: string, path: string): void {
  try {
    linkSync(partial, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' || existsSync(path)) throw fileExists(path);
    renameSync(partial, path); // a file system without hard links
  }
}

/**
 * Runs `work` writing lines into a new file beside `path`, synced to disk, then puts it at `path`. A trail
 * is evidence: an existing file is never overwritten, and a failed export leaves nothing behind (no
 * truncated trail, nothing in the way of the retry).
 */
async function intoNewFile<T>(path: string, work: (write: (line: string) => Promise<void>) => Promise<T>): Promise<T> {
  if (existsSync(path)) throw fileExists(path);
  const partial = `${path}.${randomUUID()}.partial`; // unique: a pid repeats (pid 1 in every container)
  const file = await open(partial, 'wx');
  let pending = '';
  const flush = async () => {
    if (pending !== '') await file.write(pending);
    pending = '';
  };
  try {
    const result = await work(async (line) => {
      pending += `${line}\n`;
      if (pending.length >= 1 << 16) await flush();
    });
    await flush();
    await file.sync();
    await file.close();
    publish(partial, path);
    await syncFolder(dirname(resolve(path))); // the new name on disk too
    return result;
  } finally {
    await file.close().catch(() => undefined); // closed already on success
    rmSync(partial, { force: true });
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function toStdout(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) await once(process.stdout, 'drain');
}

const keyFile = (path: string): string => {
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) throw new ValidationError('CLI.FILE_NOT_FOUND', `${path} is not a key file (make a pair with nicegold audit keygen --out <folder>)`);
  return readFileSync(path, 'utf8');
};

/** The public keys of --public-key: one .pub file, or every .pub file of a folder (the desk's key set). */
function publicKeys(path: string): TrailKey[] {
  const info = statSync(path, { throwIfNoEntry: false });
  if (info?.isDirectory()) {
    const files = readdirSync(path).filter((name) => name.endsWith('.pub')).sort();
    if (files.length === 0) throw new ValidationError('CLI.FILE_NOT_FOUND', `${path} holds no .pub key files`);
    return files.map((name) => publicKey(keyFile(join(path, name))));
  }
  return [publicKey(keyFile(path))];
}

/** Writes <keyId>.key (private, readable by its owner only) and <keyId>.pub into a folder. */
function keygen(parsed: ParsedArgs): number {
  const folder = requireFlag(parsed, 'out', 'the folder to write the key pair into');
  mkdirSync(folder, { recursive: true });
  const { keyId, privatePem, publicPem } = generateTrailKeys();
  const privatePath = join(folder, `${keyId}.key`);
  writeFileSync(privatePath, privatePem, { mode: 0o600, flag: 'wx' });
  writeFileSync(join(folder, `${keyId}.pub`), publicPem, { flag: 'wx' });
  process.stdout.write(`key ${keyId}: private ${privatePath} (keep it with the exporting service only), public ${join(folder, `${keyId}.pub`)} (give it to whoever verifies)\n`);
  return 0;
}

async function exportCommand(parsed: ParsedArgs): Promise<number> {
  const account = flag(parsed, 'account');
  const stream = flag(parsed, 'stream');
  if ((account === undefined) === (stream === undefined)) throw new ValidationError('CLI.USAGE', 'name one stream: --account A1 or --stream <stream id>');
  const range = { streamId: stream ?? accountStreamId(account!), from: instant('from', flag(parsed, 'from')), to: instant('to', flag(parsed, 'to')) };
  const path = flag(parsed, 'out');
  if (path !== undefined && existsSync(path)) throw fileExists(path); // before any work
  const signKey = flag(parsed, 'sign-key');
  const signer = signKey === undefined ? undefined : signingKey(keyFile(signKey));
  const trailRange = { streamId: range.streamId, ...(range.from ? { from: range.from } : {}), ...(range.to ? { to: range.to } : {}) };
  const summary = await withBackends((b) => withProgress(`export ${range.streamId}:`, (report) => {
    const progress = (events: number) => { if (events % 1_000 === 0) report(events); };
    return path === undefined
      ? exportTrail(b.eventStore, trailRange, new Date(), toStdout, progress, signer)
      : intoNewFile(path, (write) => exportTrail(b.eventStore, trailRange, new Date(), write, progress, signer));
  }));
  if (summary.events === 0) process.stderr.write(`warning: ${range.streamId} has no events${range.from || range.to ? ' in this range' : ''}: check the account or stream id\n`);
  process.stderr.write(`${range.streamId}: ${summary.events} events${path ? ` in ${path}` : ''}; final hash ${summary.finalHash}${signer ? `; signed with key ${signer.keyId}` : ''}\n`);
  process.stderr.write(signer ? 'check it with: nicegold audit verify <file> --public-key <the key\'s .pub file>\n' : 'unsigned: keep the final hash apart from the file (nicegold audit verify <file> --expect <hash>), or export with --sign-key\n');
  return 0;
}

/**
 * The file's lines, split on \n alone and decoded as strict UTF-8, read as a stream (a trail can be larger
 * than fits in one string: 512 MB in Node). A \r or an invalid byte stays in its line and fails it: the
 * bytes verified are the bytes of the file.
 */
async function* fileLines(file: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const input = createReadStream(file);
  let carry = Buffer.alloc(0);
  let n = 0;
  const decode = (bytes: Buffer): string => {
    n += 1;
    try {
      return decoder.decode(bytes);
    } catch {
      return `\u0000line ${n} is not valid UTF-8`; // can never be a canonical line
    }
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a)) {
        yield decode(bytes.subarray(0, at));
        bytes = bytes.subarray(at + 1);
      }
      carry = Buffer.from(bytes);
    }
    if (carry.length > 0) yield decode(carry); // a last line without its newline
  } finally {
    input.destroy();
  }
}

async function verify(parsed: ParsedArgs): Promise<number> {
  const [, file] = parsed.positional;
  if (file === undefined) throw new ValidationError('CLI.USAGE', 'which trail? nicegold audit verify <trail.jsonl>');
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) throw new ValidationError('CLI.FILE_NOT_FOUND', `${file} is not a file`);
  const againstLedger = parsed.flags.get('against-ledger') === true;
  const keyPath = flag(parsed, 'public-key');
  const keys = keyPath === undefined ? {} : { keys: publicKeys(keyPath) };
  // One pass over the file: the chain, and with --against-ledger the ledger's events, line by line.
  const result = againstLedger
    ? await withBackends((b) => verifyTrail(fileLines(file), { against: b.eventStore, ...keys }))
    : await verifyTrail(fileLines(file), keys);
  if (!result.ok) {
    process.stderr.write(`${file}: ${result.ledger ? 'DIFFERS FROM THE LEDGER' : 'NOT INTACT'} at line ${result.line}: ${result.reason}\n`);
    return 1;
  }
  const expected = flag(parsed, 'expect');
  if (expected !== undefined && expected !== result.finalHash) {
    process.stderr.write(`${file}: NOT THE TRAIL EXPECTED: its final hash is ${result.finalHash}, not ${expected} (the whole chain was rewritten, or this is another export)\n`);
    return 1;
  }
  const { from, to, throughRevision } = result.header;
  const recorded = from || to ? `recorded ${from ? `from ${from.toISOString()} ` : ''}${to ? `to ${to.toISOString()}` : ''}`.trim() : 'all recorded';
  const range = `${recorded}, through revision ${throughRevision ?? 'none'}`;
  const signed = result.signature.state === 'valid' ? `; signed by key ${result.signature.keyId}, signature valid`
    : result.signature.state === 'unchecked' ? `; signed by key ${result.signature.keyId} (signature not checked: give --public-key)` : '; UNSIGNED';
  process.stdout.write(`${file}: intact, ${result.events} events of ${result.header.streamId} (${range}) exported at ${result.header.exportedAt}; final hash ${result.finalHash}${againstLedger ? '; matches the ledger' : ''}${signed}\n`);
  return 0;
}

export const command: CliCommand = {
  name: 'audit',
  summary: 'audit replay | explain | export | verify | keygen: an account as of an instant, why an order was decided so, a signed tamper-evident trail',
  async run(args) {
    const parsed = parseArgs(args, ['against-ledger']);
    switch (parsed.positional[0]) {
      case 'replay': return replay(parsed);
      case 'explain': return explain(parsed);
      case 'export': return exportCommand(parsed);
      case 'verify': return verify(parsed);
      case 'keygen': return keygen(parsed);
      default: throw new ValidationError('CLI.USAGE', USAGE);
    }
  },
};

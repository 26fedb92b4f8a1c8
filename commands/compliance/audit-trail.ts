// Compliance: a stream's events exported as a tamper-evident trail, and the check of one.
//
// JSON Lines, each line canonical JSON (keys sorted, bigints as {"$bigint": "…"}): a header, one line per
// event, an end line with the count. Every line carries `prev`, the hash of the line before it, and
// `hash` = SHA-256 of prev, a newline and the line's canonical text without `hash`. Editing, removing,
// reordering or inserting a line breaks the chain from there on, and cutting the file short loses the end
// line. Whoever can rewrite the whole chain can forge one, so the final hash is printed at export to be
// kept elsewhere (`--expect` checks it), and a trail can be checked against the ledger itself.
//
// A signed trail (version 2) names its signing key in the header (`keyId`) and carries in its end line an
// Ed25519 signature over the hash of the line before it, which chains every line above: whoever rewrites
// the chain cannot sign the new one without the private key. Verification with the desk's public keys
// reports a trail as signed and valid, signed by an unknown key, forged, or unsigned: never unsigned as valid.
//
// The header fixes what the trail covers: the stream, the recorded-at range asked for, and the stream's
// last revision when the export began (`throughRevision`). Events appended later are not the trail's,
// so a trail checked against the ledger months on still matches.
import { createPrivateKey, createPublicKey, generateKeyPairSync, hash, sign, verify, type KeyObject } from 'node:crypto';
import type { EventStore, RecordedEvent } from '../../domain/ports/event-store.ts';
import { ValidationError } from '../../domain/shared/errors.ts';
import { canonicalJson, fromJson } from '../trading/json.ts';
import { streamEvents } from './account-as-of.ts';

export const TRAIL_FORMAT = 'nicegold-audit-trail';
const GENESIS = '';
const VERSION = 2;

/** An Ed25519 key of the desk's: its id is the first 16 hex digits of the SHA-256 of its public key (SPKI DER). */
export interface TrailKey {
  readonly keyId: string;
  readonly key: KeyObject;
}

const keyIdOf = (publicKey: KeyObject): string => hash('sha256', publicKey.export({ type: 'spki', format: 'der' }), 'hex').slice(0, 16);

function ed25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new ValidationError('AUDIT.KEY_INVALID', `${what} is a ${String(key.asymmetricKeyType)} key; trails are signed with Ed25519 (nicegold audit keygen)`);
  return key;
}

/** A new signing key pair, as PEM (PKCS#8 private, SPKI public). */
export function generateTrailKeys(): { keyId: string; privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    keyId: keyIdOf(publicKey),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const readKey = (load: () => KeyObject, what: string): KeyObject => {
  try {
    return load();
  } catch {
    throw new ValidationError('AUDIT.KEY_INVALID', `${what} is not a PEM key (make one with nicegold audit keygen)`);
  }
};

export function signingKey(pem: string): TrailKey {
  const key = ed25519(readKey(() => createPrivateKey(pem), 'the signing key'), 'the signing key');
  return { keyId: keyIdOf(createPublicKey(key)), key };
}

export function publicKey(pem: string): TrailKey {
  const key = ed25519(readKey(() => createPublicKey(pem), 'the public key'), 'the public key');
  return { keyId: keyIdOf(key), key };
}

/** What the end line's signature signs: the trail's format, the key, the count and the hash of every line above. */
const signedText = (keyId: string, count: number, prev: string): Buffer => Buffer.from(`${TRAIL_FORMAT} signature\n${keyId}\n${count}\n${prev}`);

export interface TrailRange {
  readonly streamId: string;
  /** Events recorded at or after / at or before these instants (both optional). */
  readonly from?: Date;
  readonly to?: Date;
}

/** What a trail covers, as its header says. */
export interface TrailHeader extends TrailRange {
  /** The stream's last revision when the export began; undefined when it had no events. */
  readonly throughRevision: bigint | undefined;
  readonly exportedAt: string;
}

/** An event as the trail holds it: everything the store recorded, times as ISO text, positions as text. */
export const trailRecord = (e: RecordedEvent) => ({
  eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, streamId: e.streamId, revision: e.revision.toString(),
  globalPosition: e.globalPosition.toString(), occurredAt: e.occurredAt.toISOString(), recordedAt: e.recordedAt.toISOString(),
  data: e.data, metadata: e.metadata,
});

const sha256 = (text: string): string => hash('sha256', text, 'hex');
const canonical = (value: unknown): string => canonicalJson(value) ?? 'null';

/** The line for `body` chained after `prev`: its canonical text with `prev` and `hash`, and that hash. */
function chained(body: Record<string, unknown>, prev: string): { line: string; hash: string } {
  const withPrev = { ...body, prev };
  const lineHash = sha256(`${prev}\n${canonical(withPrev)}`);
  return { line: canonical({ ...withPrev, hash: lineHash }), hash: lineHash };
}

/** The events a trail with this header holds, from the store, in order. */
async function* covered(store: EventStore, header: TrailHeader): AsyncGenerator<RecordedEvent> {
  const { through, from, to } = { through: header.throughRevision, from: header.from?.getTime(), to: header.to?.getTime() };
  if (through === undefined) return;
  for await (const event of streamEvents(store, header.streamId)) {
    if (event.revision > through) return;
    const at = event.recordedAt.getTime();
    if ((from === undefined || at >= from) && (to === undefined || at <= to)) yield event;
  }
}

export interface ExportSummary {
  readonly events: number;
  readonly finalHash: string;
}

/** Writes the trail of `range` line by line (each without its newline); `onEvent` after every event line. */
export async function exportTrail(
  store: EventStore, range: TrailRange, exportedAt: Date, write: (line: string) => Promise<void> | void, onEvent?: (events: number) => void, signer?: TrailKey,
): Promise<ExportSummary> {
  const [head] = await store.readStream(range.streamId, { direction: 'backwards', maxCount: 1 });
  const header: TrailHeader = { ...range, throughRevision: head?.revision, exportedAt: exportedAt.toISOString() };
  let last = chained({
    kind: 'header', format: TRAIL_FORMAT, version: VERSION, streamId: range.streamId, from: range.from?.toISOString() ?? null, to: range.to?.toISOString() ?? null,
    throughRevision: head?.revision.toString() ?? null, exportedAt: header.exportedAt, keyId: signer?.keyId ?? null,
  }, GENESIS);
  await write(last.line);
  let events = 0;
  for await (const event of covered(store, header)) {
    events += 1;
    last = chained({ kind: 'event', seq: events, event: trailRecord(event) }, last.hash);
    await write(last.line);
    onEvent?.(events);
  }
  const signature = signer ? sign(null, signedText(signer.keyId, events, last.hash), signer.key).toString('base64') : null;
  last = chained({ kind: 'end', count: events, signature }, last.hash);
  await write(last.line);
  return { events, finalHash: last.hash };
}

/** unsigned; signed but not checked (no public keys given); signed and checked valid. */
export type TrailSignature = { readonly state: 'unsigned' } | { readonly state: 'unchecked' | 'valid'; readonly keyId: string };

export type VerifyResult =
  | { readonly ok: true; readonly header: TrailHeader; readonly events: number; readonly finalHash: string; readonly signature: TrailSignature }
  /** `ledger`: the chain held up to `line`, but the trail differs from the ledger there. */
  | { readonly ok: false; readonly line: number; readonly reason: string; readonly ledger: boolean };

type Line = Record<string, unknown> & { prev?: unknown; hash?: unknown; kind?: unknown };
type Kind = 'header' | 'event' | 'end';

const parseLine = (text: string): Line | undefined => {
  try {
    const value = fromJson<unknown>(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Line) : undefined;
  } catch {
    return undefined;
  }
};

/** The members each kind of line has, and no others: a member added to a line is a change to it. */
const LINE_KEYS: Readonly<Record<number, Readonly<Record<Kind, string>>>> = {
  1: { header: 'exportedAt,format,from,hash,kind,prev,streamId,throughRevision,to,version', event: 'event,hash,kind,prev,seq', end: 'count,hash,kind,prev' },
  2: { header: 'exportedAt,format,from,hash,keyId,kind,prev,streamId,throughRevision,to,version', event: 'event,hash,kind,prev,seq', end: 'count,hash,kind,prev,signature' },
};

const isInstantText = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;
const isRevisionText = (value: unknown): value is string => typeof value === 'string' && /^(0|[1-9]\d*)$/.test(value);

function headerProblem(line: Line): string | undefined {
  if (line.format !== TRAIL_FORMAT || (line.version !== 1 && line.version !== 2)) return `not a ${TRAIL_FORMAT} version 1 or 2 file`;
  if (line.version === 2 && line.keyId !== null && !(typeof line.keyId === 'string' && /^[0-9a-f]{16}$/.test(line.keyId))) return 'the header\'s keyId must be null or 16 hex digits';
  if (typeof line.streamId !== 'string' || line.streamId === '') return 'the header names no stream';
  if (!isInstantText(line.exportedAt)) return 'the header\'s exportedAt is not an ISO instant';
  if (![line.from, line.to].every((t) => t === null || isInstantText(t))) return 'the header\'s from / to must each be null or an ISO instant';
  if (line.throughRevision !== null && !isRevisionText(line.throughRevision)) return 'the header\'s throughRevision must be null or a revision';
  return undefined;
}

/**
 * Why line `n` (1-based) of a trail does not hold, or undefined when it does. The text must be exactly
 * the canonical form of what it parses to (JSON.parse keeps the last of two members of the same name,
 * and would read "0x10" as a bigint: a line written any other way than the export writes it is refused),
 * then the chain, the line's kind and place, and its members.
 */
function lineProblem(text: string, line: Line | undefined, n: number, prev: string, kind: Kind, version: number): string | undefined {
  if (!line) return 'not a JSON object';
  if (canonical(line) !== text) return 'not written as the export writes it (canonical JSON): the line was changed';
  const { hash: claimed, ...body } = line;
  if (body.prev !== prev) return n === 1 ? 'the header must start the chain (prev "")' : "prev is not the previous line's hash: a line was removed, inserted or reordered";
  if (claimed !== sha256(`${prev}\n${canonical(body)}`)) return "hash does not match the line's content: the line was changed";
  if (body.kind !== kind) {
    if (kind === 'end') return 'the trail does not end with its end line: it was cut short';
    return body.kind === 'end' ? 'lines follow the end line' : `expected a ${kind} line, found ${String(body.kind)}`;
  }
  if (kind === 'event' && body.seq !== n - 1) return `event line out of sequence (seq ${String(body.seq)}, expected ${n - 1})`;
  if (kind === 'end' && body.count !== n - 2) return `the end line counts ${String(body.count)} events, the trail holds ${n - 2}`;
  const keys = (LINE_KEYS[kind === 'header' ? Number(line.version) : version] ?? LINE_KEYS[VERSION]!)[kind];
  if (Object.keys(line).sort().join(',') !== keys) return `the ${kind} line has members other than ${keys}`;
  return kind === 'header' ? headerProblem(line) : undefined;
}

const headerOf = (line: Line): TrailHeader => ({
  streamId: String(line.streamId),
  ...(isInstantText(line.from) ? { from: new Date(line.from) } : {}),
  ...(isInstantText(line.to) ? { to: new Date(line.to) } : {}),
  throughRevision: isRevisionText(line.throughRevision) ? BigInt(line.throughRevision) : undefined,
  exportedAt: String(line.exportedAt),
});

/** Compares each line with the ledger's next covered event as the chain is checked (one pass, one read of the file). */
class LedgerCheck {
  private events: AsyncIterator<RecordedEvent> | undefined;
  constructor(private readonly store: EventStore) {}

  async problem(line: Line, kind: Kind): Promise<string | undefined> {
    if (kind === 'header') { this.events = covered(this.store, headerOf(line)); return undefined; }
    const next = await this.events!.next();
    if (kind === 'end') return next.done ? undefined : `the ledger holds more events in the trail's range than the trail (revision ${next.value.revision} is missing)`;
    if (next.done) return 'the trail holds events the ledger does not have in its range';
    return canonical(line.event) === canonical(trailRecord(next.value)) ? undefined : `differs from the ledger's event at revision ${next.value.revision}`;
  }
}

/**
 * Checks a trail's lines (without their newlines) one at a time, in constant memory, and with `against`
 * compares every event with the ledger's in the same pass. A line is judged once the next arrives (only
 * then is it known not to be the last, which must be the end line).
 */
export async function verifyTrail(
  lines: Iterable<string> | AsyncIterable<string>, options: { readonly against?: EventStore; readonly keys?: readonly TrailKey[] } = {},
): Promise<VerifyResult> {
  const ledger = options.against ? new LedgerCheck(options.against) : undefined;
  let signature: TrailSignature = { state: 'unsigned' };
  let prev = GENESIS;
  let header: Line | undefined;
  let pending: string | undefined;
  let n = 0;
  const judge = async (text: string, last: boolean): Promise<VerifyResult | undefined> => {
    const kind: Kind = n === 1 ? 'header' : last ? 'end' : 'event';
    const line = parseLine(text);
    const problem = lineProblem(text, line, n, prev, kind, Number(header?.version ?? line?.version));
    if (problem) return { ok: false, line: n, reason: problem, ledger: false };
    if (kind === 'end') {
      const checked = signatureOf(header ?? line!, line!, prev, options.keys);
      if ('reason' in checked) return { ok: false, line: n, reason: checked.reason, ledger: false };
      signature = checked;
    }
    const differs = await ledger?.problem(line!, kind);
    if (differs) return { ok: false, line: n, reason: differs, ledger: true };
    header ??= line;
    prev = line!.hash as string;
    return undefined;
  };
  for await (const text of lines) {
    if (pending !== undefined) {
      const failed = await judge(pending, false);
      if (failed) return failed;
    }
    pending = text;
    n += 1;
  }
  if (n < 2) return { ok: false, line: n + 1, reason: 'a trail has at least a header and an end line: it was cut short', ledger: false };
  return (await judge(pending!, true)) ?? { ok: true, header: headerOf(header!), events: n - 2, finalHash: prev, signature };
}

/** The end line's signature as the header's key and the given public keys judge it. */
function signatureOf(header: Line, end: Line, prev: string, keys: readonly TrailKey[] | undefined): TrailSignature | { reason: string } {
  const keyId = header.keyId;
  if (typeof keyId !== 'string' || end.signature === null || end.signature === undefined) {
    if (typeof keyId === 'string' || (end.signature !== null && end.signature !== undefined)) return { reason: 'the header names a signing key and the end line has no signature, or the reverse' };
    return keys === undefined ? { state: 'unsigned' } : { reason: 'UNSIGNED: the trail carries no signature, so nothing shows who exported it; ask for a signed export (audit export --sign-key)' };
  }
  if (typeof end.signature !== 'string') return { reason: 'the end line\'s signature is not base64 text' };
  if (keys === undefined) return { state: 'unchecked', keyId };
  const key = keys.find((k) => k.keyId === keyId);
  if (key === undefined) return { reason: `signed by key ${keyId}, which is not among the public keys given (${keys.map((k) => k.keyId).join(', ') || 'none'})` };
  const valid = verify(null, signedText(keyId, Number(end.count), prev), key.key, Buffer.from(end.signature, 'base64'));
  return valid ? { state: 'valid', keyId } : { reason: `the signature does not verify with key ${keyId}: the chain was rewritten after signing, or the signature belongs to another trail` };
}

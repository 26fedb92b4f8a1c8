// Streams a tick file through the ingester: one line at a time (constant memory on a file of any size),
// batches of about a thousand, each read and validated while the one before is written, progress from the
// bytes of the lines recorded against the file size at the pace of the last seconds (import-pace.ts). A tick is named by what it
// is (symbol, time, bid, ask, volume: tick-identity.ts), never by the file's name or its line, so a new
// tick is imported whatever its file is called and the same tick from any file is recorded once.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { KeyValueStore } from '../../../domain/ports/key-value.ts';
import { LedgerError } from '../../../domain/shared/errors.ts';
import type { TickIngester, TickOutcome, TickSubmission } from '../tick-ingester.ts';
import { lineParser, readCsvHeader, type ImportFormat } from './formats.ts';
import { CheckpointWriter, ImportPace } from './import-pace.ts';
import { fileDigest, importSource, TickIdentities, unreadableLineIdentity } from './tick-identity.ts';

export type { ImportProgress } from './import-pace.ts';
import type { ImportProgress } from './import-pace.ts';

export interface ImportSummary {
  /** The source the file's ticks are recorded under. */
  readonly source: string;
  readonly lines: number;
  /** New ticks, recorded as TickReceived. */
  readonly accepted: number;
  /** Ticks (and unreadable lines) recorded before, by this file or any other: nothing written. */
  readonly duplicate: number;
  /** New ticks and lines refused, recorded as TickRejected, by reason. */
  readonly rejected: Readonly<Record<string, number>>;
  /**
   * Every line refused, in file order: unreadable (MALFORMED) or refused by validation (CROSSED,
   * OUTSIDE_TRADING_HOURS, ...), with its line number, reason and detail. Up to MAX_LISTED_REJECTIONS;
   * the rest are counted in unlistedRejected (and all are passed to onRejected).
   */
  readonly rejectedLines: readonly RejectedLine[];
  readonly unlistedRejected: number;
  readonly seconds: number;
  /** Lines a killed import of the same file had already recorded (its checkpoint): skipped, not read again. 0: from line 1. */
  readonly resumedAfterLine: number;
  /**
   * Set when the import stopped on a batch the ledger did not record (ImportInterrupted): every line up to
   * `afterLine` is recorded and counted above (its rejected lines listed); the lines after it are not
   * acknowledged, and the same command run again resumes after `afterLine` (with a checkpoint store).
   */
  readonly interrupted?: { readonly afterLine: number; readonly error: string };
}

/**
 * An append failed (the database went away, a statement was refused): the import stopped. `summary` is
 * what was recorded up to the last batch the ledger acknowledged, every rejected line of it listed. Its
 * category is the failure's: `unavailable` when the store could not be reached (run it again once it is
 * back), `internal` when the database refused a statement (running it again alone will not help).
 */
export class ImportInterrupted extends LedgerError {
  constructor(readonly summary: ImportSummary, cause: unknown) {
    const afterLine = summary.interrupted?.afterLine ?? 0;
    super('IMPORT.INTERRUPTED', cause instanceof LedgerError ? cause.category : 'internal', `import stopped: lines after ${afterLine} were not recorded (${summary.interrupted?.error ?? String(cause)}); run it again to resume after line ${afterLine}`, { afterLine }, { cause });
  }
}

export interface ImportOptions {
  readonly file: string;
  readonly format: ImportFormat;
  readonly symbol: string;
  /** Defaults to `{format}:{file name}#{content hash}` (tick-identity.ts); ticks are checked for order per source. */
  readonly source?: string;
  readonly ingester: TickIngester;
  readonly batchSize?: number;
  readonly onProgress?: (progress: ImportProgress) => void;
  readonly progressEveryMs?: number;
  /** Called for every rejected line, listed in the summary or not (the CLI's --rejects file). */
  readonly onRejected?: (rejection: RejectedLine) => void;
  /**
   * Where the import keeps its checkpoint (the last line recorded, per file content and symbol) after every
   * batch, so a killed import resumes after it; cleared when the file is done. Without it, every run starts
   * at line 1 (and finds the lines recorded before as duplicates).
   */
  readonly checkpoints?: KeyValueStore;
}

export interface RejectedLine {
  readonly line: number;
  readonly reason: string;
  readonly detail: string;
  /**
   * Recorded as rejected by a killed or failed run of this import, past the checkpoint it resumed from (a
   * batch written whose answer or checkpoint never came): counted as a duplicate, listed since that run
   * never reported it. (A whole file imported again lists none: its first import reported them.)
   */
  readonly recordedBefore?: boolean;
}

export const MAX_LISTED_REJECTIONS = 1_000;

/** MT5 writes UTF-16 little-endian with a byte-order mark; everything else is read as UTF-8. */
async function sniffEncoding(file: string): Promise<BufferEncoding> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0xff && buffer[1] === 0xfe ? 'utf16le' : 'utf8';
  } finally {
    await handle.close();
  }
}

/** The first non-blank line of a file (a header, if it has one). */
async function firstLine(file: string, encoding: BufferEncoding): Promise<string | undefined> {
  const lines = createInterface({ input: createReadStream(file, { encoding }), crlfDelay: Infinity });
  try {
    for await (const line of lines) if (line.trim() !== '') return line.replace(/^\uFEFF/, '').replace(/\r$/, '');
    return undefined;
  } finally {
    lines.close();
  }
}

/**
 * Refuses a file whose header the format does not know (IMPORT.UNKNOWN_HEADER) before anything is
 * opened for writing: the CLI calls it before it opens the event store, importTicks before its first batch.
 */
export async function checkImportFile(file: string, format: ImportFormat): Promise<void> {
  if (format !== 'csv') return; // MT5 and Dukascopy files are read by position; their headers are optional
  const header = await firstLine(file, await sniffEncoding(file));
  if (header !== undefined) readCsvHeader(header);
}

class Tally {
  accepted = 0;
  duplicate = 0;
  unlisted = 0;
  readonly rejected: Record<string, number> = {};
  readonly rejectedLines: RejectedLine[] = [];

  /** `listRecordedBefore`: an import of a file whose last import did not finish, which never reported the duplicates past its checkpoint. */
  constructor(private readonly onRejected: ((rejection: RejectedLine) => void) | undefined, private readonly listRecordedBefore: boolean) {}

  /** `lineNumbers[i]` is the line outcome i was read from. */
  add(outcomes: readonly TickOutcome[], lineNumbers: readonly number[]): void {
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'accepted') this.accepted += 1;
      else if (outcome.status === 'duplicate') {
        this.duplicate += 1;
        const { judged } = outcome;
        if (judged === undefined || !this.listRecordedBefore) return;
        const line = lineNumbers[index] ?? 0;
        this.list({ line, reason: judged.reason, detail: judged.detail.replace(`line ${line}: `, ''), recordedBefore: true });
      } else {
        const reason = outcome.reason ?? 'UNKNOWN';
        this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
        const line = lineNumbers[index] ?? 0;
        // An unreadable line's recorded detail starts with its line number: listed beside it already.
        this.list({ line, reason, detail: (outcome.detail ?? '').replace(`line ${line}: `, '') });
      }
    });
  }

  private list(rejection: RejectedLine): void {
    this.onRejected?.(rejection);
    if (this.rejectedLines.length < MAX_LISTED_REJECTIONS) this.rejectedLines.push(rejection);
    else this.unlisted += 1;
  }
}

/** Ticks per batch: one append per stream and day each. */
const DEFAULT_BATCH_SIZE = 1_000;
/** Batches submitted and not yet answered: the next one is parsed and validated while these are written. */
const BATCHES_IN_FLIGHT = 2;

export async function importTicks(options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  await checkImportFile(options.file, options.format);
  const totalBytes = (await stat(options.file)).size;
  const digest = await fileDigest(options.file);
  const source = options.source ?? importSource(options.format, options.file, digest);
  const identities = new TickIdentities();
  const checkpointKey = `import-checkpoint:${options.symbol}:${digest}`;
  const stored = await options.checkpoints?.get(checkpointKey);
  const saved = Number(stored ?? 0);
  const resumeAfter = Number.isSafeInteger(saved) && saved > 0 ? saved : 0;
  // The key stays from the start of an import to its end ('0' until a first batch is recorded): an import
  // killed before its first checkpoint leaves it too, so the next run knows the duplicates it meets may be
  // lines that run recorded and never reported, and lists the refused ones among them. A file imported to
  // the end (no key) lists none of its refused lines again: its import reported them.
  const unfinishedBefore = stored !== undefined;
  if (!unfinishedBefore) await options.checkpoints?.set(checkpointKey, '0');
  const checkpoint = new CheckpointWriter(options.checkpoints, checkpointKey);
  const parse = lineParser(options.format, { symbol: options.symbol, source });
  const encoding = await sniffEncoding(options.file);
  const input = createReadStream(options.file, { encoding });
  const lines = createInterface({ input, crlfDelay: Infinity });
  // Progress counts the bytes of the lines recorded, not those the stream has read: it reads ahead by a
  // chunk, and two batches are in flight, some 150 kB that made the ETA early in a file promise too little.
  const bytesPerChar = encoding === 'utf16le' ? 2 : 1;
  let breakChars = 1; // "\n", or "\r\n" (readline drops both): seen in the first chunk
  input.once('data', (chunk) => { if (String(chunk).includes('\r\n')) breakChars = 2; });
  let lineChars = 0; // every line's characters up to the current one, its break included
  const bytesThrough = () => Math.min(totalBytes, lineChars * bytesPerChar);
  let recordedBytes = 0;
  const tally = new Tally(options.onRejected, unfinishedBefore);
  const pace = new ImportPace(totalBytes);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  let batch: TickSubmission[] = [];
  let batchLines: number[] = [];
  let lineNumber = 0;
  let lastReport = 0;
  let skipping = resumeAfter > 0;
  const report = () => options.onProgress?.(pace.progress(recordedBytes, recordedThrough));
  const summarise = (): ImportSummary => ({
    source, lines: lineNumber, accepted: tally.accepted, duplicate: tally.duplicate, rejected: tally.rejected,
    rejectedLines: tally.rejectedLines, unlistedRejected: tally.unlisted, seconds: (performance.now() - started) / 1_000, resumedAfterLine: resumeAfter,
  });
  const inFlight: Promise<void>[] = [];
  let answeredSoFar: Promise<void> = Promise.resolve();
  let failed = false;
  /** The last line of the last batch the ledger acknowledged (and the tally counted). */
  let recordedThrough = resumeAfter;
  const submit = () => {
    if (batch.length === 0) return;
    const numbers = batchLines;
    const bytes = bytesThrough();
    const ingested = options.ingester.ingest(batch);
    ingested.catch(() => { failed = true; }); // nothing more is submitted once a batch failed
    // In submission order, and only after every batch before it: the checkpoint never passes a batch that failed.
    const answered = answeredSoFar.then(async () => {
      tally.add(await ingested, numbers);
      recordedThrough = numbers[numbers.length - 1]!;
      recordedBytes = bytes;
      pace.sample(recordedBytes, recordedThrough);
      checkpoint.record(recordedThrough);
    });
    answered.catch(() => undefined); // awaited below, in order; this only keeps it from being reported unhandled
    answeredSoFar = answered;
    inFlight.push(answered);
    batch = [];
    batchLines = [];
  };
  try {
    for await (const raw of lines) {
      lineNumber += 1;
      lineChars += raw.length + breakChars;
      const line = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      const parsed = parse(line, lineNumber);
      if (parsed.kind === 'skip') continue;
      if (lineNumber <= resumeAfter) { // recorded by the killed run: only its identity counter moves on
        if (parsed.kind === 'tick') identities.of(parsed.tick);
        continue;
      }
      if (skipping) { // the lines skipped took no time: the pace starts here
        skipping = false;
        recordedBytes = Math.min(totalBytes, (lineChars - raw.length - breakChars) * bytesPerChar);
        pace.restart(recordedBytes, lineNumber - 1);
      }
      if (parsed.kind === 'tick') { // back-filled: history, not the live market
        const { tick } = parsed; // one literal, not a spread: this runs once per line
        batch.push({
          symbol: tick.symbol, source: tick.source, sequence: tick.sequence, bid: tick.bid, ask: tick.ask, timestamp: tick.timestamp,
          volume: tick.volume, history: true, identity: identities.of(tick),
        });
      }
      else {
        const key = unreadableLineIdentity(options.symbol, digest, lineNumber);
        batch.push({ unreadable: { raw: line, detail: `line ${lineNumber}: ${parsed.detail}`, key, symbol: options.symbol, source, sequence: BigInt(lineNumber) } });
      }
      batchLines.push(lineNumber);
      if (batch.length < batchSize) continue;
      if (failed) break; // the failure is thrown below, from the batch that failed
      submit();
      if (inFlight.length >= BATCHES_IN_FLIGHT) await inFlight.shift();
      if (performance.now() - lastReport >= (options.progressEveryMs ?? 500)) {
        lastReport = performance.now();
        report();
      }
    }
    if (!failed) submit();
    while (inFlight.length > 0) await inFlight.shift();
  } catch (error) {
    await Promise.allSettled(inFlight);
    await checkpoint.idle();
    lines.close();
    input.destroy();
    const summary = {
      ...summarise(), lines: recordedThrough,
      interrupted: { afterLine: recordedThrough, error: error instanceof Error ? error.message : String(error) },
    };
    throw new ImportInterrupted(summary, error);
  } finally {
    await Promise.allSettled(inFlight);
    await checkpoint.idle();
  }
  checkpoint.throwIfFailed();
  await options.checkpoints?.delete(checkpointKey);
  recordedBytes = totalBytes;
  pace.sample(recordedBytes, recordedThrough);
  report();
  return summarise();
}

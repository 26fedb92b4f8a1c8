// Streams a tick file through the ingester: one line at a time (constant memory on a file of any size),
// batches of about a thousand, progress from bytes read against the file size. Each tick's sequence is
// its line number and the source names the file, so running the same import again writes nothing new.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { tickIdempotencyKey } from '../../../domain/market-data/index.ts';
import type { TickIngester, TickOutcome, TickSubmission } from '../tick-ingester.ts';
import { lineParser, type ImportFormat } from './formats.ts';

export interface ImportProgress {
  readonly bytesRead: number;
  readonly totalBytes: number;
  readonly lines: number;
  readonly ticksPerSecond: number;
  /** Seconds left at the current pace; undefined until there is a pace. */
  readonly etaSeconds: number | undefined;
}

export interface ImportSummary {
  readonly lines: number;
  readonly accepted: number;
  /** Already recorded by an earlier import: nothing written. */
  readonly duplicate: number;
  readonly rejected: Readonly<Record<string, number>>;
  /** Lines that could not be read, with their line numbers (the first MAX_LISTED; all are counted in rejected.MALFORMED). */
  readonly malformedLines: ReadonlyArray<{ readonly line: number; readonly detail: string }>;
  readonly seconds: number;
}

export interface ImportOptions {
  readonly file: string;
  readonly format: ImportFormat;
  readonly symbol: string;
  /** Defaults to `{format}:{file name}`: the same file imported twice is the same source. */
  readonly source?: string;
  readonly ingester: TickIngester;
  readonly batchSize?: number;
  readonly onProgress?: (progress: ImportProgress) => void;
  readonly progressEveryMs?: number;
}

const MAX_LISTED = 100;

export const defaultImportSource = (format: ImportFormat, file: string): string => `${format}:${path.basename(file)}`.slice(0, 64);

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

class Tally {
  accepted = 0;
  duplicate = 0;
  readonly rejected: Record<string, number> = {};
  readonly malformedLines: Array<{ line: number; detail: string }> = [];

  add(outcomes: readonly TickOutcome[]): void {
    for (const outcome of outcomes) {
      if (outcome.status === 'accepted') this.accepted += 1;
      else if (outcome.status === 'duplicate') this.duplicate += 1;
      else this.rejected[outcome.reason ?? 'UNKNOWN'] = (this.rejected[outcome.reason ?? 'UNKNOWN'] ?? 0) + 1;
    }
  }

  malformed(line: number, detail: string): void {
    if (this.malformedLines.length < MAX_LISTED) this.malformedLines.push({ line, detail });
  }
}

export async function importTicks(options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const totalBytes = (await stat(options.file)).size;
  const source = options.source ?? defaultImportSource(options.format, options.file);
  const parse = lineParser(options.format, { symbol: options.symbol, source });
  const input = createReadStream(options.file, { encoding: await sniffEncoding(options.file) });
  const lines = createInterface({ input, crlfDelay: Infinity });
  const tally = new Tally();
  const batchSize = options.batchSize ?? 1_000;
  let batch: TickSubmission[] = [];
  let lineNumber = 0;
  let lastReport = 0;
  const report = () => {
    const seconds = (performance.now() - started) / 1_000;
    const pace = input.bytesRead / Math.max(seconds, 1e-3);
    options.onProgress?.({
      bytesRead: input.bytesRead, totalBytes, lines: lineNumber, ticksPerSecond: lineNumber / Math.max(seconds, 1e-3),
      etaSeconds: pace > 0 ? (totalBytes - input.bytesRead) / pace : undefined,
    });
  };
  const flush = async () => {
    if (batch.length === 0) return;
    tally.add(await options.ingester.ingest(batch));
    batch = [];
    if (performance.now() - lastReport >= (options.progressEveryMs ?? 500)) {
      lastReport = performance.now();
      report();
    }
  };
  for await (const raw of lines) {
    lineNumber += 1;
    const line = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    const parsed = parse(line, lineNumber);
    if (parsed.kind === 'skip') continue;
    if (parsed.kind === 'tick') batch.push({ ...parsed.tick, history: true }); // back-filled: history, not the live market
    else {
      tally.malformed(lineNumber, parsed.detail);
      const sequence = BigInt(lineNumber);
      batch.push({ unreadable: { raw: line, detail: `line ${lineNumber}: ${parsed.detail}`, key: tickIdempotencyKey(options.symbol, source, sequence), symbol: options.symbol, source, sequence } });
    }
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  report();
  return {
    lines: lineNumber, accepted: tally.accepted, duplicate: tally.duplicate, rejected: tally.rejected,
    malformedLines: tally.malformedLines, seconds: (performance.now() - started) / 1_000,
  };
}

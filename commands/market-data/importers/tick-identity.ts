// What an imported tick is, so that importing it again from any file writes nothing, and a new tick is
// never mistaken for an old one because its file has a familiar name (issue 19.1: a/mt5.tsv then
// b/mt5.tsv, other days, imported nothing of b).
//
// - A tick's identity is its content: symbol, source time (to the millisecond), bid, ask and the volume
//   the desk records, prices as decimals with no trailing zeros (2400.10 and 2400.1 are one price), plus
//   its occurrence among identical ticks at the same millisecond in the file (a file can hold the same
//   quote twice in one millisecond; both are kept, and a second file holding them is a duplicate of both).
//   Neither the file's name nor the line number is part of it: the same tick from any file, format or
//   --source is the same event. Accepted or rejected, a tick is recorded once, judged at its first import.
// - A line that cannot be read as a tick has no content to name it by: it is "line N of the file whose
//   bytes hash to H" (SHA-256), the same whatever the file is called.
// - The source the ticks are recorded under (and the per-source ordering check runs on) names the file's
//   content too, `{format}:{file name}#{first 12 hex of H}`: ticks are checked for order within a file,
//   never against another file's, so an older file imported after a newer one is judged on its own.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { isoTime } from '../../../domain/shared/iso-time.ts';
import type { ImportFormat } from './formats.ts';

const SOURCE_LIMIT = 64;
const SOURCE_HASH_HEX = 12;

/** SHA-256 of the file's bytes, hex. */
export async function fileDigest(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `{format}:{file name}#{hash}`, the name cut so that the whole fits the 64 characters a source may have. */
export function importSource(format: ImportFormat, file: string, digest: string): string {
  const suffix = `#${digest.slice(0, SOURCE_HASH_HEX)}`;
  return `${format}:${path.basename(file)}`.slice(0, SOURCE_LIMIT - suffix.length) + suffix;
}

/**
 * "02400.10" -> "2400.1", "2400.00" -> "2400": one text per price, whatever the file wrote. The whole part
 * loses its leading zeros (one is kept before a non-digit or the end), the fraction (up to a second dot)
 * its trailing zeros. Scanned by hand: it runs three times per imported tick (bid, ask, volume).
 */
export function canonicalDecimal(text: string): string {
  const value = text.trim();
  const dot = value.indexOf('.');
  const wholeEnd = dot < 0 ? value.length : dot;
  let start = 0;
  while (start + 1 < wholeEnd && value.charCodeAt(start) === ZERO && isDigit(value.charCodeAt(start + 1))) start += 1;
  if (dot < 0) return start === 0 ? value : value.slice(start);
  const second = value.indexOf('.', dot + 1);
  let end = second < 0 ? value.length : second;
  while (end > dot + 1 && value.charCodeAt(end - 1) === ZERO) end -= 1;
  if (start === 0 && end === value.length && end > dot + 1) return value; // already canonical: most prices
  const digits = value.slice(start, wholeEnd);
  return end === dot + 1 ? digits : `${digits}.${value.slice(dot + 1, end)}`;
}

const ZERO = 48;
const isDigit = (code: number): boolean => code >= ZERO && code <= ZERO + 9;

export interface ImportedTickContent {
  readonly symbol: string;
  readonly timestamp: Date;
  readonly bid: string;
  readonly ask: string;
  readonly volume?: string;
}

/** The event name of a tick by its content; `occurrence` counts identical ticks before it at the same millisecond. */
export function tickContentIdentity(tick: ImportedTickContent, occurrence: number): string {
  const volume = tick.volume === undefined || tick.volume === '' ? '-' : canonicalDecimal(tick.volume);
  return `tick-content:${tick.symbol}:${isoTime(tick.timestamp)}:${canonicalDecimal(tick.bid)}:${canonicalDecimal(tick.ask)}:${volume}#${occurrence}`;
}

/** The event name of a line that could not be read, by the file's content and the line's number. */
export const unreadableLineIdentity = (symbol: string, digest: string, line: number): string => `tick-line:${symbol}:${digest}:${line}`;

/**
 * Names a file's ticks in order. Occurrences are counted within one millisecond at a time (files are in
 * time order), so memory stays constant; identical ticks at one millisecond with other times between them
 * in the file are taken for one tick.
 */
export class TickIdentities {
  private at: number | undefined;
  /** The first tick's content at this millisecond; the map of occurrences only once a second tick shares it. */
  private first: string | undefined;
  private readonly seen = new Map<string, number>();

  of(tick: ImportedTickContent): string {
    const time = tick.timestamp.getTime();
    const content = tickContentIdentity(tick, 0);
    if (time !== this.at) {
      this.at = time;
      this.first = content;
      this.seen.clear();
      return content;
    }
    if (this.seen.size === 0) this.seen.set(this.first!, 1);
    const occurrence = this.seen.get(content) ?? 0;
    this.seen.set(content, occurrence + 1);
    return occurrence === 0 ? content : tickContentIdentity(tick, occurrence);
  }
}

// The tick message on NATS (docs/tick-message.md): subject `md.ticks.{symbol}.{source}`, body JSON
// {symbol, source, sequence, bid, ask, ts, volume?}. Decoding never throws: a body that is not a JSON
// object becomes an unreadable submission, recorded as MALFORMED with its raw text.
import type { TickSubmission } from '../../commands/market-data/tick-ingester.ts';
import type { SyntheticTick } from '../../commands/market-data/synthetic-feed.ts';

export const TICK_SUBJECT_PREFIX = 'md.ticks';
export const TICK_SUBJECTS = `${TICK_SUBJECT_PREFIX}.>`;

export const tickSubject = (symbol: string, source: string): string => `${TICK_SUBJECT_PREFIX}.${symbol}.${source.replace(/[.*>\s]/g, '_')}`;

export interface TickMessage {
  readonly symbol: string;
  readonly source: string;
  /** Digits as text when beyond 2^53; a JSON number otherwise. */
  readonly sequence: string | number;
  /** Decimal text on the instrument's price grid, e.g. "2345.67". */
  readonly bid: string;
  readonly ask: string;
  /** ISO 8601 UTC, or epoch milliseconds. */
  readonly ts: string | number;
  readonly volume?: string | number;
}

/** A tick as a feed holds it: the synthetic feed's shape, which any other feed can produce too. */
export type TickLike = SyntheticTick;

export const encodeTickMessage = (tick: TickLike): string =>
  JSON.stringify({
    symbol: tick.symbol,
    source: tick.source,
    sequence: tick.sequence <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(tick.sequence) : tick.sequence.toString(),
    bid: tick.bid,
    ask: tick.ask,
    ts: tick.timestamp.toISOString(),
  } satisfies TickMessage);

/** Where a message sits in its JetStream stream: the identity of a message without a readable sequence. */
export interface MessagePlace {
  readonly stream: string;
  readonly streamSequence: number;
  readonly subject: string;
}

const subjectSymbol = (subject: string): string | undefined => subject.split('.')[2];

export function decodeTickMessage(text: string, place: MessagePlace): TickSubmission {
  const fallbackKey = `nats:${place.stream}:${place.streamSequence}`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { unreadable: { raw: text, detail: 'message body is not JSON', key: fallbackKey, symbol: subjectSymbol(place.subject) } };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { unreadable: { raw: text, detail: 'message body is not a JSON object', key: fallbackKey, symbol: subjectSymbol(place.subject) } };
  }
  const message = body as Record<string, unknown>;
  return {
    symbol: message.symbol ?? subjectSymbol(place.subject),
    source: message.source,
    sequence: message.sequence,
    bid: message.bid,
    ask: message.ask,
    timestamp: message.ts,
    volume: message.volume,
    fallbackKey,
  };
}

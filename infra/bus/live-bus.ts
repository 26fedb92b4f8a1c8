// The live-event bus: fire-and-forget fan-out of what just happened, so every API instance can push it to
// its GraphQL subscribers. NATS core pub/sub across processes, an in-process adapter in embedded mode.
// Nothing here is durable: the event store is the record; the bus only says "this changed, now".

/** A message on the bus. Payloads are JSON: bigints travel as decimal strings. */
export interface LiveMessage<Payload = unknown> {
  readonly topic: string;
  readonly payload: Payload;
}

/** A live subscription: iterate it; `close()` (or leaving a for-await loop) ends it. */
export interface LiveSubscription<Payload = unknown> extends AsyncIterable<LiveMessage<Payload>> {
  /** Resolves once the bus will deliver messages published from now on (NATS: the server has the interest). */
  readonly ready: Promise<void>;
  close(): void;
}

export interface LiveBus {
  /** Publishes to one topic (dot-separated tokens, no wildcards). */
  publish(topic: string, payload: unknown): Promise<void>;
  /**
   * Subscribes to a topic or a pattern: `*` matches one token, a final `>` one or more (NATS subjects).
   * Delivery starts once this returns; a subscriber too slow to keep up loses the oldest messages.
   */
  subscribe<Payload = unknown>(pattern: string): LiveSubscription<Payload>;
  /** Stops every subscription and, for NATS, drains the connection. */
  close(): Promise<void>;
}

export const LIVE_TOPICS = {
  quotes: (symbol: string) => `live.quotes.${topicToken(symbol)}`,
  account: (accountId: string) => `live.account.${topicToken(accountId)}`,
  control: 'live.control',
  allAccounts: 'live.account.*',
  allQuotes: 'live.quotes.*',
} as const;

/**
 * One topic token from an id: NATS subjects split on `.` and treat `*`, `>` and whitespace specially, so
 * those (and `%`) are percent-encoded; everything else passes through.
 */
export function topicToken(id: string): string {
  if (id.length === 0) throw new Error('a topic token cannot be empty');
  return id.replace(/[.*>%\s]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
}

const TOKEN = /^[^.*>\s]+$/;

export function assertTopic(topic: string): void {
  if (!topic.split('.').every((t) => TOKEN.test(t))) throw new Error(`not a publishable topic: ${JSON.stringify(topic)}`);
}

export function assertPattern(pattern: string): void {
  const tokens = pattern.split('.');
  const ok = tokens.every((t, i) => t === '*' || (t === '>' && i === tokens.length - 1) || TOKEN.test(t));
  if (!ok) throw new Error(`not a topic pattern: ${JSON.stringify(pattern)}`);
}

/** NATS subject matching, for the in-process adapter. */
export function topicMatches(pattern: string, topic: string): boolean {
  const p = pattern.split('.');
  const t = topic.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return t.length > i;
    if (i >= t.length) return false;
    if (p[i] !== '*' && p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}

/** JSON with bigints as decimal strings: event data carries bigint prices and quantities. */
export const encodeLive = (payload: unknown): string =>
  JSON.stringify(payload, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));

// Wakes idle subscribers when events are appended: at once for subscribers in this process, and through
// LISTEN/NOTIFY for other processes on the same PostgreSQL. NOTIFY goes out on its own connection after
// the append has committed, never inside the append's transaction (a NOTIFY there would serialize
// commits on PostgreSQL's notify queue lock), and at most once per interval: it is a hint to re-read,
// not a carrier of data, so coalescing loses nothing.
//
// In this process an append says what it wrote (its streams and event types), and a subscriber is woken
// only by an append its filter can match: a broker waiting for accepted orders does not re-read the log
// after every tick. An append of market data only (ticks, signals: many a second) wakes a subscriber at
// most once per `marketDataEveryMs` after its last wake-up, so it reads several batches at once; any other
// append (an order, a fill, a stop) wakes it at once. A wake-up from another process says nothing, so it
// wakes every waiter at once.
import { randomUUID } from 'node:crypto';
import type { EventFilter } from '../../domain/ports/event-store.ts';
import type { SqlClient } from '../sql/client.ts';

/** What one append (or one group of appends) wrote. */
export interface Appended {
  readonly streams: readonly string[];
  readonly types: readonly string[];
  /** Only market data (ticks, signals): its readers may be woken a little later, together. */
  readonly marketDataOnly: boolean;
}

/** What a waiting subscriber reads, and when it last read the log (performance.now()). */
export interface WakeInterest {
  readonly filter?: EventFilter;
  readonly lastReadAt?: number;
  /** This waiter's own shortest time between wake-ups by market data alone (the signal's default when unset). */
  readonly marketDataEveryMs?: number;
}

export interface WakeSignal {
  /** A counter that moves whenever there may be new events. Read it before reading the log. */
  generation(): number;
  /**
   * Resolves when an append that `interest` can match happened after generation `seen` (for market data
   * only: no sooner than `marketDataEveryMs` after the waiter's previous wake-up), after `timeoutMs`, or
   * when `signal` aborts.
   */
  waitForChange(seen: number, timeoutMs: number, signal: AbortSignal, interest?: WakeInterest): Promise<void>;
  /** Something was appended; undefined: unknown what (every waiter wakes). */
  notify(appended?: Appended): void;
  close(): Promise<void>;
}

/** Whether an append of these streams and types can hold an event the filter selects (conservative: may say yes wrongly, never no). */
export function canMatch(filter: EventFilter | undefined, appended: Appended | undefined): boolean {
  if (appended === undefined || filter === undefined) return true;
  const { streamPrefix, eventTypes } = filter;
  if (streamPrefix !== undefined && streamPrefix !== '' && !appended.streams.some((s) => s.startsWith(streamPrefix))) return false;
  if (eventTypes !== undefined && !appended.types.some((t) => eventTypes.includes(t))) return false;
  return true;
}

export interface WakeSignalOptions {
  /**
   * The shortest time between two wake-ups of one subscriber by market data alone (default 500 ms: the
   * embedded demo at 20 ticks/s used 15-16 % of a core with 250 ms and 9.8 % with 500 ms; read models,
   * live GraphQL feeds, signals and fills of resting orders on a tick follow up to this much later).
   */
  readonly marketDataEveryMs?: number;
}

const NOTIFY_INTERVAL_MS = 25;
const DEFAULT_MARKET_DATA_EVERY_MS = 500;
/** Recent appends kept to tell a waiter whether one it can match came after what it read. */
const RECENT_APPENDS = 256;
const LISTENER_CHECK_MS = 1_000;
const shared = new WeakMap<SqlClient, Map<string, WakeSignal>>();

/** The signal of one channel on one client (shared by every store on it: the first caller's options hold). */
export function createWakeSignal(sql: SqlClient, channel: string, options: WakeSignalOptions = {}): WakeSignal {
  let byChannel = shared.get(sql);
  if (!byChannel) shared.set(sql, (byChannel = new Map<string, WakeSignal>()));
  let signal = byChannel.get(channel);
  if (!signal) byChannel.set(channel, (signal = makeWakeSignal(sql, channel, options.marketDataEveryMs ?? DEFAULT_MARKET_DATA_EVERY_MS)));
  return signal;
}

interface Waiter {
  readonly interest: WakeInterest | undefined;
  /** Wakes it now. */
  readonly wake: () => void;
  /** Wakes it at `at` (performance.now()) unless it is woken sooner. */
  readonly wakeAt: (at: number) => void;
}

function makeWakeSignal(sql: SqlClient, channel: string, marketDataEveryMs: number): WakeSignal {
  let generation = 0;
  // recent[i] is what generation (generation - recent.length + 1 + i) appended; undefined: unknown.
  const recent: Array<Appended | undefined> = [];
  const waiters = new Set<Waiter>();
  const crossProcess = sql.dialect === 'postgres';
  let unlisten: Promise<(() => Promise<void>) | undefined> | undefined;
  let notifyInFlight = false;
  let notifyPending = false;
  let closed = false;
  const token = randomUUID(); // names this signal's NOTIFYs

  /** When a waiter with `interest` should wake for `appended`: now (0), at a time, or never (undefined). */
  const dueAt = (interest: WakeInterest | undefined, appended: Appended | undefined): number | undefined => {
    if (!canMatch(interest?.filter, appended)) return undefined;
    if (appended?.marketDataOnly !== true || interest?.lastReadAt === undefined) return 0;
    return interest.lastReadAt + (interest.marketDataEveryMs ?? marketDataEveryMs);
  };

  const wakeFor = (waiter: Waiter, appended: Appended | undefined) => {
    const at = dueAt(waiter.interest, appended);
    if (at === undefined) return;
    if (at <= performance.now()) waiter.wake();
    else waiter.wakeAt(at);
  };

  const bump = (appended?: Appended) => {
    generation += 1;
    recent.push(appended);
    if (recent.length > RECENT_APPENDS) recent.shift();
    for (const waiter of [...waiters]) wakeFor(waiter, appended);
  };

  /** The earliest time a waiter that read at generation `seen` should wake for what came since; undefined: nothing it reads came. */
  const dueSince = (seen: number, interest: WakeInterest | undefined): number | undefined => {
    const missed = generation - seen;
    if (missed > recent.length || missed < 0) return 0; // too long ago to tell: read again
    let due: number | undefined;
    for (let i = recent.length - missed; i < recent.length; i += 1) {
      const at = dueAt(interest, recent[i]);
      if (at !== undefined && (due === undefined || at < due)) due = at;
      if (due === 0) return 0;
    }
    return due;
  };

  const ensureListening = () => {
    if (!crossProcess || unlisten || closed) return;
    // Our own NOTIFY comes back too: this process bumped for it already, knowing what it wrote.
    unlisten = sql.listen(channel, (payload) => { if (payload !== token) bump(); }).catch(() => {
      unlisten = undefined; // retried by the next waiter; the waiters' timeout keeps them moving meanwhile
      return undefined;
    });
  };

  // Whether any other backend is listening, refreshed at most once a second. With nobody listening a
  // NOTIFY is pure cost; a listener that starts meanwhile is reached by the next refresh, and until then
  // by its own idle recheck. A session whose query we may not see counts as a listener.
  let listenersSeen = true;
  let listenersCheckedAt = 0;
  let listenersCheck: Promise<void> | undefined;
  const checkListeners = (): Promise<void> => {
    listenersCheck ??= sql.query<{ listening: boolean }>(
      `select exists (select 1 from pg_stat_activity where pid <> pg_backend_pid()
         and (query = $1 or query = '<insufficient privilege>')) as listening`, [`LISTEN ${channel}`],
    ).then(({ rows }) => { listenersSeen = rows[0]?.listening !== false; }, () => { listenersSeen = true; })
      .finally(() => { listenersCheckedAt = Date.now(); listenersCheck = undefined; });
    return listenersCheck;
  };

  const sendNotify = () => {
    // A stale answer is checked again first (off the append's path: notify is fire and forget).
    if (Date.now() - listenersCheckedAt >= LISTENER_CHECK_MS) {
      void checkListeners().then(() => { if (listenersSeen && !closed) sendNotify(); });
      return;
    }
    if (!listenersSeen) return;
    if (notifyInFlight) { notifyPending = true; return; }
    notifyInFlight = true;
    notifyPending = false;
    sql.query('select pg_notify($1, $2)', [channel, token])
      .catch(() => undefined)
      .finally(() => setTimeout(() => {
        notifyInFlight = false;
        if (notifyPending && !closed) sendNotify();
      }, NOTIFY_INTERVAL_MS).unref());
  };

  return {
    generation: () => generation,
    waitForChange(seen, timeoutMs, abort, interest) {
      ensureListening();
      if (abort.aborted) return Promise.resolve();
      const due = dueSince(seen, interest);
      if (due !== undefined && due <= performance.now()) return Promise.resolve();
      return new Promise<void>((resolve) => {
        let wakeTimer: NodeJS.Timeout | undefined;
        const done = () => {
          clearTimeout(timer);
          clearTimeout(wakeTimer);
          waiters.delete(waiter);
          abort.removeEventListener('abort', done);
          resolve();
        };
        let wakeAtMs = Number.POSITIVE_INFINITY;
        const waiter: Waiter = {
          interest,
          wake: done,
          wakeAt: (at) => {
            if (at >= wakeAtMs) return;
            wakeAtMs = at;
            clearTimeout(wakeTimer);
            wakeTimer = setTimeout(done, Math.max(0, at - performance.now()));
          },
        };
        const timer = setTimeout(done, timeoutMs);
        waiters.add(waiter);
        abort.addEventListener('abort', done, { once: true });
        if (due !== undefined) waiter.wakeAt(due);
      });
    },
    notify(appended) {
      bump(appended);
      if (crossProcess && !closed) sendNotify();
    },
    async close() {
      closed = true;
      for (const waiter of [...waiters]) waiter.wake();
      const stop = await unlisten;
      unlisten = undefined;
      await stop?.();
    },
  };
}

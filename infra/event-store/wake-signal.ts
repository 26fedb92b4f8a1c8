// Wakes idle subscribers when events are appended: at once for subscribers in this process, and through
// LISTEN/NOTIFY for other processes on the same PostgreSQL. NOTIFY goes out on its own connection after
// the append has committed, never inside the append's transaction (a NOTIFY there would serialize
// commits on PostgreSQL's notify queue lock), and at most once per interval: it is a hint to re-read,
// not a carrier of data, so coalescing loses nothing.
import type { SqlClient } from '../sql/client.ts';

export interface WakeSignal {
  /** A counter that moves whenever there may be new events. Read it before reading the log. */
  generation(): number;
  /** Resolves when the generation moves past `seen`, after `timeoutMs`, or when `signal` aborts. */
  waitForChange(seen: number, timeoutMs: number, signal: AbortSignal): Promise<void>;
  notify(): void;
  close(): Promise<void>;
}

const NOTIFY_INTERVAL_MS = 25;
const LISTENER_CHECK_MS = 1_000;
const shared = new WeakMap<SqlClient, Map<string, WakeSignal>>();

export function createWakeSignal(sql: SqlClient, channel: string): WakeSignal {
  let byChannel = shared.get(sql);
  if (!byChannel) shared.set(sql, (byChannel = new Map<string, WakeSignal>()));
  let signal = byChannel.get(channel);
  if (!signal) byChannel.set(channel, (signal = makeWakeSignal(sql, channel)));
  return signal;
}

function makeWakeSignal(sql: SqlClient, channel: string): WakeSignal {
  let generation = 0;
  const waiters = new Set<() => void>();
  const crossProcess = sql.dialect === 'postgres';
  let unlisten: Promise<(() => Promise<void>) | undefined> | undefined;
  let notifyInFlight = false;
  let notifyPending = false;
  let closed = false;

  const bump = () => {
    generation += 1;
    for (const wake of [...waiters]) wake();
  };

  const ensureListening = () => {
    if (!crossProcess || unlisten || closed) return;
    unlisten = sql.listen(channel, bump).catch(() => {
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
    sql.query('select pg_notify($1, $2)', [channel, ''])
      .catch(() => undefined)
      .finally(() => setTimeout(() => {
        notifyInFlight = false;
        if (notifyPending && !closed) sendNotify();
      }, NOTIFY_INTERVAL_MS).unref());
  };

  return {
    generation: () => generation,
    waitForChange(seen, timeoutMs, abort) {
      ensureListening();
      if (generation !== seen || abort.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          abort.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        waiters.add(done);
        abort.addEventListener('abort', done, { once: true });
      });
    },
    notify() {
      bump();
      if (crossProcess && !closed) sendNotify();
    },
    async close() {
      closed = true;
      for (const wake of [...waiters]) wake();
      const stop = await unlisten;
      unlisten = undefined;
      await stop?.();
    },
  };
}

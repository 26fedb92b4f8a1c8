// cold_start_ready and first_order_after_restart: what a kill -9 costs a production process in
// PostgreSQL mode, as the store grows. For each size (10k, 100k, 1M events by default; `npm run bench --
// cold-start 10000,100000`), a fresh database gets a store of that many events over 100 accounts by COPY
// (bench/cold-start-seed.ts: one account holds 90 %); `nicegold start` (every role, DATABASE_URL,
// NODE_ENV=production) starts on it and catches up (projections, broker, signals); under a small load
// (orders on ten small accounts, the synthetic feed's 20 ticks/s; the two measured accounts traded once
// before, so their states were snapshotted as a trading day leaves them) it is killed with SIGKILL and started
// again. Measured: spawn to /readyz 200 after the kill, then the first order of the largest account and
// of a small one, and a second order of the largest. Baselines in the same run: spawn to /readyz of the
// same process on an empty store, and the first POST to a bare fastify route (connection set-up included).
// Each restart's start-up phases (modules loaded, backends connected, each role, routes, listening: ms
// since its process started, and whether it ran compiled code or the sources) are printed as it goes;
// run `npm run build` first to measure what production runs (the bench says when it will not).
// KEEP_BENCH_DATABASES=1 keeps each size's database; COLD_START_REUSE=1 then measures restarts on it again
// without seeding (its seed column then shows 0.0 and the first start catches up only what ran since).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import pg from 'pg';
import { mintToken } from '../infra/auth/index.ts';
import { PostgresEventStore } from '../infra/event-store/postgres.ts';
import { createPgClient } from '../infra/sql/pg-client.ts';
import { createSqlKeyValueStore } from '../infra/cache/sql.ts';
import { ReactorCheckpoint } from '../commands/trading/reactor.ts';
import { LARGEST_ACCOUNT, seedStore } from './cold-start-seed.ts';
import { freePort, spawnLedger, waitReady, type LedgerChild } from './ledger-child.ts';
import { progress, report } from './report.ts';
import { compiledStaleness } from '../bin/compiled.mjs';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const JWT_SECRET = 'cold-start-bench-secret-0123456789-abcdefghij';
const SMALL_ACCOUNT = 'COLD-2';
const LOAD_ACCOUNTS = Array.from({ length: 10 }, (_, i) => `COLD-${i + 11}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freshDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`).finally(() => admin.end());
}

const ledgerEnv = (databaseUrl: string): Record<string, string> => ({
  DATABASE_URL: databaseUrl, NODE_ENV: 'production', JWT_SECRET, MARKET_HOURS: 'always-open', RATE_LIMIT_PER_SECOND: '100000',
});
/** A restart logs at info: its start-up phases (infra/runtime/start.ts) are read from its output. */
const restartEnv = (databaseUrl: string) => ({ ...ledgerEnv(databaseUrl), LOG_LEVEL: 'info' });

/** `phase@ms since the process started, ...` and which code ran, from a process's start-up log lines. */
function startupPhases(output: string): string {
  const marks = output.split('\n').flatMap((line) => {
    if (!line.includes('"startup"')) return [];
    try {
      const { startup, sinceProcessStartMs, code } = JSON.parse(line) as { startup: string; sinceProcessStartMs: number; code?: string };
      return [`${startup}${code ? ` (${code})` : ''} @${sinceProcessStartMs}`];
    } catch { return []; }
  });
  return marks.join(', ');
}

interface Order { readonly status: number; readonly ms: number; readonly body: string }

async function placeOrder(url: string, token: string, accountId: string, side: 'buy' | 'sell'): Promise<Order> {
  const commandId = randomUUID();
  const started = performance.now();
  const response = await fetch(`${url}/v1/accounts/${accountId}/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': commandId },
    body: JSON.stringify({ commandId, clientOrderId: `cold-${randomUUID().slice(0, 12)}`, symbol: 'XAUUSD', side, kind: 'market', timeInForce: 'IOC', qty: '0.10' }),
  });
  const body = await response.text();
  return { status: response.status, ms: performance.now() - started, body };
}

/** Orders on the load accounts at about `perSecond`, until stopped. */
function smallLoad(url: () => string, token: string, perSecond: number): { stop(): Promise<void> } {
  let running = true;
  let n = 0;
  const done = (async () => {
    while (running) {
      const accountId = LOAD_ACCOUNTS[n % LOAD_ACCOUNTS.length]!;
      n += 1;
      await placeOrder(url(), token, accountId, n % 2 === 0 ? 'buy' : 'sell').catch(() => undefined);
      await sleep(1000 / perSecond);
    }
  })();
  return { async stop() { running = false; await done; } };
}

/**
 * The followers of the log waited for, by their checkpoints (ledger.key_values): the position after which
 * they read. The paper broker's lag is printed, not waited for: it saves its checkpoint only while no
 * report is in flight, which a steady small load can keep from happening for a while.
 */
const FOLLOWERS = ['stop-sweep:checkpoint', 'signals:checkpoint:signals'];
const BROKER_CHECKPOINT = 'broker:paper:checkpoint';
const checkpointPosition = (value: { position?: { $bigint?: string }; after?: string }): string => value.position?.$bigint ?? value.after ?? '-1';

/** How far behind the head the furthest of the projections (read.projection_status) and the log's followers is, in events. */
async function eventsBehind(sql: ReturnType<typeof createPgClient>, followerKeys: readonly string[] = FOLLOWERS): Promise<{ projections: number; followers: number }> {
  const { rows } = await sql.query<{ n: string; behind: string | null }>(
    `select count(*)::text as n, max(lag_events)::text as behind from read.projection_status`,
  ).catch(() => ({ rows: [] as Array<{ n: string; behind: string | null }> }));
  const projections = Number(rows[0]?.n ?? 0) > 0 ? Number(rows[0]?.behind ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
  let followers = 0;
  for (const key of followerKeys) {
    const { rows: saved } = await sql.query<{ value: unknown }>(`select value from ledger.key_values where key = $1`, [key]).catch(() => ({ rows: [] as Array<{ value: unknown }> }));
    if (saved[0] === undefined) { followers = Number.POSITIVE_INFINITY; continue; }
    const value = (typeof saved[0].value === 'string' ? JSON.parse(saved[0].value) : saved[0].value) as Parameters<typeof checkpointPosition>[0];
    const { rows: after } = await sql.query<{ n: string }>(`select count(*)::text as n from (select 1 from es.events where position > $1::bigint limit 100000) e`, [checkpointPosition(value)]);
    followers = Math.max(followers, Number(after[0]?.n ?? 0));
  }
  return { projections, followers };
}

/**
 * Waits until every projection and the stop sweep and the signal engine are
 * within `slack` events of the head: the steady state of a desk that has been running, so a restart
 * measures its own work and not a first start's catch-up still under way. The stop sweep saves its
 * checkpoint as it handles order events (at most once a second), so a quiet store leaves it where it was:
 * `nudge` (one small order) runs every 5 s while a follower is behind, as a trading desk would.
 */
async function caughtUp(databaseUrl: string, timeoutMs: number, nudge: () => Promise<unknown>, slack = 500): Promise<number> {
  const sql = createPgClient({ connectionString: databaseUrl, max: 1 });
  const started = performance.now();
  try {
    for (let last = 0, nudged = 0; ; await sleep(1_000)) {
      const behind = await eventsBehind(sql);
      if (behind.projections <= slack && behind.followers <= slack) {
        const broker = await eventsBehind(sql, [BROKER_CHECKPOINT]);
        progress(`cold-start: caught up; the paper broker's checkpoint is ${String(broker.followers)} events behind the head (not waited for)`);
        return performance.now() - started;
      }
      if (behind.followers > slack && performance.now() - nudged > 5_000) { await nudge().catch(() => undefined); nudged = performance.now(); }
      const what = `projections ${String(behind.projections)}, stop sweep / signals up to ${String(behind.followers)} events behind`;
      if (performance.now() - started > timeoutMs) throw new Error(`${what} after ${timeoutMs} ms`);
      if (performance.now() - last > 15_000) { progress(`cold-start: ${what}`); last = performance.now(); }
    }
  } finally {
    await sql.close();
  }
}

/**
 * The seeded orders were accepted and filled without a broker: a paper broker starting on the store would
 * route every one of them again (on 1M events, hundreds of thousands of fill reports the ledger refuses,
 * run alongside the restart). A desk's broker has handled its history: its checkpoint is set to the seed's
 * head with an empty book, in the reactor's own format.
 */
async function brokerHandledTheSeed(databaseUrl: string): Promise<void> {
  const sql = createPgClient({ connectionString: databaseUrl, max: 1 });
  try {
    const { rows } = await sql.query<{ head: string }>('select max(position)::text as head from es.events');
    const checkpoint = new ReactorCheckpoint<object>(await createSqlKeyValueStore(sql), 'broker:paper:checkpoint');
    await checkpoint.save({ position: BigInt(rows[0]!.head), broker: { book: [], quotes: [] }, placed: [], controls: [] });
  } finally {
    await sql.close();
  }
}

async function bareRouteFirstPost(): Promise<number> {
  const app = Fastify();
  app.post('/v1/accounts/:accountId/orders', async (_request, reply) => reply.status(201).send({ accepted: true }));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const started = performance.now();
    await fetch(`${url}/v1/accounts/A/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qty: '0.10' }) }).then((r) => r.text());
    return performance.now() - started;
  } finally {
    await app.close();
  }
}

async function stopLedger(ledger: LedgerChild): Promise<void> {
  ledger.kill('SIGINT');
  await Promise.race([ledger.exited, sleep(30_000)]);
  ledger.kill('SIGKILL');
  await ledger.exited;
}

async function emptyStoreReady(): Promise<number> {
  const databaseUrl = await freshDatabase('bench_cold_start_empty');
  try {
    // The schemas exist, as they do after any first start: what is measured is a restart's own work.
    const first = spawnLedger(await freePort(), ledgerEnv(databaseUrl));
    await waitReady(first, 300_000);
    await stopLedger(first);
    const again = spawnLedger(await freePort(), restartEnv(databaseUrl));
    const ms = await waitReady(again, 300_000, 10);
    progress(`cold-start: empty store restart phases (ms since the process started): ${startupPhases(again.output())}`);
    await stopLedger(again);
    return ms;
  } finally {
    await dropDatabase('bench_cold_start_empty');
  }
}

interface Row {
  readonly events: number;
  readonly largest: number;
  readonly seedS: number;
  readonly firstReadyS: number;
  readonly catchUpS: number;
  readonly restartReadyMs: number;
  readonly largestFirstMs: number;
  readonly smallFirstMs: number;
  readonly largestSecondMs: number;
}

/** A store this bench seeded and kept (KEEP_BENCH_DATABASES=1) earlier: its event count and largest account's, or undefined. */
async function keptStore(name: string): Promise<{ databaseUrl: string; events: number; largestAccountEvents: number } | undefined> {
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  const sql = createPgClient({ connectionString: url.toString(), max: 1 });
  try {
    const { rows } = await sql.query<{ events: string; largest: string }>(
      `select (select count(*) from es.events)::text as events, (select count(*) from es.events where stream_id = $1)::text as largest`, [`account-${LARGEST_ACCOUNT}`]);
    return { databaseUrl: url.toString(), events: Number(rows[0]!.events), largestAccountEvents: Number(rows[0]!.largest) };
  } catch {
    return undefined;
  } finally {
    await sql.close().catch(() => undefined);
  }
}

async function measure(size: number, token: string): Promise<Row> {
  const name = `bench_cold_start_${size}`;
  // COLD_START_REUSE=1: restart measurements on the store a run with KEEP_BENCH_DATABASES=1 left (seed and first catch-up skipped).
  const kept = process.env.COLD_START_REUSE ? await keptStore(name) : undefined;
  if (process.env.COLD_START_REUSE && kept === undefined) progress(`cold-start ${size}: no kept store ${name}; seeding a new one`);
  const databaseUrl = kept?.databaseUrl ?? await freshDatabase(name);
  try {
    const seedStarted = performance.now();
    let seeded: { events: number; largestAccountEvents: number };
    if (kept) {
      seeded = kept;
      progress(`cold-start ${size}: reusing the kept store (${kept.events} events, the largest account ${kept.largestAccountEvents})`);
    } else {
      const sql = createPgClient({ connectionString: databaseUrl, max: 1 });
      await (await PostgresEventStore.create(sql)).close();
      await sql.close();
      progress(`cold-start ${size}: seeding`);
      seeded = await seedStore(databaseUrl, size, (n) => progress(`cold-start ${size}: seeded ${n} events`));
      await brokerHandledTheSeed(databaseUrl);
    }
    const seedS = (performance.now() - seedStarted) / 1000;
    progress(`cold-start ${size}: ${seeded.events} events seeded in ${seedS.toFixed(1)} s; first start`);
    let ledger = spawnLedger(await freePort(), ledgerEnv(databaseUrl));
    const firstReadyS = (await waitReady(ledger, 600_000)) / 1000;
    progress(`cold-start ${size}: first start ready after ${firstReadyS.toFixed(1)} s; catching up`);
    const catchUpS = (await caughtUp(databaseUrl, 3_600_000, () => placeOrder(ledger.url, token, LOAD_ACCOUNTS[0]!, 'buy'))) / 1000;
    progress(`cold-start ${size}: caught up after ${catchUpS.toFixed(1)} s more; small load, then kill -9`);
    // The desk traded both measured accounts before the crash, as it would have all day: their states were
    // loaded (the largest folded once from its first event) and snapshotted (SNAPSHOT_EVERY) by the process that dies.
    for (const accountId of [LARGEST_ACCOUNT, SMALL_ACCOUNT]) {
      const warm = await placeOrder(ledger.url, token, accountId, 'buy');
      if (warm.status !== 201) progress(`cold-start ${size}: the warm-up order of ${accountId} answered ${warm.status}: ${warm.body.slice(0, 300)}`);
    }
    let current = ledger;
    const load = smallLoad(() => current.url, token, 10);
    await sleep(10_000);
    ledger.kill('SIGKILL');
    await ledger.exited;
    ledger = spawnLedger(await freePort(), restartEnv(databaseUrl));
    current = ledger;
    const restartReadyMs = await waitReady(ledger, 300_000, 10);
    progress(`cold-start ${size}: restart phases (ms since the process started): ${startupPhases(ledger.output())}`);
    await load.stop();
    const largestFirst = await placeOrder(ledger.url, token, LARGEST_ACCOUNT, 'buy');
    const smallFirst = await placeOrder(ledger.url, token, SMALL_ACCOUNT, 'buy');
    const largestSecond = await placeOrder(ledger.url, token, LARGEST_ACCOUNT, 'sell');
    for (const [what, order] of [['largest', largestFirst], ['small', smallFirst], ['largest again', largestSecond]] as const) {
      if (order.status !== 201 || !order.body.includes('"accepted":true')) progress(`cold-start ${size}: the ${what} account's order answered ${order.status}: ${order.body.slice(0, 300)}`);
    }
    await stopLedger(ledger);
    return {
      events: seeded.events, largest: seeded.largestAccountEvents, seedS, firstReadyS, catchUpS,
      restartReadyMs, largestFirstMs: largestFirst.ms, smallFirstMs: smallFirst.ms, largestSecondMs: largestSecond.ms,
    };
  } finally {
    if (!process.env.KEEP_BENCH_DATABASES && !kept) await dropDatabase(name);
  }
}

export async function run(args: string[]): Promise<void> {
  const staleness = compiledStaleness(repositoryRoot);
  if (staleness) progress(`cold-start: the ledger will run from the sources through tsx, not compiled (${staleness}); npm run build first to measure what production runs`);
  const sizes = (args[0] ?? '10000,100000,1000000').split(',').map(Number);
  const accounts = Array.from({ length: 100 }, (_, i) => `COLD-${i + 1}`);
  const token = await mintToken({ role: 'trader', userId: 'cold-start-trader', accounts, ttl: '8h' }, { secret: JWT_SECRET, issuer: 'nicegold-ledger' });
  progress('cold-start: baseline, restart on an empty store');
  const emptyReadyMs = await emptyStoreReady();
  const bareMs = await bareRouteFirstPost();
  progress(`cold-start: empty store restart to /readyz ${emptyReadyMs.toFixed(0)} ms; bare fastify first POST ${bareMs.toFixed(1)} ms`);
  const rows: Row[] = [];
  for (const size of sizes) rows.push(await measure(size, token));
  const table = [
    '| events | largest account | seed (COPY) s | first start ready s | catch-up s | kill -9 to /readyz ms | first order, largest ms | first order, small ms | 2nd order, largest ms |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| 0 (baseline) | | | | | ${emptyReadyMs.toFixed(0)} | ${bareMs.toFixed(1)} (bare route) | | |`,
    ...rows.map((r) => `| ${r.events} | ${r.largest} | ${r.seedS.toFixed(1)} | ${r.firstReadyS.toFixed(1)} | ${r.catchUpS.toFixed(1)} | ${r.restartReadyMs.toFixed(0)} | ${r.largestFirstMs.toFixed(1)} | ${r.smallFirstMs.toFixed(1)} | ${r.largestSecondMs.toFixed(1)} |`),
  ];
  process.stderr.write(`${table.join('\n')}\n`);
  for (const r of rows) {
    report({ bench: 'cold-start', figure: `cold_start_ready_${r.events}`, value: r.restartReadyMs, unit: 'ms', baseline: emptyReadyMs, target: '<= 3000 ms at 1,000,000 events' }, false);
    report({ bench: 'cold-start', figure: `first_order_largest_${r.events}`, value: r.largestFirstMs, unit: 'ms', baseline: bareMs, target: '<= 50 ms for a 1,000,000-event account' }, false);
  }
}

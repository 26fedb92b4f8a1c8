// The emergency stop as a risk officer relies on it: two ledger processes on one PostgreSQL database
// (A runs api, ingest and broker with the stop sweep; B runs api and ingest), each with its own Redis
// database, so neither shares a cache with the other. Fifty clients keep orders in flight on six warm
// accounts across both processes while a stop is engaged on one of them, at global, instrument and
// account scope, on each process in turn. Every order sent after the stop's answer is denied for the
// stop, by either process; orders outside the stop's scope still go through; every order accepted before
// the stop is swept (canceled) by the stop's sweep.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../integration/projections/database.ts';
import { E2E_REDIS_DATABASES, flushRedisDatabase, postgresService, redisDatabaseUrl, redisService } from '../../support/services.ts';
import { startLedgerProcess, token, type LedgerProcess } from '../support/ledger-process.ts';
import { Authenticator } from '../../support/second-factor.ts';

const [postgres, redis] = await Promise.all([postgresService(), redisService()]);

const ACCOUNTS = ['KS1', 'KS2', 'KS3', 'KS4', 'KS5', 'KS6'];
const LIMITS = {
  maxOrderNotional: '10000000.00', maxPositionQty: '500.00', maxOpenOrders: 20_000, priceCollarBps: 500,
  maxQuoteAgeMs: 86_400_000, maxSubmitsPerWindow: 1_000_000, submitWindowMs: 1_000, maxDailyLoss: '1000000.00',
};
const CLIENTS = 50;
/** Redis databases of the two processes: their own, flushed before and after. */
const REDIS_DBS = [E2E_REDIS_DATABASES.killSwitchA, E2E_REDIS_DATABASES.killSwitchB] as const;

type Scope = { kind: 'global' } | { kind: 'instrument'; symbol: string } | { kind: 'account'; accountId: string };

interface Sent {
  readonly accountId: string;
  readonly via: number;
  /** performance.now() when the request left, and when its answer came. */
  readonly sentAt: number;
  readonly answeredAt: number;
  readonly status: number;
  readonly accepted: boolean;
  readonly reasons: readonly string[];
  readonly orderId: string;
  /** The error code of an answer that is not a decision (409 COMMAND.CONTENTION under load). */
  readonly code: string | undefined;
}

describe.skipIf(!postgres.available || !redis.available)(`emergency stop across two processes under load${postgres.skipReason || redis.skipReason}`, () => {
  let db: TestDatabase;
  let processes: LedgerProcess[] = [];
  let tokens: { admin: string; officer1: string; officer2: string; trader: string; feed: string };
  let tickSequence = 0;
  let approver: Authenticator;

  const flushRedis = async () => {
    for (const n of REDIS_DBS) await flushRedisDatabase(n);
  };

  /** A fresh XAUUSD quote recorded through each process's own ingest (so each process's quote book has it). */
  const tick = async () => {
    for (const [i, p] of processes.entries()) {
      tickSequence += 1;
      const answer = await p.call('POST', '/v1/ticks', tokens.feed, {
        ticks: [{ symbol: 'XAUUSD', source: `ks-feed-${i}`, sequence: tickSequence, bid: '2400.00', ask: '2400.40', ts: new Date().toISOString() }],
      });
      expect(answer.status).toBe(200);
    }
  };

  const place = async (via: number, accountId: string): Promise<Sent> => {
    const sentAt = performance.now();
    const answer = await processes[via]!.call('POST', `/v1/accounts/${accountId}/orders`, tokens.trader, {
      clientOrderId: `ks-${sentAt.toFixed(3)}-${Math.random().toString(36).slice(2)}`,
      symbol: 'XAUUSD', side: 'buy', kind: 'limit', timeInForce: 'GTC', qty: '0.01', limitPrice: '2300.00',
    });
    const decision = answer.body.decision as { reasons?: string[] } | undefined;
    return {
      accountId, via, sentAt, answeredAt: performance.now(), status: answer.status,
      accepted: answer.body.accepted === true, reasons: decision?.reasons ?? [], orderId: typeof answer.body.orderId === 'string' ? answer.body.orderId : '',
      code: typeof answer.body.code === 'string' ? answer.body.code : undefined,
    };
  };

  const stopCall = async (via: number, action: 'engage' | 'release-requests' | 'release-approvals', scope: Scope, bearer: string) => {
    // The approver of a global release sends a code of their second factor (officer-2 enrolled in beforeAll).
    const headers: Record<string, string> = action === 'release-approvals' ? { 'x-totp-code': await approver.nextCode() } : {};
    const answer = await processes[via]!.call('POST', `/v1/stops/${action}`, bearer, { scope, reason: `kill-switch drill (${action})` }, headers);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  };

  const workingOrders = async (accountId: string): Promise<Array<{ orderId: string; status: string }>> => {
    const answer = await processes[0]!.call('GET', `/v1/accounts/${accountId}`, tokens.admin);
    return answer.body.workingOrders as Array<{ orderId: string; status: string }>;
  };

  beforeAll(async () => {
    db = await createTestDatabase('nicegold_kill_switch');
    await flushRedis();
    tokens = {
      admin: await token('admin', 'admin-1'),
      officer1: await token('risk_officer', 'officer-1'),
      officer2: await token('risk_officer', 'officer-2'),
      trader: await token('trader', 'trader-ks', ACCOUNTS),
      feed: await token('service', 'feed-ks'),
    };
    // A first, alone, so the schemas are created once; then B beside it.
    processes = [await startLedgerProcess('A', { DATABASE_URL: db.url, REDIS_URL: redisDatabaseUrl(REDIS_DBS[0]), ROLES: 'api,ingest,broker' })];
    processes.push(await startLedgerProcess('B', { DATABASE_URL: db.url, REDIS_URL: redisDatabaseUrl(REDIS_DBS[1]), ROLES: 'api,ingest' }));
    await tick();
    const enrolment = await processes[1]!.call('POST', '/v1/mfa/enrolment', tokens.officer2);
    expect(enrolment.status, JSON.stringify(enrolment.body)).toBe(201);
    approver = Authenticator.of(enrolment.body.secret as string);
    for (const accountId of ACCOUNTS) {
      expect((await processes[0]!.call('POST', '/v1/accounts', tokens.admin, { accountId, currency: 'USD', startingBalance: '100000.00' })).status).toBe(201);
      expect((await processes[1]!.call('PUT', `/v1/accounts/${accountId}/limits`, tokens.officer1, { limits: LIMITS })).status).toBe(200);
      // warm: both processes have the account and its stop streams cached
      for (const via of [0, 1]) { const w = await place(via, accountId); expect(w.accepted, JSON.stringify(w)).toBe(true); }
    }
  }, 180_000);

  afterAll(async () => {
    for (const p of processes) await p.stop();
    await db?.drop();
    await flushRedis().catch(() => undefined);
  });

  const cases: ReadonlyArray<readonly [string, string, Scope, number]> = [
    ['global', 'A', { kind: 'global' }, 0],
    ['global', 'B', { kind: 'global' }, 1],
    ['instrument', 'B', { kind: 'instrument', symbol: 'XAUUSD' }, 1],
    ['instrument', 'A', { kind: 'instrument', symbol: 'XAUUSD' }, 0],
    ['account', 'A', { kind: 'account', accountId: 'KS3' }, 0],
    ['account', 'B', { kind: 'account', accountId: 'KS4' }, 1],
  ];

  it.each(cases)('a %s stop engaged on process %s: nothing sent after its answer is accepted; what was accepted before is swept', async (_, __, scope, engager) => {
    await tick();
    const inScope = (accountId: string) => scope.kind !== 'account' || scope.accountId === accountId;
    const sent: Sent[] = [];
    let ackedAt = Number.POSITIVE_INFINITY;
    let stopAfter = Number.POSITIVE_INFINITY;
    let n = 0;
    // an account stop covers one account in six, so it sees a sixth of the traffic
    const share = scope.kind === 'account' ? 6 : 1;
    // Load goes on after the stop's answer for 1.5 s and until each process has answered 60 / share orders
    // in scope sent after it (at most 20 s: a loaded machine is slower, not excused).
    const enoughAfter = () => [0, 1].every((via) => sent.filter((s) => s.status === 201 && s.via === via && s.sentAt > ackedAt && inScope(s.accountId)).length >= 60 / share);
    const going = () => performance.now() < stopAfter || (performance.now() < ackedAt + 20_000 && !enoughAfter());
    const client = async (c: number) => {
      while (going()) {
        n += 1;
        sent.push(await place(c % 2, ACCOUNTS[(c + n) % ACCOUNTS.length]!)); // each account through both processes
      }
    };
    const engage = async () => {
      while (sent.length < 150) await new Promise((resolve) => setTimeout(resolve, 5));
      await stopCall(engager, 'engage', scope, tokens.officer1);
      ackedAt = performance.now();
      stopAfter = ackedAt + 1_500;
    };
    await Promise.all([engage(), ...Array.from({ length: CLIENTS }, (_, c) => client(c))]);
    const scoped = ACCOUNTS.filter(inScope);
    try {
      // Every answer is a decision, or (on a loaded machine, writers in both processes on one account) a 409
      // COMMAND.CONTENTION the client retries: nothing accepted, nothing judged. Only decisions are judged here.
      expect(sent.filter((s) => s.status !== 201 && !(s.status === 409 && s.code === 'COMMAND.CONTENTION')).map((s) => `${s.status} ${s.code}`)).toEqual([]);
      expect(sent.filter((s) => s.status === 409).length).toBeLessThan(sent.length / 20);
      const decided = sent.filter((s) => s.status === 201);
      const before = decided.filter((s) => s.answeredAt < ackedAt && inScope(s.accountId));
      const after = decided.filter((s) => s.sentAt > ackedAt);
      const afterInScope = after.filter((s) => inScope(s.accountId));
      expect(before.filter((s) => s.accepted).length).toBeGreaterThan(20 / share);
      expect(afterInScope.length).toBeGreaterThanOrEqual(120 / share);
      for (const via of [0, 1]) expect(afterInScope.filter((s) => s.via === via).length).toBeGreaterThanOrEqual(60 / share);
      // the kill switch: every order in scope sent after the stop's answer was denied for the stop
      expect(afterInScope.filter((s) => s.accepted).map((s) => `${s.accountId} via ${s.via}`)).toEqual([]);
      expect(afterInScope.every((s) => s.reasons.includes('RISK.EMERGENCY_STOP'))).toBe(true);
      // and only in scope: other accounts keep trading through an account stop
      if (scope.kind === 'account') {
        const outside = after.filter((s) => !inScope(s.accountId));
        expect(outside.length).toBeGreaterThan(50);
        expect(outside.every((s) => s.accepted)).toBe(true);
      }

      // The sweep cancels every working order in scope, including those accepted in the race window.
      await expect.poll(async () => (await Promise.all(scoped.map(workingOrders))).flat().length, { timeout: 30_000, interval: 250 }).toBe(0);
    } finally {
      // released even when an assertion failed, so the next case starts with no stop engaged
      if (scope.kind === 'global') {
        await stopCall(engager, 'release-requests', scope, tokens.officer1);
        await stopCall(1 - engager, 'release-approvals', scope, tokens.officer2);
      } else {
        await stopCall(1 - engager, 'release-requests', scope, tokens.officer2);
      }
    }
    // released: both processes take orders in that scope again, at once
    for (const via of [0, 1]) {
      const placed = await place(via, scoped[0]!);
      expect({ status: placed.status, accepted: placed.accepted, reasons: placed.reasons }).toEqual({ status: 201, accepted: true, reasons: [] });
    }
  }, 120_000);
});

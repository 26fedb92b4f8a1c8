// The audit API as a compliance officer meets it: a production ledger process on PostgreSQL asked through
// a GraphQL client (graphql-request) and the HTTP download, and `nicegold audit` asked the same questions
// in its own process on the same database. The answers are the same; every question is in the compliance
// audit log with who asked it; every role but compliance and admin is refused and records nothing; while the
// audit log cannot be written, nothing is answered, and the process lives on to answer once it can.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClientError, GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrincipalRole } from '../../../infra/auth/index.ts';
import { createTestDatabase, type TestDatabase } from '../../integration/projections/database.ts';
import { refuseInserts } from '../../support/refused-inserts.ts';
import { postgresService } from '../../support/services.ts';
import { startLedgerProcess, token, type LedgerProcess } from '../support/ledger-process.ts';
import { nicegoldCli } from '../support/nicegold-cli.ts';

const postgres = await postgresService();
const ROLES: readonly PrincipalRole[] = ['trader', 'risk_officer', 'compliance', 'analyst', 'admin', 'service'];
const LIMITS = {
  maxOrderNotional: '10000000.00', maxPositionQty: '5.00', maxOpenOrders: 100, priceCollarBps: 500,
  maxQuoteAgeMs: 86_400_000, maxSubmitsPerWindow: 1_000, submitWindowMs: 1_000, maxDailyLoss: '1000000.00',
};

const ACCOUNT_AS_OF = /* GraphQL */ `query AsOf($accountId: ID!, $at: DateTime!) { accountAsOf(accountId: $accountId, at: $at) {
  asOf { at revision lastEventRecordedAt eventsFolded eventsRecordedLater }
  account {
    accountId currency revision balance limitsVersion
    limits { maxOrderNotional maxPositionQty maxOpenOrders priceCollarBps maxQuoteAgeMs maxSubmitsPerWindow submitWindowMs maxDailyLoss maxDrawdownBps dailyCutoffHourUtc }
    trading { state reason reasonCode changedBy { userId role } since }
    workingOrders { orderId clientOrderId symbol side kind timeInForce qty limitPrice stopPrice reduceOnly status filledQty placedAt }
    positions { symbol qty costBasis realizedPnl }
    figures { balance equity unrealizedPnl realizedPnl feesPaid peakEquity drawdownBps dailyPnl }
  }
} }`;
const EXPLAIN_ORDER = /* GraphQL */ `query Explain($orderId: ID!, $accountId: ID) { explainOrder(orderId: $orderId, accountId: $accountId) {
  accountId orderId order status
  decision { at orderId accepted reasons checks { name passed observed limit } }
  context { limits limitsVersion limitsSet { by { userId role } at reason } tradingState positionQty workingOrders balance }
  steps { revision type occurredAt recordedAt actor { userId role } commandId correlationId data }
} }`;
const AUDIT_TRAIL = /* GraphQL */ `query Trail($accountId: ID, $streamId: String, $from: DateTime, $to: DateTime) {
  auditTrail(accountId: $accountId, streamId: $streamId, from: $from, to: $to) { streamId from to events finalHash keyId lines jsonl }
}`;

/** A trail's lines without what differs between two exports of the same events: when, and so the hashes. */
const comparable = (jsonl: string) => jsonl.trim().split('\n').map((line) => {
  const { exportedAt: _exportedAt, hash: _hash, prev: _prev, ...rest } = JSON.parse(line) as Record<string, unknown>;
  return rest;
});

describe.skipIf(!postgres.available)(`the audit API answers as nicegold audit does${postgres.skipReason}`, () => {
  let db: TestDatabase;
  let ledger: LedgerProcess;
  let dir: string;
  let admin: string;
  let officer: GraphQLClient;
  let acceptedId: string;
  let deniedId: string;
  let limitsSetAt: Date;
  const tokens = new Map<PrincipalRole, string>();

  const client = (bearer: string) => new GraphQLClient(`${ledger.url}/graphql`, { headers: { authorization: `Bearer ${bearer}` } });
  const cli = (...args: string[]) => nicegoldCli(db.url, ['audit', ...args]);
  const cliJson = async (...args: string[]) => {
    const answer = await cli(...args);
    expect(answer.code, answer.stderr).toBe(0);
    return JSON.parse(answer.stdout) as unknown;
  };
  const download = (bearer: string | undefined, query: string) =>
    fetch(`${ledger.url}/audit/trail?${query}`, { headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } });
  /** The AuditQueried events on the compliance audit log, as `nicegold audit export` exports them. */
  const auditLog = async () => {
    const answer = await cli('export', '--stream', 'compliance-audit-log');
    expect(answer.code, answer.stderr).toBe(0);
    return answer.stdout.trim().split('\n').map((line) => JSON.parse(line) as { kind: string; event?: { type: string; data: Record<string, unknown>; metadata: Record<string, unknown> } })
      .filter((line) => line.kind === 'event').map((line) => line.event!);
  };
  /** The extensions.code of a refused GraphQL request. */
  const refusal = async (request: Promise<unknown>): Promise<string | undefined> => {
    try {
      await request;
      return 'answered';
    } catch (error) {
      if (!(error instanceof ClientError)) throw error;
      return error.response.errors?.[0]?.extensions?.code as string | undefined;
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase('nicegold_audit_api');
    dir = await mkdtemp(path.join(tmpdir(), 'nicegold-audit-api-'));
    admin = await token('admin', 'admin-1');
    for (const role of ROLES) tokens.set(role, await token(role, `${role}-asker`, role === 'trader' ? ['AUD-A'] : []));
    const feed = await token('service', 'feed-audit');
    ledger = await startLedgerProcess('AUDIT', { DATABASE_URL: db.url, ROLES: 'api,ingest,broker,projector' });
    officer = client(tokens.get('compliance')!);
    const tick = await ledger.call('POST', '/v1/ticks', feed, { ticks: [{ symbol: 'XAUUSD', source: 'audit-feed', sequence: 1, bid: '2400.00', ask: '2400.40', ts: new Date().toISOString() }] });
    expect(tick.status).toBe(200);
    expect((await ledger.call('POST', '/v1/accounts', admin, { accountId: 'AUD-A', currency: 'USD', startingBalance: '100000.00' })).status).toBe(201);
    expect((await ledger.call('PUT', '/v1/accounts/AUD-A/limits', admin, { limits: LIMITS })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the instant lies strictly between the limits and the orders
    limitsSetAt = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const order = (clientOrderId: string, qty: string) => ({ clientOrderId, symbol: 'XAUUSD', side: 'buy', kind: 'market', timeInForce: 'GTC', qty });
    const accepted = await ledger.call('POST', '/v1/accounts/AUD-A/orders', admin, order('aud-fits', '1.00'));
    expect(accepted.body.accepted, JSON.stringify(accepted.body)).toBe(true);
    acceptedId = accepted.body.orderId as string;
    const denied = await ledger.call('POST', '/v1/accounts/AUD-A/orders', admin, order('aud-too-big', '6.00'));
    expect(denied.body.accepted, JSON.stringify(denied.body)).toBe(false);
    deniedId = denied.body.orderId as string;
    // the paper broker fills the accepted order; the orders read model knows both orders
    const settled = async () => {
      const positions = (await ledger.call('GET', '/v1/accounts/AUD-A', admin)).body.positions as Array<{ qty: string }>;
      const known = await client(admin).request<{ account: { orders: { nodes: Array<{ id: string }> } } | null }>('{ account(id: "AUD-A") { orders { nodes { id } } } }');
      return positions[0]?.qty === '1.00' && known.account?.orders.nodes.length === 2;
    };
    for (let i = 0; i < 300 && !(await settled()); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await settled()).toBe(true);
  }, 300_000);

  afterAll(async () => {
    await ledger?.stop();
    await rm(dir, { recursive: true, force: true });
    await db?.drop();
  });

  it('accountAsOf is audit replay, before the orders and after the fill', async () => {
    for (const at of [limitsSetAt, new Date()]) {
      const api = await officer.request<{ accountAsOf: unknown }>(ACCOUNT_AS_OF, { accountId: 'AUD-A', at: at.toISOString() });
      expect(api.accountAsOf).toEqual(await cliJson('replay', '--account', 'AUD-A', '--at', at.toISOString()));
    }
    const after = await officer.request<{ accountAsOf: { account: { positions: Array<{ qty: string }>; limits: { maxPositionQty: string } } } }>(ACCOUNT_AS_OF, { accountId: 'AUD-A', at: new Date().toISOString() });
    expect(after.accountAsOf.account.positions).toMatchObject([{ symbol: 'XAUUSD', qty: '1.00' }]);
    expect(after.accountAsOf.account.limits.maxPositionQty).toBe('5.00');
    expect(await refusal(officer.request(ACCOUNT_AS_OF, { accountId: 'AUD-A', at: '2001-01-01T00:00:00Z' }))).toBe('AUDIT.NOT_OPEN_AT');
    expect(await refusal(officer.request(ACCOUNT_AS_OF, { accountId: 'NOBODY', at: new Date().toISOString() }))).toBe('ACCOUNT.NOT_FOUND');
  }, 300_000);

  it('explainOrder is audit explain, with or without the account named', async () => {
    for (const orderId of [acceptedId, deniedId]) {
      const expected = await cliJson('explain', '--account', 'AUD-A', '--order', orderId);
      expect((await officer.request<{ explainOrder: unknown }>(EXPLAIN_ORDER, { orderId, accountId: 'AUD-A' })).explainOrder).toEqual(expected);
      expect((await officer.request<{ explainOrder: unknown }>(EXPLAIN_ORDER, { orderId })).explainOrder).toEqual(expected);
    }
    const denied = await officer.request<{ explainOrder: { status: string; decision: { accepted: boolean; reasons: string[] } } }>(EXPLAIN_ORDER, { orderId: deniedId });
    expect(denied.explainOrder).toMatchObject({ status: 'denied', decision: { accepted: false, reasons: expect.arrayContaining(['RISK.POSITION_LIMIT']) as unknown } });
    expect(await refusal(officer.request(EXPLAIN_ORDER, { orderId: 'no-such-order' }))).toBe('ORDER.UNKNOWN');
  }, 300_000);

  it('auditTrail and GET /audit/trail are the trail audit export writes, and verify against the ledger', async () => {
    const file = path.join(dir, 'cli.jsonl');
    expect((await cli('export', '--account', 'AUD-A', '--out', file)).code).toBe(0);
    const fromCli = await readFile(file, 'utf8');
    const api = (await officer.request<{ auditTrail: { streamId: string; events: number; finalHash: string; keyId: string | null; lines: string[]; jsonl: string } }>(AUDIT_TRAIL, { accountId: 'AUD-A' })).auditTrail;
    expect(api).toMatchObject({ streamId: 'account-AUD-A', keyId: null, lines: api.jsonl.trimEnd().split('\n') });
    expect(comparable(api.jsonl)).toEqual(comparable(fromCli));
    expect(api.events).toBe(fromCli.trim().split('\n').length - 2);

    const downloaded = await download(tokens.get('compliance'), 'account=AUD-A');
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers.get('content-type')).toContain('application/x-ndjson');
    expect(downloaded.headers.get('content-disposition')).toContain('account-AUD-A.trail.jsonl');
    const body = await downloaded.text();
    expect(comparable(body)).toEqual(comparable(fromCli));
    for (const [name, text] of [['graphql.jsonl', api.jsonl], ['http.jsonl', body]] as const) {
      await writeFile(path.join(dir, name), text);
      const verified = await cli('verify', path.join(dir, name), '--expect', name === 'graphql.jsonl' ? api.finalHash : /"hash":"([0-9a-f]{64})"[^\n]*\n$/.exec(body)![1]!, '--against-ledger');
      expect(verified, verified.stderr).toMatchObject({ code: 0, stdout: expect.stringContaining(`intact, ${api.events} events of account-AUD-A`) as unknown });
    }

    // a recorded-at range: only the events recorded by then, as the CLI's --to
    const to = limitsSetAt.toISOString();
    const ranged = (await officer.request<{ auditTrail: { jsonl: string; events: number; to: string } }>(AUDIT_TRAIL, { streamId: 'account-AUD-A', to })).auditTrail;
    const rangedFile = path.join(dir, 'ranged.jsonl');
    expect((await cli('export', '--stream', 'account-AUD-A', '--to', to, '--out', rangedFile)).code).toBe(0);
    expect(comparable(ranged.jsonl)).toEqual(comparable(await readFile(rangedFile, 'utf8')));
    expect(ranged).toMatchObject({ events: 2, to }); // opened, limits set
    expect(comparable(await (await download(tokens.get('admin'), `stream=account-AUD-A&to=${encodeURIComponent(to)}`)).text())).toEqual(comparable(ranged.jsonl));
  }, 300_000);

  it('records every question with who asked it, and refuses a malformed one with its code, recording nothing', async () => {
    const before = (await auditLog()).length;
    const at = new Date().toISOString();
    await officer.request(ACCOUNT_AS_OF, { accountId: 'AUD-A', at });
    await client(tokens.get('admin')!).request(EXPLAIN_ORDER, { orderId: deniedId, accountId: 'AUD-A' });
    await officer.request(AUDIT_TRAIL, { accountId: 'AUD-A', from: '2020-01-01T00:00:00Z' });
    expect((await download(tokens.get('compliance'), 'stream=account-AUD-A')).status).toBe(200);
    const asked = (await auditLog()).slice(before);
    expect(asked.map((e) => [e.type, e.data.query, e.data.via, e.data.askedBy])).toEqual([
      ['AuditQueried', 'accountAsOf', 'graphql', { userId: 'compliance-asker', role: 'compliance' }],
      ['AuditQueried', 'explainOrder', 'graphql', { userId: 'admin-asker', role: 'admin' }],
      ['AuditQueried', 'trail', 'graphql', { userId: 'compliance-asker', role: 'compliance' }],
      ['AuditQueried', 'trail', 'http', { userId: 'compliance-asker', role: 'compliance' }],
    ]);
    expect(asked.map((e) => e.data.arguments)).toEqual([
      { accountId: 'AUD-A', orderId: null, streamId: 'account-AUD-A', at: new Date(at).toISOString(), from: null, to: null },
      { accountId: 'AUD-A', orderId: deniedId, streamId: 'account-AUD-A', at: null, from: null, to: null },
      { accountId: null, orderId: null, streamId: 'account-AUD-A', at: null, from: '2020-01-01T00:00:00.000Z', to: null },
      { accountId: null, orderId: null, streamId: 'account-AUD-A', at: null, from: null, to: null },
    ]);
    expect(asked.every((e) => typeof e.data.askedAt === 'string' && (e.metadata.actor as { userId: string }).userId === (e.data.askedBy as { userId: string }).userId)).toBe(true);

    const malformed = [
      refusal(officer.request(AUDIT_TRAIL, { accountId: 'AUD-A', streamId: 'account-AUD-A' })),
      refusal(officer.request(AUDIT_TRAIL, {})),
      refusal(officer.request(AUDIT_TRAIL, { accountId: 'AUD-A', from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })),
      refusal(officer.request(AUDIT_TRAIL, { accountId: 'AUD-A', from: 'yesterday' })),
      refusal(officer.request(ACCOUNT_AS_OF, { accountId: 'AUD-A', at: 'not a time' })),
    ];
    expect(await Promise.all(malformed)).toEqual(['AUDIT.STREAM_REQUIRED', 'AUDIT.STREAM_REQUIRED', 'AUDIT.BAD_RANGE', 'GRAPHQL.BAD_TIME', 'GRAPHQL.BAD_TIME']);
    const badDownload = await download(tokens.get('compliance'), 'account=AUD-A&stream=account-AUD-A');
    expect([badDownload.status, ((await badDownload.json()) as { code: string }).code]).toEqual([400, 'AUDIT.STREAM_REQUIRED']);
    expect((await auditLog()).length).toBe(before + asked.length);
  }, 300_000);

  it('only compliance and admin may ask; every other role is refused AUTH.FORBIDDEN_ROLE and records nothing', async () => {
    const before = (await auditLog()).length;
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const role of ROLES) {
      const bearer = tokens.get(role)!;
      const asker = client(bearer);
      const allowed = role === 'compliance' || role === 'admin';
      const answers = {
        accountAsOf: await refusal(asker.request(ACCOUNT_AS_OF, { accountId: 'AUD-A', at: new Date().toISOString() })),
        explainOrder: await refusal(asker.request(EXPLAIN_ORDER, { orderId: acceptedId, accountId: 'AUD-A' })),
        auditTrail: await refusal(asker.request(AUDIT_TRAIL, { accountId: 'AUD-A' })),
        'GET /audit/trail': await download(bearer, 'account=AUD-A').then(async (r) => (r.status === 200 ? 'answered' : `${r.status} ${((await r.json()) as { code: string }).code}`)),
      };
      for (const [question, answer] of Object.entries(answers)) {
        outcomes.push(`${question} as ${role}: ${answer}`);
        expected.push(`${question} as ${role}: ${allowed ? 'answered' : question.startsWith('GET') ? '403 AUTH.FORBIDDEN_ROLE' : 'AUTH.FORBIDDEN_ROLE'}`);
      }
    }
    // the trader's token names AUD-A, and is still refused: the audit API is a role's, not an account's
    expect(outcomes).toEqual(expected);

    const anonymous = await download(undefined, 'account=AUD-A');
    expect([anonymous.status, ((await anonymous.json()) as { code: string }).code]).toEqual([401, 'AUTH.MISSING_TOKEN']);
    const unauthenticated = await fetch(`${ledger.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: AUDIT_TRAIL, variables: { accountId: 'AUD-A' } }) });
    expect(unauthenticated.status).toBe(401);
    expect((await auditLog()).length - before).toBe(2 * 4); // the two allowed roles' four questions, nothing else
  }, 300_000);

  it('answers nothing while the audit log refuses writes, and the process stays up to answer once it takes them again', async () => {
    // The database refuses the audit log's appends (a revoked grant, a full tablespace): trading goes on.
    const allow = await refuseInserts(db.sql, { schema: 'es', when: "new.stream_id = 'compliance-audit-log'", message: 'the audit log is refusing writes' });
    const compliance = tokens.get('compliance')!;
    try {
      // Asked again and again, over both ways in: each answer is the refusal, never a line of the trail.
      for (let round = 0; round < 3; round += 1) {
        const answer = await download(compliance, 'account=AUD-A');
        const body = await answer.text();
        expect([answer.status, (JSON.parse(body) as { code: string }).code]).toEqual([503, 'AUDIT.NOT_RECORDED']);
        expect(body).not.toContain('OrderPlaced');
        expect(await refusal(client(compliance).request(AUDIT_TRAIL, { accountId: 'AUD-A' }))).toBe('AUDIT.NOT_RECORDED');
        expect(await refusal(client(compliance).request(ACCOUNT_AS_OF, { accountId: 'AUD-A', at: new Date().toISOString() }))).toBe('AUDIT.NOT_RECORDED');
      }
      // Trading is untouched by it.
      expect((await ledger.call('GET', '/v1/accounts/AUD-A', admin)).status).toBe(200);
    } finally {
      await allow();
    }
    // The same process (the refusals did not end it) answers and records the question again.
    const before = (await auditLog()).length;
    const answer = await download(compliance, 'account=AUD-A');
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('OrderPlaced');
    expect((await auditLog()).length).toBe(before + 1);
    expect(ledger.output()).not.toMatch(/Unhandled|uncaught/i);
  }, 120_000);
});

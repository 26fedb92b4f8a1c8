// Each role against each endpoint over HTTP. The expected matrix is written out here, independently of
// the server's own table, so a change to who may do what has to change this test too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrincipalRole } from '../../../infra/auth/index.ts';
import { postgresService, redisService } from '../../support/services.ts';
import { newKey, startCommandServer, type CommandServer } from './command-server.ts';

const [postgres, redis] = await Promise.all([postgresService(), redisService()]);
const skip = !postgres.available || !redis.available;

const ROLES: readonly PrincipalRole[] = ['trader', 'risk_officer', 'compliance', 'analyst', 'admin', 'service'];
const EVERYONE = ROLES;

/** `secondFactor`: the caller sends a fresh code of their own second factor (X-TOTP-Code), as an allowed caller must there. */
interface Call { readonly method: 'GET' | 'POST' | 'PUT'; readonly path: string; readonly body?: unknown; readonly secondFactor?: boolean }
interface Endpoint {
  readonly name: string;
  readonly allowed: readonly PrincipalRole[];
  readonly okStatus: number;
  /** Builds a request that succeeds for an allowed role (setting up what it needs). */
  readonly request: (s: CommandServer) => Promise<Call>;
}

let counter = 0;
const next = () => (counter += 1);
const order = (clientOrderId: string) => ({ clientOrderId, symbol: 'XAUUSD', side: 'buy', kind: 'limit', timeInForce: 'GTC', qty: '0.10', limitPrice: '2399.00' });
let adminToken = '';
let setupOfficer = '';

async function placeAsAdmin(s: CommandServer): Promise<string> {
  const placed = await s.call('POST', '/v1/accounts/MX/orders', order(`setup-${next()}`), { token: adminToken });
  if (placed.body.accepted !== true) throw new Error(`setup order not accepted: ${JSON.stringify(placed.body)}`);
  return placed.body.orderId as string;
}

async function asSetupOfficer(s: CommandServer, path: string, body: unknown): Promise<void> {
  const answer = await s.call('POST', path, body, { token: setupOfficer });
  if (answer.status !== 200) throw new Error(`setup ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
}

const ENDPOINTS: readonly Endpoint[] = [
  { name: 'open account', allowed: ['admin'], okStatus: 201, request: async () => ({ method: 'POST', path: '/v1/accounts', body: { accountId: `NEW${next()}`, currency: 'USD', startingBalance: '10.00' } }) },
  { name: 'set limits', allowed: ['risk_officer', 'admin'], okStatus: 200, request: async () => ({ method: 'PUT', path: '/v1/accounts/MX/limits', body: { limits: WIDE }, secondFactor: true }) },
  { name: 'set trading state', allowed: ['risk_officer', 'admin'], okStatus: 200, request: async () => ({ method: 'PUT', path: '/v1/accounts/MX/trading-state', body: { state: 'ACTIVE', reason: 'matrix' } }) },
  { name: 'deposit', allowed: ['admin'], okStatus: 200, request: async () => ({ method: 'POST', path: '/v1/accounts/MX/deposits', body: { amount: '10.00' } }) },
  { name: 'withdraw', allowed: ['admin'], okStatus: 200, request: async () => ({ method: 'POST', path: '/v1/accounts/MX/withdrawals', body: { amount: '1.00' } }) },
  { name: 'place order', allowed: ['trader', 'admin'], okStatus: 201, request: async () => ({ method: 'POST', path: '/v1/accounts/MX/orders', body: order(`m-${next()}`) }) },
  { name: 'cancel order', allowed: ['trader', 'admin'], okStatus: 200, request: async (s) => ({ method: 'POST', path: `/v1/accounts/MX/orders/${await placeAsAdmin(s)}/cancel`, body: { reason: 'matrix' } }) },
  { name: 'record fill', allowed: ['service', 'admin'], okStatus: 200, request: async (s) => ({ method: 'POST', path: '/v1/accounts/MX/fills', body: { orderId: await placeAsAdmin(s), fillId: `f-${next()}`, qty: '0.10', price: '2399.00' } }) },
  { name: 'read account', allowed: EVERYONE, okStatus: 200, request: async () => ({ method: 'GET', path: '/v1/accounts/MX' }) },
  { name: 'read order', allowed: EVERYONE, okStatus: 200, request: async (s) => ({ method: 'GET', path: `/v1/accounts/MX/orders/${await placeAsAdmin(s)}` }) },
  { name: 'read stop', allowed: EVERYONE, okStatus: 200, request: async () => ({ method: 'GET', path: '/v1/stops?kind=account&accountId=MS' }) },
  { name: 'read a second factor', allowed: ['admin'], okStatus: 200, request: async () => ({ method: 'GET', path: '/v1/mfa/users/setup-officer' }) },
  { name: 'engage stop', allowed: ['risk_officer', 'admin'], okStatus: 200, request: async () => ({ method: 'POST', path: '/v1/stops/engage', body: { scope: { kind: 'account', accountId: 'MS' }, reason: 'matrix' } }) },
  {
    name: 'request stop release', allowed: ['risk_officer', 'admin'], okStatus: 200,
    request: async (s) => {
      await asSetupOfficer(s, '/v1/stops/engage', { scope: { kind: 'account', accountId: 'MS' }, reason: 'matrix setup' });
      return { method: 'POST', path: '/v1/stops/release-requests', body: { scope: { kind: 'account', accountId: 'MS' }, reason: 'matrix' } };
    },
  },
  {
    // Last: a global stop denies every order while it is engaged.
    name: 'approve global stop release', allowed: ['risk_officer', 'admin'], okStatus: 200,
    request: async (s) => {
      await asSetupOfficer(s, '/v1/stops/engage', { scope: { kind: 'global' }, reason: 'matrix setup' });
      await asSetupOfficer(s, '/v1/stops/release-requests', { scope: { kind: 'global' }, reason: 'matrix setup' });
      return { method: 'POST', path: '/v1/stops/release-approvals', body: { scope: { kind: 'global' }, reason: 'second approver' }, secondFactor: true };
    },
  },
];

const WIDE = {
  maxOrderNotional: '10000000.00', maxPositionQty: '500.00', maxOpenOrders: 10_000, priceCollarBps: 500,
  maxQuoteAgeMs: 86_400_000, maxSubmitsPerWindow: 1_000_000, submitWindowMs: 1_000, maxDailyLoss: '1000000.00',
};

describe.skipIf(skip)(`who may call what${postgres.skipReason}${redis.skipReason}`, () => {
  let server: CommandServer;
  const tokens = new Map<PrincipalRole, string>();

  beforeAll(async () => {
    server = await startCommandServer();
    await server.quote('2400.00', '2400.40');
    await server.openAccount('MX');
    await server.openAccount('MY');
    await server.openAccount('MS');
    for (const role of ROLES) tokens.set(role, await server.token(role, { accounts: role === 'trader' ? ['MX'] : [] }));
    adminToken = tokens.get('admin')!;
    setupOfficer = await server.token('risk_officer', { userId: 'setup-officer' });
  });
  afterAll(async () => { await server?.close(); });

  it('each role x each endpoint answers as the matrix says', async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const endpoint of ENDPOINTS) {
      for (const role of ROLES) {
        const allowed = endpoint.allowed.includes(role);
        // A refused role needs no setup: it is refused before anything is looked at.
        const call = allowed ? await endpoint.request(server) : await plainCall(endpoint, server);
        const token = tokens.get(role)!;
        const answer = await server.call(call.method, call.path, call.body, { token, ...(allowed && call.secondFactor ? { totp: await server.code(token) } : {}) });
        outcomes.push(`${endpoint.name} as ${role}: ${answer.status}${answer.status === 403 ? ` ${String(answer.body.code)}` : ''}`);
        expected.push(`${endpoint.name} as ${role}: ${allowed ? endpoint.okStatus : '403 AUTH.FORBIDDEN_ROLE'}`);
      }
    }
    expect(outcomes).toEqual(expected);
  });

  it('every endpoint answers 401 without a token, and 401 with a token signed by someone else', async () => {
    const foreign = `${adminToken.slice(0, -4)}AAAA`;
    for (const endpoint of ENDPOINTS) {
      const call = await plainCall(endpoint, server);
      const none = await server.call(call.method, call.path, call.body, {});
      const forged = await server.call(call.method, call.path, call.body, { token: foreign });
      expect([endpoint.name, none.status, none.body.code]).toEqual([endpoint.name, 401, 'AUTH.MISSING_TOKEN']);
      expect([endpoint.name, forged.status, forged.body.code]).toEqual([endpoint.name, 401, 'AUTH.INVALID_TOKEN']);
    }
  });

  it('a trader is refused on an account its token does not name, and nothing is written', async () => {
    const trader = tokens.get('trader')!;
    const head = await server.head();
    const calls: Call[] = [
      { method: 'POST', path: '/v1/accounts/MY/orders', body: order('not-mine') },
      { method: 'POST', path: '/v1/accounts/MY/orders/any-order/cancel', body: {} },
      { method: 'GET', path: '/v1/accounts/MY' },
      { method: 'GET', path: '/v1/accounts/MY/orders/any-order' },
    ];
    for (const call of calls) {
      const answer = await server.call(call.method, call.path, call.body, { token: trader });
      expect([call.path, answer.status, answer.body.code]).toEqual([call.path, 403, 'AUTH.FORBIDDEN_ACCOUNT']);
    }
    expect(await server.head()).toBe(head);
  });

  it('a risk officer puts an account in REDUCING: orders that add risk are denied, the state change names the officer', async () => {
    const officer = tokens.get('risk_officer')!;
    await server.openAccount('MR');
    const set = await server.call('PUT', '/v1/accounts/MR/trading-state', { state: 'REDUCING', reason: 'desk review' }, { token: officer });
    expect(set.status).toBe(200);
    const placed = await server.call('POST', '/v1/accounts/MR/orders', order(`reduce-${next()}`), { token: adminToken });
    expect(placed.status).toBe(201);
    expect(placed.body.accepted).toBe(false);
    expect(placed.body.decision).toMatchObject({ reasons: expect.arrayContaining(['RISK.REDUCE_ONLY']) as unknown });
    const changed = (await server.stream('MR')).filter((e) => e.type === 'TradingStateChanged').at(-1)!;
    expect(changed.data).toMatchObject({ to: 'REDUCING', reason: 'desk review' });
    expect(changed.metadata.actor).toMatchObject({ role: 'risk_officer' });
    const bad = await server.call('PUT', '/v1/accounts/MR/trading-state', { state: 'PAUSED', reason: 'x' }, { token: officer });
    expect(bad.status).toBe(400);
  });

  it('the actor recorded with a command is the token\'s user and role, whatever the body says', async () => {
    const key = newKey();
    await server.call('POST', '/v1/accounts/MX/deposits', { amount: '3.00', reference: 'actor check' }, { token: adminToken, key });
    const events = (await server.stream('MX')).filter((e) => e.metadata.commandId === key);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e.metadata.actor).toEqual({ userId: 'admin-user', role: 'admin' });
  });
});

/** The endpoint's request without its setup side effects, for callers that will be refused. */
async function plainCall(endpoint: Endpoint, server: CommandServer): Promise<Call> {
  const known: Record<string, Call> = {
    'cancel order': { method: 'POST', path: '/v1/accounts/MX/orders/some-order/cancel', body: { reason: 'matrix' } },
    'record fill': { method: 'POST', path: '/v1/accounts/MX/fills', body: { orderId: 'some-order', fillId: `f-${next()}`, qty: '0.10', price: '2399.00' } },
    'read order': { method: 'GET', path: '/v1/accounts/MX/orders/some-order' },
    'request stop release': { method: 'POST', path: '/v1/stops/release-requests', body: { scope: { kind: 'account', accountId: 'MS' }, reason: 'matrix' } },
    'approve global stop release': { method: 'POST', path: '/v1/stops/release-approvals', body: { scope: { kind: 'global' }, reason: 'matrix' } },
  };
  return known[endpoint.name] ?? endpoint.request(server);
}

describe.skipIf(skip)(`per-user rate limit on Redis${postgres.skipReason}${redis.skipReason}`, () => {
  let server: CommandServer;
  beforeAll(async () => { server = await startCommandServer({ rateLimitPerSecond: 5 }); });
  afterAll(async () => { await server?.close(); });

  it('a burst beyond the limit gets 429 RATE_LIMITED with Retry-After; another user is still served', async () => {
    const busy = await server.token('analyst', { userId: 'busy-analyst' });
    const burst = await Promise.all(Array.from({ length: 20 }, () => server.call('GET', '/v1/stops?kind=global', undefined, { token: busy })));
    const limited = burst.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(10); // 20 requests span at most two one-second windows of 5
    expect(burst.filter((a) => a.status === 200).length).toBeGreaterThan(0);
    expect(limited[0]!.body.code).toBe('RATE_LIMITED');
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const calm = await server.token('analyst', { userId: 'calm-analyst' });
    expect((await server.call('GET', '/v1/stops?kind=global', undefined, { token: calm })).status).toBe(200);
  });
});

// Whatever a client sends, the API answers with a 4xx and a stable code, never a 500, and a refused
// request writes nothing (the store's head position does not move).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresService, redisService } from '../../support/services.ts';
import { startCommandServer, WIDE_LIMITS, type CommandServer } from './command-server.ts';

const [postgres, redis] = await Promise.all([postgresService(), redisService()]);
const skip = !postgres.available || !redis.available;

type Body = Record<string, unknown>;
interface Target { readonly method: 'POST' | 'PUT'; readonly path: string; readonly body: Body }

let filledOrderId = '';
const targets = (): Target[] => [
  { method: 'POST', path: '/v1/accounts', body: { accountId: 'FZ-NEW', currency: 'USD', startingBalance: '100.00' } },
  { method: 'PUT', path: '/v1/accounts/FZ/limits', body: { limits: { ...WIDE_LIMITS } } },
  { method: 'POST', path: '/v1/accounts/FZ/deposits', body: { amount: '10.00', reference: 'fuzz' } },
  { method: 'POST', path: '/v1/accounts/FZ/withdrawals', body: { amount: '10.00' } },
  { method: 'POST', path: '/v1/accounts/FZ/orders', body: { clientOrderId: 'fz', symbol: 'XAUUSD', side: 'buy', kind: 'limit', timeInForce: 'GTC', qty: '0.10', limitPrice: '2399.00' } },
  { method: 'POST', path: '/v1/accounts/FZ/fills', body: { orderId: filledOrderId, fillId: 'fz-fill', qty: '0.01', price: '2399.00', fee: '0.10' } },
  { method: 'POST', path: '/v1/stops/engage', body: { scope: { kind: 'instrument', symbol: 'XAUUSD' }, reason: 'fuzz' } },
];

/** Decimal fields: none of the generated kinds is acceptable there (zero aside, where it is). */
const MONEY_FIELDS = new Set(['startingBalance', 'amount', 'qty', 'limitPrice', 'price', 'fee']);
/** An account may open empty and a fill may carry no fee. */
const ZERO_ALLOWED = new Set(['startingBalance', 'fee']);

const badDecimal = fc.oneof(
  fc.double({ noDefaultInfinity: false }), // a JSON number: floats never carry money
  fc.integer(),
  fc.bigInt({ min: 1n, max: 10n ** 60n }).map((n) => `-${n}`), // negative
  fc.bigInt({ min: 10n ** 16n, max: 10n ** 400n }).map(String), // far beyond any balance or quantity
  fc.integer({ min: 1, max: 1000 }).map((n) => `${n}.123456789`), // more decimals than any grid here
  fc.constantFrom('1e400', '1E3', 'NaN', 'Infinity', '-0.10', '+1.00', '0x10', '１２.５', '٣.٠', '1,000.00', ' 1.00', '1.', '.5', '', '0', '0.00'),
  fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !/^[0-9]{1,15}(\.[0-9]{1,15})?$/.test(s)),
  fc.constantFrom(null, true, [], {}),
);
const badText = fc.oneof(
  fc.string({ unit: 'binary', minLength: 65, maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !/^[A-Za-z0-9_.:/-]{1,64}$/.test(s)),
  fc.integer(), fc.constantFrom(null, false, [], { nested: true }),
);

interface Mutation { readonly kind: 'replace' | 'drop' | 'extra'; readonly field: string; readonly value?: unknown }
const mutation = (body: Body): fc.Arbitrary<Mutation> => {
  const fields = Object.keys(body);
  const money = fields.filter((f) => MONEY_FIELDS.has(f));
  const text = fields.filter((f) => !MONEY_FIELDS.has(f) && f !== 'reference' && f !== 'reason');
  const required = fields.filter((f) => f !== 'reference' && f !== 'fee');
  const choices: Array<fc.Arbitrary<Mutation>> = [
    fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter((f) => !fields.includes(f) && f !== 'commandId').map((field) => ({ kind: 'extra' as const, field, value: 1 })),
  ];
  const invalidFor = (field: string) => (ZERO_ALLOWED.has(field) ? badDecimal.filter((v) => v !== '0' && v !== '0.00') : badDecimal);
  if (money.length > 0) choices.push(fc.constantFrom(...money).chain((field) => invalidFor(field).map((value) => ({ kind: 'replace' as const, field, value }))));
  if (text.length > 0) choices.push(fc.constantFrom(...text).chain((field) => badText.map((value) => ({ kind: 'replace' as const, field, value }))));
  if (required.length > 0) choices.push(fc.constantFrom(...required).map((field) => ({ kind: 'drop' as const, field })));
  return fc.oneof(...choices);
};

function apply(body: Body, m: Mutation): Body {
  const copy: Body = { ...body };
  if (m.kind === 'drop') delete copy[m.field];
  // defineProperty, so a field named __proto__ is sent as a field rather than setting the prototype
  else Object.defineProperty(copy, m.field, { value: m.value, enumerable: true, writable: true, configurable: true });
  return copy;
}

describe.skipIf(skip)(`fuzzed request bodies${postgres.skipReason}${redis.skipReason}`, () => {
  let server: CommandServer;
  let admin = '';

  beforeAll(async () => {
    server = await startCommandServer();
    await server.quote('2400.00', '2400.40');
    await server.openAccount('FZ');
    admin = await server.token('admin');
    const placed = await server.call('POST', '/v1/accounts/FZ/orders', targets()[4]!.body, { token: admin });
    filledOrderId = placed.body.orderId as string;
  });
  afterAll(async () => { await server?.close(); });

  async function refusedWithoutWriting(method: 'POST' | 'PUT', path: string, body: unknown, raw?: string): Promise<number> {
    const head = await server.head();
    const answer = await server.call(method, path, body, { token: admin, ...(raw !== undefined ? { raw } : {}) });
    expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(400);
    expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
    expect(typeof answer.body.code).toBe('string');
    expect(await server.head()).toBe(head);
    return answer.status;
  }

  it('a valid body with one field broken (wrong type, negative, huge, too precise, unicode, missing, unknown) is a 400 that writes nothing', async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...targets()).chain((t) => mutation(t.body).map((m) => ({ t, m }))),
      async ({ t, m }) => {
        expect(await refusedWithoutWriting(t.method, t.path, apply(t.body, m))).toBe(400);
      },
    ), { numRuns: 250 });
  });

  it('a broken limit inside the limits object is a 400 that writes nothing', async () => {
    const decimals = ['maxOrderNotional', 'maxPositionQty', 'maxDailyLoss'];
    const counts = Object.keys(WIDE_LIMITS).filter((f) => !decimals.includes(f));
    const notACount = fc.oneof(
      fc.double().filter((d) => !Number.isInteger(d)), fc.integer({ max: -1 }), fc.constant(10 ** 12), fc.constant(2 ** 63),
      fc.integer({ min: 0, max: 100 }).map(String), fc.constantFrom(null, true, [], {}, '1e3'),
    );
    const brokenLimit = fc.oneof(
      fc.constantFrom(...decimals).chain((field) => badDecimal.filter((v) => v !== '0' && v !== '0.00').map((value) => ({ field, value }))),
      fc.constantFrom(...counts).chain((field) => notACount.map((value) => ({ field, value }))),
    );
    await fc.assert(fc.asyncProperty(brokenLimit, async ({ field, value }) => {
      const status = await refusedWithoutWriting('PUT', '/v1/accounts/FZ/limits', { limits: { ...WIDE_LIMITS, [field]: value } });
      expect(status).toBe(400);
    }), { numRuns: 100 });
  });

  it('any JSON at all, to any command endpoint, never answers 500 and never writes', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...targets()), fc.jsonValue(), async (t, body) => {
      await refusedWithoutWriting(t.method, t.path, body);
    }), { numRuns: 150 });
  });

  it('bytes that are not JSON never answer 500 and never write', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...targets()), fc.string({ unit: 'binary', maxLength: 200 }), async (t, raw) => {
      fc.pre(!isJson(raw));
      expect(await refusedWithoutWriting(t.method, t.path, undefined, raw)).toBe(400);
    }), { numRuns: 100 });
  });

  it('a body over the size limit is refused 413 without writing', async () => {
    const status = await refusedWithoutWriting('POST', '/v1/accounts/FZ/deposits', { amount: '1.00', reference: 'x'.repeat(2_000_000) });
    expect(status).toBe(413);
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

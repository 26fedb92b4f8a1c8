// Each risk limit at its bounds, as a risk officer sets it over HTTP: the smallest and largest value are
// taken and read back, one unit beyond either is a 400 with a stable code that writes nothing. The
// bounds are written out here as README.md states them to the desk, not read from the domain's table,
// so a change to either is seen. Integer limits are refused by the request schema; a decimal limit
// that fits its pattern is parsed and refused by the decider, naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresService, redisService } from '../../support/services.ts';
import { startCommandServer, WIDE_LIMITS, type Answer, type CommandServer } from './command-server.ts';

const [postgres, redis] = await Promise.all([postgresService(), redisService()]);
const skip = !postgres.available || !redis.available;

type Refusal = 'REQUEST.INVALID' | 'RISK_LIMITS.INVALID';
interface LimitCase {
  readonly field: string;
  readonly min: string | number;
  readonly max: string | number;
  readonly belowMin: string | number;
  readonly aboveMax: string | number;
  readonly belowCode: Refusal;
  readonly aboveCode: Refusal;
}

const SCHEMA = 'REQUEST.INVALID';
const DECIDER = 'RISK_LIMITS.INVALID';
const integer = (field: string, min: number, max: number): LimitCase =>
  ({ field, min, max, belowMin: min - 1, aboveMax: max + 1, belowCode: SCHEMA, aboveCode: SCHEMA });

/** Money in USD (cents), quantities in lots (0.01 lot steps); one unit beyond is one cent or one step. */
const CASES: readonly LimitCase[] = [
  { field: 'maxOrderNotional', min: '0.00', max: '1000000000000.00', belowMin: '-0.01', aboveMax: '1000000000000.01', belowCode: SCHEMA, aboveCode: DECIDER },
  { field: 'maxPositionQty', min: '0.00', max: '1000000.00', belowMin: '-0.01', aboveMax: '1000000.01', belowCode: SCHEMA, aboveCode: DECIDER },
  integer('maxOpenOrders', 0, 1_000_000),
  integer('priceCollarBps', 0, 10_000),
  integer('maxQuoteAgeMs', 1, 86_400_000),
  integer('maxSubmitsPerWindow', 0, 1_000_000),
  integer('submitWindowMs', 1, 86_400_000),
  { field: 'maxDailyLoss', min: '0.01', max: '1000000000000.00', belowMin: '0.00', aboveMax: '1000000000000.01', belowCode: DECIDER, aboveCode: DECIDER },
  integer('maxDrawdownBps', 1, 10_000),
  integer('dailyCutoffHourUtc', 0, 23),
];

describe.skipIf(skip)(`risk limits at their bounds over HTTP${postgres.skipReason}${redis.skipReason}`, () => {
  let server: CommandServer;
  let officer = '';
  let admin = '';

  beforeAll(async () => {
    server = await startCommandServer();
    officer = await server.token('risk_officer');
    admin = await server.token('admin');
  });
  afterAll(async () => { await server?.close(); });

  // The accounts have their first limits: each change is the officer's, with a fresh code of their second factor.
  const putLimits = async (accountId: string, field: string, value: unknown) =>
    server.call('PUT', `/v1/accounts/${accountId}/limits`, { limits: { ...WIDE_LIMITS, [field]: value }, reason: `${field} at ${String(value)}` }, { token: officer, totp: await server.code(officer) });

  async function limitsOf(accountId: string): Promise<{ limits: Record<string, unknown>; limitsVersion: unknown }> {
    const read = await server.call('GET', `/v1/accounts/${accountId}`, undefined, { token: admin });
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    return { limits: read.body.limits as Record<string, unknown>, limitsVersion: read.body.limitsVersion };
  }

  async function takes(accountId: string, field: string, value: string | number): Promise<void> {
    const set = await putLimits(accountId, field, value);
    expect(set.status, `${field} = ${value}: ${JSON.stringify(set.body)}`).toBe(200);
    expect((await limitsOf(accountId)).limits[field], `${field} read back`).toBe(value);
  }

  function namesField(answer: Answer, field: string, code: Refusal): void {
    if (code === DECIDER) {
      expect(answer.body.details).toMatchObject({ fields: [field] });
      return;
    }
    const problems = (answer.body.details as { validation?: Array<{ instancePath?: string }> }).validation ?? [];
    expect(problems.map((p) => p.instancePath), JSON.stringify(answer.body)).toContain(`/limits/${field}`);
  }

  async function refuses(accountId: string, field: string, value: string | number, code: Refusal): Promise<void> {
    const before = await limitsOf(accountId);
    const head = await server.head();
    const set = await putLimits(accountId, field, value);
    expect({ status: set.status, code: set.body.code }, `${field} = ${value}: ${JSON.stringify(set.body)}`).toEqual({ status: 400, code });
    namesField(set, field, code);
    expect(await server.head(), 'nothing written').toBe(head);
    expect(await limitsOf(accountId), 'limits unchanged').toEqual(before);
  }

  for (const c of CASES) {
    it(`${c.field}: takes ${c.min} and ${c.max}, refuses ${c.belowMin} (${c.belowCode}) and ${c.aboveMax} (${c.aboveCode})`, async () => {
      const accountId = `LB-${c.field}`;
      await server.openAccount(accountId);
      await takes(accountId, c.field, c.min);
      await takes(accountId, c.field, c.max);
      await refuses(accountId, c.field, c.belowMin, c.belowCode);
      await refuses(accountId, c.field, c.aboveMax, c.aboveCode);
    });
  }
});

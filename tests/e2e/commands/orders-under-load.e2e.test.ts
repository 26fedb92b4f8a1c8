// 200 orders for one account from 20 parallel HTTP clients against a tight position cap: every request
// is judged and recorded, and the cap holds however the requests interleave.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresService, redisService } from '../../support/services.ts';
import { startCommandServer, type Answer, type CommandServer } from './command-server.ts';

const [postgres, redis] = await Promise.all([postgresService(), redisService()]);
const skip = !postgres.available || !redis.available;

describe.skipIf(skip)(`200 PlaceOrder requests from 20 parallel clients${postgres.skipReason}${redis.skipReason}`, () => {
  let server: CommandServer;
  const CLIENTS = 20;
  const PER_CLIENT = 10;
  const CAP_STEPS = 100n; // 1.00 lot
  const ORDER_STEPS = 10n; // 0.10 lot

  beforeAll(async () => {
    server = await startCommandServer();
    await server.quote('2400.00', '2400.40');
    await server.openAccount('LOAD1', { maxPositionQty: '1.00' });
  });
  afterAll(async () => { await server?.close(); });

  it('never exceeds the cap, answers every request with its recorded decision, and records each decision once', async () => {
    const token = await server.token('trader', { accounts: ['LOAD1'], userId: 'load-trader' });
    const client = async (c: number): Promise<Answer[]> => {
      const answers: Answer[] = [];
      for (let i = 0; i < PER_CLIENT; i += 1) {
        const side = (c + i) % 4 === 3 ? 'sell' : 'buy'; // some sells: the cap is on the net position, both ways
        answers.push(await server.call('POST', '/v1/accounts/LOAD1/orders', {
          clientOrderId: `c${c}-${i}`, symbol: 'XAUUSD', side, kind: 'limit', timeInForce: 'GTC', qty: '0.10',
          limitPrice: side === 'buy' ? '2399.00' : '2401.00',
        }, { token }));
      }
      return answers;
    };
    const answers = (await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)))).flat();

    expect(answers).toHaveLength(CLIENTS * PER_CLIENT);
    expect(answers.map((a) => a.status).filter((s) => s !== 201)).toEqual([]);
    for (const { body } of answers) {
      const decision = body.decision as { accepted: boolean; checks: Array<{ name: string; passed: boolean }>; reasons: string[] };
      expect(decision.checks.length).toBeGreaterThan(0);
      expect(body.accepted).toBe(decision.accepted);
      if (!decision.accepted) expect(decision.reasons).toContain('RISK.POSITION_LIMIT');
    }

    const events = await server.stream('LOAD1');
    const decisions = events.filter((e) => e.type === 'RiskDecisionRecorded');
    expect(decisions).toHaveLength(CLIENTS * PER_CLIENT);
    expect(new Set(decisions.map((e) => e.metadata.commandId)).size).toBe(CLIENTS * PER_CLIENT);
    expect(events.filter((e) => e.type === 'OrderPlaced').every((e) => (e.metadata.actor as { userId: string }).userId === 'load-trader')).toBe(true);

    // Replay the log in order: working buys (or sells) never exceed the cap at any point.
    const sideOf = new Map(events.filter((e) => e.type === 'OrderPlaced').map((e) => [(e.data as { orderId: string }).orderId, (e.data as { side: string }).side]));
    let longSteps = 0n;
    let shortSteps = 0n;
    for (const e of events.filter((x) => x.type === 'OrderAccepted')) {
      if (sideOf.get((e.data as { orderId: string }).orderId) === 'buy') longSteps += ORDER_STEPS;
      else shortSteps += ORDER_STEPS;
      expect(longSteps).toBeLessThanOrEqual(CAP_STEPS);
      expect(shortSteps).toBeLessThanOrEqual(CAP_STEPS);
    }
    const accepted = answers.filter((a) => a.body.accepted === true).length;
    expect(accepted).toBe(Number((longSteps + shortSteps) / ORDER_STEPS));
    expect(longSteps).toBe(CAP_STEPS); // the cap binds: the test is tight enough to mean something

    const account = await server.call('GET', '/v1/accounts/LOAD1', undefined, { token });
    expect((account.body.workingOrders as unknown[]).length).toBe(accepted);
  });
});

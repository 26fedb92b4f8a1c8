// Model-based test of the judge-then-append path: random interleavings of emergency stops (engage,
// release, at every scope) and orders, sent through two trading services on one PostgreSQL store, each
// with its own caches (two processes' worth of state). Commands run in rounds; the commands of a round
// run at the same time. The model knows, at the start of each round, which stops every earlier round
// left engaged. An order sent while a stop in its scope was acknowledged and not being released must be
// denied for the stop, whichever process recorded the stop and however warm the other one's caches are;
// one that no stop touched, before or during its round, must be accepted. Orders racing a stop command
// in their own round may go either way: those are the orders the stop's sweep is for.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ControlScope } from '../../../domain/trading/control/index.ts';
import type { TradingService } from '../../../commands/trading/index.ts';
import { postgresService, redisService } from '../../support/services.ts';
import { officer, trader, tradingFixture, type TradingFixture } from './trading-fixture.ts';

const [postgres, redis] = await Promise.all([postgresService(), redisService()]);

const ACCOUNTS = ['P1', 'P2', 'P3'] as const;
type AccountId = (typeof ACCOUNTS)[number];
type Step =
  | { readonly kind: 'order'; readonly via: 0 | 1; readonly accountId: AccountId }
  | { readonly kind: 'engage' | 'release'; readonly via: 0 | 1; readonly scope: ControlScope };

const SCOPES: readonly ControlScope[] = [
  { kind: 'global' },
  { kind: 'instrument', symbol: 'XAUUSD' },
  ...ACCOUNTS.map((accountId) => ({ kind: 'account', accountId }) as const),
];
const scopeKey = (scope: ControlScope) => (scope.kind === 'global' ? 'global' : scope.kind === 'instrument' ? `i:${scope.symbol}` : `a:${scope.accountId}`);
const scopesOf = (accountId: string) => ['global', 'i:XAUUSD', `a:${accountId}`];

const via = fc.constantFrom<0 | 1>(0, 1);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('order' as const), via, accountId: fc.constantFrom(...ACCOUNTS) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('engage' as const), via, scope: fc.constantFrom(...SCOPES) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), via, scope: fc.constantFrom(...SCOPES) }) },
);
const rounds = fc.array(fc.array(step, { minLength: 1, maxLength: 6 }), { minLength: 3, maxLength: 8 });

const limitBuy = (accountId: string) =>
  ({ accountId, clientOrderId: randomUUID(), symbol: 'XAUUSD', side: 'buy', kind: 'limit', timeInForce: 'GTC', qty: 1n, limitPrice: 230_000n }) as const;

async function release(service: TradingService, scope: ControlScope, withCode: TradingFixture['withCode']): Promise<void> {
  await service.requestStopRelease(officer('officer-1'), { scope, reason: 'model release' });
  if (scope.kind === 'global') await service.approveStopRelease(await withCode(officer('officer-2')), { scope, reason: 'model approval' });
}

describe.skipIf(!postgres.available || !redis.available)(`judge-then-append under racing stops${postgres.skipReason || redis.skipReason}`, () => {
  it('never accepts an order sent after its stop was acknowledged, on either service, warm or cold', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(rounds, async (plan) => {
        const f = await tradingFixture('stop_model');
        try {
          const services = [f.service, f.newService()] as const;
          const observer = f.newService(); // reads the stops for the model without warming either service's caches
          await f.tick('XAUUSD', 240_000n, 240_050n);
          for (const accountId of ACCOUNTS) {
            await f.openAccount(accountId);
            // Warm both services: every cache holds the account and its three control streams.
            for (const service of services) expect((await service.placeOrder(trader(), limitBuy(accountId))).accepted).toBe(true);
          }
          const engaged = new Set<string>();
          for (const round of plan) {
            const touched = new Set(round.filter((s) => s.kind !== 'order').map((s) => scopeKey((s as { scope: ControlScope }).scope)));
            const results = await Promise.all(round.map(async (s) => {
              const service = services[s.via];
              if (s.kind === 'order') return { step: s, outcome: await service.placeOrder(trader(), limitBuy(s.accountId)) };
              if (s.kind === 'engage') await service.engageStop(officer(), { scope: s.scope, reason: 'model stop' });
              else await release(service, s.scope, (ctx) => f.withCode(ctx)).catch((error: { code?: string }) => {
                // refusals the model allows: nothing engaged, or another release of the same stop in the round
                if (!['CONTROL.NOT_ENGAGED', 'CONTROL.NO_RELEASE_REQUESTED', 'CONTROL.RELEASE_PENDING', 'CONTROL.SAME_APPROVER'].includes(error.code ?? '')) throw error;
              });
              return { step: s, outcome: undefined };
            }));
            for (const { step: s, outcome } of results) {
              if (s.kind !== 'order' || !outcome) continue;
              const scopes = scopesOf(s.accountId);
              const stoppedThroughout = scopes.some((k) => engaged.has(k) && !touched.has(k));
              const untouched = scopes.every((k) => !engaged.has(k) && !touched.has(k));
              if (stoppedThroughout) expect(outcome.decision.reasons, `${s.accountId} via ${s.via}`).toContain('RISK.EMERGENCY_STOP');
              if (untouched) expect(outcome.decision.reasons, `${s.accountId} via ${s.via}`).toEqual([]);
            }
            // The stops as recorded now are the state the next round starts from.
            for (const scope of SCOPES) {
              const view = await observer.stop(scope);
              if (view.engaged) engaged.add(scopeKey(scope));
              else engaged.delete(scopeKey(scope));
            }
          }
        } finally {
          await f.close();
        }
      }),
      { numRuns: 12 },
    );
  });
});

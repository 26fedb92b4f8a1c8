import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../../../domain/ports/event-store.ts';
import type { RiskDecisionRecorded } from '../../../domain/trading/account/index.ts';
import { postgresService, redisService } from '../../support/services.ts';
import { officer, trader, tradingFixture, type TradingFixture } from './trading-fixture.ts';

const postgres = await postgresService();
const redis = await redisService();
const skipReason = postgres.skipReason || redis.skipReason;

const marketBuy = (accountId: string, clientOrderId: string, qty = 10n) =>
  ({ accountId, clientOrderId, symbol: 'XAUUSD', side: 'buy', kind: 'market', timeInForce: 'GTC', qty }) as const;

describe.skipIf(!postgres.available || !redis.available)(`trading service on PostgreSQL and Redis${skipReason}`, () => {
  let f: TradingFixture;
  beforeAll(async () => {
    f = await tradingFixture('trading_service');
    await f.tick('XAUUSD', 240_000n, 240_050n);
  });
  afterAll(async () => f?.close());

  it('opens an account, sets versioned limits and moves funds', async () => {
    await f.openAccount('S1');
    await f.service.deposit(trader(), { accountId: 'S1', amount: 50_000n, reference: 'wire 1' });
    await f.service.withdraw(trader(), { accountId: 'S1', amount: 20_000n });
    const view = await f.service.account('S1');
    expect(view).toMatchObject({ accountId: 'S1', currency: 'USD', balance: 10_030_000n, limitsVersion: 1, trading: { state: 'ACTIVE' } });
    await expect(f.service.setRiskLimits(officer(), { accountId: 'S1', limits: view!.limits!, expectedVersion: 0 })).rejects.toMatchObject({ code: 'RISK_LIMITS.VERSION_CONFLICT' });
    await expect(f.service.withdraw(trader(), { accountId: 'S1', amount: 999_999_999n })).rejects.toMatchObject({ code: 'ACCOUNT.INSUFFICIENT_FUNDS' });
    expect(await f.service.account('nobody')).toBeUndefined();
  });

  it('accepts an order with its recorded decision listing every check, the quote and the actor', async () => {
    await f.openAccount('S2');
    const ctx = trader();
    const outcome = await f.service.placeOrder(ctx, marketBuy('S2', 'c-1'));
    expect(outcome).toMatchObject({ applied: true, accepted: true, orderId: ctx.commandId, streamId: 'account-S2' });
    expect(outcome.decision.reasons).toEqual([]);
    expect(outcome.decision.checks.map((c) => c.name)).toContain('RISK.POSITION_LIMIT');
    expect(outcome.decision.checks.every((c) => c.passed && c.observed !== '' && c.limit !== '')).toBe(true);
    const events = await f.eventStore.readStream('account-S2');
    expect(events.slice(-3).map((e) => e.type)).toEqual(['OrderPlaced', 'RiskDecisionRecorded', 'OrderAccepted']);
    expect(events.at(-3)!.data.quote).toMatchObject({ bid: 240_000n, ask: 240_050n });
    expect(events.at(-1)!.metadata).toMatchObject({ commandId: ctx.commandId, actor: ctx.actor });
    expect((await f.service.order('S2', outcome.orderId))?.status).toBe('accepted');
  });

  it('records a denial as a successful command with its reason codes', async () => {
    await f.openAccount('S3', { maxPositionQty: 5n });
    const outcome = await f.service.placeOrder(trader(), marketBuy('S3', 'big', 6n));
    expect(outcome).toMatchObject({ applied: true, accepted: false });
    expect(outcome.decision.reasons).toEqual(['RISK.POSITION_LIMIT']);
    expect(outcome.decision.checks.find((c) => c.name === 'RISK.POSITION_LIMIT')).toMatchObject({ passed: false, observed: '6', limit: '5' });
    expect((await f.eventStore.readStream('account-S3')).at(-1)!.type).toBe('OrderDenied');
    await expect(f.service.placeOrder(trader(), { ...marketBuy('S3', 'x'), symbol: 'DOGEUSD' })).rejects.toMatchObject({ code: 'INSTRUMENT.UNKNOWN' });
  });

  it('denies on stale market data rather than failing open', async () => {
    await f.openAccount('S4', { maxQuoteAgeMs: 1_000 });
    await f.tick('XAGUSD', 30_000n, 30_010n, new Date(Date.now() - 60_000));
    const outcome = await f.service.placeOrder(trader(), { ...marketBuy('S4', 'ag'), symbol: 'XAGUSD' });
    expect(outcome.decision.reasons).toContain('RISK.STALE_MARKET_DATA');
  });

  it('applies a retried command once and returns the original outcome', async () => {
    await f.openAccount('S5');
    const ctx = trader();
    const first = await f.service.placeOrder(ctx, marketBuy('S5', 'retry'));
    const again = await f.service.placeOrder(ctx, marketBuy('S5', 'retry'));
    expect(again).toEqual({ ...first, applied: false });
    // A second process with no record of it: the event ids still make it a replay.
    await f.keyValue.delete(`cmd:${ctx.commandId}`);
    const elsewhere = await f.newService().placeOrder(ctx, marketBuy('S5', 'retry'));
    expect(elsewhere).toMatchObject({ applied: false, accepted: true, orderId: first.orderId });
    const placed = (await f.eventStore.readStream('account-S5')).filter((e) => e.type === 'OrderPlaced');
    expect(placed).toHaveLength(1);
  });

  it('answers a repeat whose receipt was never written (the answer does not wait for it) from the events, once', async () => {
    await f.openAccount('S5b');
    const ctx = trader();
    const first = await f.service.placeOrder(ctx, marketBuy('S5b', 'no-receipt'));
    const key = `cmd:${ctx.commandId}`;
    const record = JSON.parse((await f.keyValue.get(key))!) as { digest: string; receipt?: unknown };
    expect(record.receipt).toBeDefined();
    await f.keyValue.set(key, JSON.stringify({ digest: record.digest }), 60_000); // as reserved, before the receipt
    const again = await f.service.placeOrder(ctx, marketBuy('S5b', 'no-receipt'));
    expect(again).toMatchObject({ applied: false, accepted: true, orderId: first.orderId, decision: first.decision });
    expect((await f.eventStore.readStream('account-S5b')).filter((e) => e.type === 'OrderPlaced')).toHaveLength(1);
  });

  it('applies concurrent duplicates once', async () => {
    await f.openAccount('S6');
    const ctx = trader();
    const services = [f.service, f.newService(), f.newService()];
    const outcomes = await Promise.all(Array.from({ length: 9 }, (_, i) => services[i % 3]!.deposit(ctx, { accountId: 'S6', amount: 1_000n })));
    expect(outcomes.filter((o) => o.applied).length).toBeLessThanOrEqual(1);
    expect((await f.eventStore.readStream('account-S6')).filter((e) => e.type === 'FundsDeposited')).toHaveLength(1);
    expect((await f.service.account('S6'))!.balance).toBe(10_001_000n);
  });

  it('refuses a command id reused for a different command', async () => {
    await f.openAccount('S7');
    const ctx = trader();
    await f.service.deposit(ctx, { accountId: 'S7', amount: 1_000n });
    await expect(f.service.deposit(ctx, { accountId: 'S7', amount: 2_000n })).rejects.toMatchObject({ code: 'COMMAND.ID_REUSED', category: 'conflict' });
    await expect(f.service.placeOrder(ctx, marketBuy('S7', 'reuse'))).rejects.toMatchObject({ code: 'COMMAND.ID_REUSED' });
    expect((await f.service.account('S7'))!.balance).toBe(10_001_000n);
  });

  it('cancels a working order on request and refuses to cancel a finished one', async () => {
    await f.openAccount('S8');
    const { orderId } = await f.service.placeOrder(trader(), { ...marketBuy('S8', 'lim'), kind: 'limit', limitPrice: 239_000n });
    await f.service.cancelOrder(trader(), { accountId: 'S8', orderId, reason: 'changed my mind' });
    expect((await f.service.order('S8', orderId))?.status).toBe('pending_cancel');
    await f.service.confirmCancel({ ...trader('paper-broker'), actor: { userId: 'paper-broker', role: 'service' } }, { accountId: 'S8', orderId });
    expect((await f.service.order('S8', orderId))?.status).toBe('canceled');
    await expect(f.service.cancelOrder(trader(), { accountId: 'S8', orderId })).rejects.toMatchObject({ code: 'ORDER.INVALID_TRANSITION' });
    await expect(f.service.cancelOrder(trader(), { accountId: 'S8', orderId: 'nope' })).rejects.toMatchObject({ code: 'ORDER.UNKNOWN' });
  });

  it('never exceeds a tight net position cap under 200 concurrent orders from two processes, and records every decision', async () => {
    await f.openAccount('CAP', { maxPositionQty: 37n });
    const services = [f.service, f.newService()];
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => services[i % 2]!.placeOrder(trader(), marketBuy('CAP', `cap-${i}`, 1n))));
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(37);
    expect(outcomes.filter((o) => !o.accepted).every((o) => o.decision.reasons.includes('RISK.POSITION_LIMIT'))).toBe(true);
    const events = await f.eventStore.readStream('account-CAP');
    const decisions = events.filter((e) => e.type === 'RiskDecisionRecorded').map((e) => e.data as unknown as RiskDecisionRecorded['data']);
    expect(decisions).toHaveLength(200);
    expect(new Set(decisions.map((d) => d.orderId))).toEqual(new Set(outcomes.map((o) => o.orderId)));
    const view = await f.service.account('CAP');
    expect(view!.workingOrders.reduce((sum, o) => sum + o.qty, 0n)).toBe(37n);
  });

  it('denies new risk while a stop applies and releases a global stop only with a second approver', async () => {
    await f.openAccount('S9');
    const scope = { kind: 'global' } as const;
    await expect(f.service.engageStop(trader(), { scope, reason: 'panic' })).rejects.toMatchObject({ code: 'CONTROL.FORBIDDEN' });
    await f.service.engageStop(officer('alice'), { scope, reason: 'venue outage' });
    const denied = await f.service.placeOrder(trader(), marketBuy('S9', 'during-stop'));
    expect(denied.decision.reasons).toContain('RISK.EMERGENCY_STOP');
    expect(denied.decision.checks.find((c) => c.name === 'RISK.EMERGENCY_STOP')?.observed).toContain('global');
    await f.service.requestStopRelease(officer('alice'), { scope, reason: 'venue back' });
    await expect(f.service.approveStopRelease(officer('alice'), { scope, reason: 'me again' })).rejects.toMatchObject({ code: 'CONTROL.SAME_APPROVER' });
    expect(await f.service.stop(scope)).toMatchObject({ engaged: true, pendingReleaseBy: { userId: 'alice' } });
    await f.service.approveStopRelease(await f.withCode(officer('bob')), { scope, reason: 'confirmed with venue' });
    expect((await f.service.stop(scope)).engaged).toBe(false);
    expect((await f.service.placeOrder(trader(), marketBuy('S9', 'after-stop'))).accepted).toBe(true);
  });

  it('denies an order judged on a stop state another process has since changed: the append fails, the order is judged again', async () => {
    await f.openAccount('S10');
    const elsewhere = f.newService();
    expect((await f.service.placeOrder(trader(), marketBuy('S10', 'before'))).accepted).toBe(true); // caches the stop state
    const scope = { kind: 'account', accountId: 'S10' } as const;
    await elsewhere.engageStop(officer('carol'), { scope, reason: 'desk review' });
    const denied = await f.service.placeOrder(trader(), marketBuy('S10', 'after'));
    expect(denied.accepted).toBe(false);
    expect(denied.decision.checks.find((c) => c.name === 'RISK.EMERGENCY_STOP')).toMatchObject({ passed: false, observed: 'engaged: account:S10' });
    const events = await f.eventStore.readStream('account-S10');
    const decisions = events.filter((e) => e.type === 'RiskDecisionRecorded').map((e) => e.data.accepted);
    expect(decisions).toEqual([true, false]); // the order judged on the stale state was never recorded
    expect(events.filter((e) => e.type === 'OrderAccepted')).toHaveLength(1);
  });

  it('judges a refused command again on the account caught up from its cached revision, not replayed from its first event', async () => {
    const reads: Array<[string, bigint | undefined]> = [];
    const watched: EventStore = Object.create(f.eventStore);
    watched.readStream = (streamId, options) => {
      if (options?.direction !== 'backwards') reads.push([streamId, options?.fromRevision]); // (the last events are read back for this command's id)
      return f.eventStore.readStream(streamId, options);
    };
    const service = f.newService({ eventStore: watched });
    await f.openAccount('S11');
    for (let i = 0; i < 3; i += 1) await service.placeOrder(trader(), marketBuy('S11', `r-${i}`, 1n));
    const recorded = (await f.eventStore.readStream('account-S11')).length;
    reads.length = 0;
    await expect(service.cancelOrder(trader(), { accountId: 'S11', orderId: 'no-such-order' })).rejects.toMatchObject({ code: 'ORDER.UNKNOWN' });
    const accountReads = reads.filter(([streamId]) => streamId === 'account-S11');
    expect(accountReads.length).toBeGreaterThan(0); // it did look again before refusing
    expect(accountReads.every(([, from]) => from === BigInt(recorded))).toBe(true); // only what came after its cache
    await expect(service.placeOrder(trader(), marketBuy('S11', 'after', 1n))).resolves.toMatchObject({ accepted: true });
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountDecider, type PlaceOrder } from '../../../domain/trading/account/index.ts';
import { handleCommand } from '../../../commands/handling/handle-command.ts';
import { StopSweep, factsOfSpec } from '../../../commands/trading/index.ts';
import { XAUUSD_SPEC } from '../../../domain/market-data/index.ts';
import { postgresService, redisService } from '../../support/services.ts';
import { officer, trader, tradingFixture, type TradingFixture } from './trading-fixture.ts';

const postgres = await postgresService();
const redis = await redisService();

const limitBuy = (accountId: string, symbol = 'XAUUSD', limitPrice = 239_000n) =>
  ({ accountId, clientOrderId: randomUUID(), symbol, side: 'buy', kind: 'limit', timeInForce: 'GTC', qty: 1n, limitPrice }) as const;

describe.skipIf(!postgres.available || !redis.available)(`emergency stop sweep${postgres.skipReason || redis.skipReason}`, () => {
  let f: TradingFixture;
  let sweep: StopSweep;
  beforeAll(async () => {
    f = await tradingFixture('stop_sweep');
    await f.tick('XAUUSD', 240_000n, 240_050n);
    await f.tick('XAGUSD', 30_000n, 30_020n);
    sweep = new StopSweep({ eventStore: f.eventStore, service: f.newService() });
    await sweep.start();
  });
  afterAll(async () => {
    await sweep?.stop();
    await f?.close();
  });

  const statusOf = async (accountId: string, orderId: string) => (await f.service.order(accountId, orderId))?.status;

  it('cancels the working orders of a stopped instrument on every account, and only those', async () => {
    await f.openAccount('I1');
    await f.openAccount('I2');
    const gold1 = await f.service.placeOrder(trader(), limitBuy('I1'));
    const gold2 = await f.service.placeOrder(trader(), limitBuy('I2'));
    const silver = await f.service.placeOrder(trader(), limitBuy('I1', 'XAGUSD', 29_900n));
    await f.service.engageStop(officer(), { scope: { kind: 'instrument', symbol: 'XAUUSD' }, reason: 'gold feed broken' });
    await expect.poll(() => statusOf('I1', gold1.orderId), { timeout: 5_000 }).toBe('pending_cancel');
    await expect.poll(() => statusOf('I2', gold2.orderId), { timeout: 5_000 }).toBe('pending_cancel');
    const cancel = (await f.eventStore.readStream('account-I1')).find((e) => e.type === 'OrderCancelRequested');
    expect(cancel?.data.reason).toBe('emergency stop (instrument:XAUUSD)');
    expect(cancel?.metadata.actor).toEqual({ userId: 'stop-sweep', role: 'service' });
    expect(await statusOf('I1', silver.orderId)).toBe('accepted');
    await f.service.requestStopRelease(officer(), { scope: { kind: 'instrument', symbol: 'XAUUSD' }, reason: 'feed fixed' });
  });

  it('cancels the working orders of a stopped account', async () => {
    await f.openAccount('A1');
    const orders = await Promise.all([f.service.placeOrder(trader(), limitBuy('A1')), f.service.placeOrder(trader(), limitBuy('A1', 'XAGUSD', 29_900n))]);
    await f.service.engageStop(officer(), { scope: { kind: 'account', accountId: 'A1' }, reason: 'suspicious activity' });
    for (const { orderId } of orders) await expect.poll(() => statusOf('A1', orderId), { timeout: 5_000 }).toBe('pending_cancel');
    await f.service.requestStopRelease(officer(), { scope: { kind: 'account', accountId: 'A1' }, reason: 'cleared' });
  });

  it('cancels an order accepted on stale stop state after the stop was recorded (the acceptance window)', async () => {
    await f.openAccount('W1');
    await f.service.engageStop(officer(), { scope: { kind: 'account', accountId: 'W1' }, reason: 'window test' });
    // A handler that read the stop state just before the stop was recorded decides as if trading were open.
    const stale: PlaceOrder = {
      type: 'PlaceOrder',
      data: { ...limitBuy('W1'), market: { instrument: factsOfSpec(XAUUSD_SPEC), lastQuote: { bid: 240_000n, ask: 240_050n, timestamp: new Date() } }, controls: { stopped: false } },
      metadata: { commandId: randomUUID(), now: new Date(), actor: { userId: 'trader-1', role: 'trader' } },
    };
    const { events } = await handleCommand({ eventStore: f.eventStore }, accountDecider, 'account-W1', stale);
    expect(events.map((e) => e.type)).toContain('OrderAccepted');
    await expect.poll(() => statusOf('W1', stale.metadata.commandId), { timeout: 5_000 }).toBe('pending_cancel');
  });

  it('leaves no order working when orders race a global stop', async () => {
    await f.openAccount('R1');
    await f.openAccount('R2');
    const services = [f.service, f.newService(), f.newService()];
    const orders = Array.from({ length: 40 }, (_, i) => ({ accountId: i % 2 ? 'R1' : 'R2', promise: services[i % 3]!.placeOrder(trader(), limitBuy(i % 2 ? 'R1' : 'R2')) }));
    await f.service.engageStop(officer('alice'), { scope: { kind: 'global' }, reason: 'race test' });
    const outcomes = await Promise.all(orders.map(async (o) => ({ accountId: o.accountId, outcome: await o.promise })));
    const accepted = outcomes.filter((o) => o.outcome.accepted);
    for (const { accountId, outcome } of accepted) await expect.poll(() => statusOf(accountId, outcome.orderId), { timeout: 5_000 }).toBe('pending_cancel');
    const view = await f.service.account('R1');
    expect(view!.workingOrders.every((o) => o.status === 'pending_cancel')).toBe(true);
    await f.service.requestStopRelease(officer('alice'), { scope: { kind: 'global' }, reason: 'done' });
    await f.service.approveStopRelease(await f.withCode(officer('bob')), { scope: { kind: 'global' }, reason: 'done' });
  });
  // Last: it stops the shared sweep, so only the restarted one can cancel.
  it('resumes from its checkpoint after a restart, without replaying the log, and still cancels what was working', async () => {
    await sweep.stop();
    const checkpointKey = `stop-sweep:test:${randomUUID()}`;
    const first = new StopSweep({ eventStore: f.eventStore, service: f.newService(), keyValue: f.keyValue, checkpointKey });
    await first.start();
    await f.openAccount('K1');
    const order = await f.service.placeOrder(trader(), limitBuy('K1'));
    await expect.poll(() => first.isWorking('K1', order.orderId), { timeout: 5_000 }).toBe(true);
    await first.stop();
    const replayed = first.eventsHandled();

    const second = new StopSweep({ eventStore: f.eventStore, service: f.newService(), keyValue: f.keyValue, checkpointKey });
    await second.start();
    expect(second.isWorking('K1', order.orderId)).toBe(true); // known before reading anything
    expect(second.workingOrderCount()).toBe(first.workingOrderCount());
    await f.service.engageStop(officer(), { scope: { kind: 'account', accountId: 'K1' }, reason: 'restart test' });
    await expect.poll(() => statusOf('K1', order.orderId), { timeout: 5_000 }).toBe('pending_cancel');
    await second.stop();
    expect(second.eventsHandled()).toBeLessThan(10); // the stop and the cancel, not the log from the start
    expect(replayed).toBeGreaterThan(20);
    await f.service.requestStopRelease(officer(), { scope: { kind: 'account', accountId: 'K1' }, reason: 'done' });
  });
});

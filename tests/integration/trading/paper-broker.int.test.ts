import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { accountDecider, type OrderFilled, type PlaceOrder } from '../../../domain/trading/account/index.ts';
import { XAUUSD_SPEC, tickReceived, tickStreamId } from '../../../domain/market-data/index.ts';
import { handleCommand } from '../../../commands/handling/handle-command.ts';
import { BrokerReactor, PaperBroker, factsOfSpec } from '../../../commands/trading/index.ts';
import { postgresService, redisService } from '../../support/services.ts';
import { officer, trader, tradingFixture, type TradingFixture } from './trading-fixture.ts';

const postgres = await postgresService();
const redis = await redisService();

const order = (accountId: string, fields: Partial<{ side: 'buy' | 'sell'; kind: 'market' | 'limit' | 'stop'; timeInForce: 'GTC' | 'IOC' | 'DAY'; qty: bigint; limitPrice: bigint; stopPrice: bigint }> = {}) =>
  ({ accountId, clientOrderId: randomUUID(), symbol: 'XAUUSD', side: 'buy', kind: 'market', timeInForce: 'GTC', qty: 10n, ...fields }) as const;

describe.skipIf(!postgres.available || !redis.available)(`paper broker on the log${postgres.skipReason || redis.skipReason}`, () => {
  let f: TradingFixture;
  const running: BrokerReactor[] = [];
  const startBroker = async (options: { slippage?: bigint; latencyMs?: number; checkpointKey?: string } = {}) => {
    const reactor = new BrokerReactor({
      eventStore: f.eventStore,
      keyValue: f.keyValue,
      service: f.newService(),
      checkpointKey: options.checkpointKey ?? 'broker:test',
      checkpointEveryMs: 0,
      broker: (controlsFor) => new PaperBroker({ slippagePriceUnits: options.slippage ?? 0n, latencyMs: options.latencyMs ?? 0, controlsFor }),
    });
    await reactor.start();
    running.push(reactor);
    return reactor;
  };
  const fillsOf = async (accountId: string) =>
    (await f.eventStore.readStream(`account-${accountId}`)).filter((e) => e.type === 'OrderFilled').map((e) => ({ ...(e.data as unknown as OrderFilled['data']), actor: e.metadata.actor }));
  const statusOf = async (accountId: string, orderId: string) => (await f.service.order(accountId, orderId))?.status;

  beforeAll(async () => {
    f = await tradingFixture('paper_broker');
    await f.tick('XAUUSD', 240_000n, 240_050n);
  });
  afterEach(async () => {
    for (const reactor of running.splice(0)) await reactor.stop();
    await f.keyValue.delete('broker:test');
  });
  afterAll(async () => f?.close());

  it('fills a market buy at the ask plus slippage and books the position, after the configured latency', async () => {
    await f.openAccount('B1');
    await startBroker({ slippage: 3n, latencyMs: 150 });
    const placedAt = Date.now();
    const { orderId } = await f.service.placeOrder(trader(), order('B1'));
    await expect.poll(() => statusOf('B1', orderId), { timeout: 5_000, interval: 20 }).toBe('filled');
    expect(Date.now() - placedAt).toBeGreaterThanOrEqual(150);
    const [fill] = await fillsOf('B1');
    expect(fill).toMatchObject({ orderId, fillId: `${orderId}/fill/1`, qty: 10n, price: 240_053n, positionQty: 10n, actor: { userId: 'paper-broker', role: 'service' } });
    expect((await f.service.account('B1'))!.positions).toEqual([expect.objectContaining({ symbol: 'XAUUSD', qty: 10n })]);
  });

  it('fills a resting limit order only when a later tick crosses it, at the better price', async () => {
    await f.openAccount('B2');
    await startBroker();
    const { orderId } = await f.service.placeOrder(trader(), order('B2', { kind: 'limit', limitPrice: 239_900n }));
    await f.tick('XAUUSD', 239_950n, 239_990n);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await statusOf('B2', orderId)).toBe('accepted');
    await f.tick('XAUUSD', 239_850n, 239_880n);
    await expect.poll(() => statusOf('B2', orderId), { timeout: 5_000 }).toBe('filled');
    expect((await fillsOf('B2'))[0]).toMatchObject({ price: 239_880n });
    await f.tick('XAUUSD', 240_000n, 240_050n);
  });

  it('fills nothing on a back-filled tick, even one stamped after the live market: a resting limit it crosses stays working', async () => {
    await f.openAccount('B2H');
    await startBroker();
    const { orderId } = await f.service.placeOrder(trader(), order('B2H', { kind: 'limit', limitPrice: 239_900n }));
    const stamped = new Date(); // an imported file from another feed, covering the last minutes
    const history = tickReceived({ symbol: 'XAUUSD', source: 'mt5:other-feed.tsv', sequence: 1n, bid: 239_700n, ask: 239_740n, timestamp: stamped, history: true });
    await f.eventStore.append(tickStreamId('XAUUSD', stamped), [{ eventId: randomUUID(), type: history.type, data: history.data }], 'any');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await statusOf('B2H', orderId)).toBe('accepted');
    await f.tick('XAUUSD', 239_850n, 239_880n); // the live market crosses it
    await expect.poll(() => statusOf('B2H', orderId), { timeout: 5_000 }).toBe('filled');
    await f.tick('XAUUSD', 240_000n, 240_050n);
  });

  it('triggers a sell stop when the bid falls to it', async () => {
    await f.openAccount('B3');
    await startBroker();
    const buy = await f.service.placeOrder(trader(), order('B3', { qty: 5n }));
    await expect.poll(() => statusOf('B3', buy.orderId), { timeout: 5_000 }).toBe('filled');
    const stop = await f.service.placeOrder(trader(), order('B3', { side: 'sell', kind: 'stop', stopPrice: 239_500n, qty: 5n }));
    await f.tick('XAUUSD', 239_600n, 239_650n);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await statusOf('B3', stop.orderId)).toBe('accepted');
    await f.tick('XAUUSD', 239_480n, 239_530n);
    await expect.poll(() => statusOf('B3', stop.orderId), { timeout: 5_000 }).toBe('filled');
    expect((await f.service.account('B3'))!.positions[0]).toMatchObject({ qty: 0n });
    await f.tick('XAUUSD', 240_000n, 240_050n);
  });

  it('confirms a requested cancel', async () => {
    await f.openAccount('B4');
    await startBroker();
    const { orderId } = await f.service.placeOrder(trader(), order('B4', { kind: 'limit', limitPrice: 230_000n }));
    await f.service.cancelOrder(trader(), { accountId: 'B4', orderId });
    await expect.poll(() => statusOf('B4', orderId), { timeout: 5_000 }).toBe('canceled');
  });

  it('refuses to route an order accepted while a stop applied, and fills nothing in the stopped scope', async () => {
    await f.openAccount('B5');
    await startBroker();
    const resting = await f.service.placeOrder(trader(), order('B5', { kind: 'limit', limitPrice: 239_000n }));
    await f.service.engageStop(officer(), { scope: { kind: 'account', accountId: 'B5' }, reason: 'broker gate test' });
    const stale: PlaceOrder = {
      type: 'PlaceOrder',
      data: { ...order('B5'), market: { instrument: factsOfSpec(XAUUSD_SPEC), lastQuote: { bid: 240_000n, ask: 240_050n, timestamp: new Date() } }, controls: { stopped: false } },
      metadata: { commandId: randomUUID(), now: new Date(), actor: { userId: 'trader-1', role: 'trader' } },
    };
    await handleCommand({ eventStore: f.eventStore }, accountDecider, 'account-B5', stale);
    await expect.poll(() => statusOf('B5', stale.metadata.commandId), { timeout: 5_000 }).toBe('rejected');
    await f.tick('XAUUSD', 238_900n, 238_950n); // crosses the resting limit, but the account is stopped
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await fillsOf('B5')).toEqual([]);
    expect(await statusOf('B5', resting.orderId)).toBe('accepted');
    await f.service.requestStopRelease(officer(), { scope: { kind: 'account', accountId: 'B5' }, reason: 'done' });
    await f.tick('XAUUSD', 240_000n, 240_050n);
  });

  it('resumes from its checkpoint after a restart, and a replay from scratch books no fill twice', async () => {
    await f.openAccount('B6');
    const first = await startBroker();
    const a = await f.service.placeOrder(trader(), order('B6'));
    await expect.poll(() => statusOf('B6', a.orderId), { timeout: 5_000 }).toBe('filled');
    await first.stop();
    running.splice(running.indexOf(first), 1);
    const b = await f.service.placeOrder(trader(), order('B6', { kind: 'limit', limitPrice: 239_700n }));
    await startBroker();
    await f.tick('XAUUSD', 239_650n, 239_690n);
    await expect.poll(() => statusOf('B6', b.orderId), { timeout: 5_000 }).toBe('filled');
    await startBroker({ checkpointKey: 'broker:test:scratch' }); // a broker that lost its checkpoint replays the whole log
    await new Promise((resolve) => setTimeout(resolve, 800));
    const fills = await fillsOf('B6');
    expect(fills.map((fill) => fill.fillId).sort()).toEqual([`${a.orderId}/fill/1`, `${b.orderId}/fill/1`].sort());
    await f.tick('XAUUSD', 240_000n, 240_050n);
  });
  // Last: it leaves the broker's quote in the future, which later ticks of "now" would not replace.
  it("expires a DAY order at the account's daily cut-off, not at UTC midnight", async () => {
    const hour = new Date().getUTCHours();
    const cutoff = (hour + 2) % 24 === 0 ? 1 : (hour + 2) % 24;
    await f.openAccount('B8', { dailyCutoffHourUtc: cutoff });
    await startBroker();
    const placed = await f.service.placeOrder(trader(), order('B8', { kind: 'limit', limitPrice: 239_000n, timeInForce: 'DAY' }));
    const events = await f.eventStore.readStream('account-B8');
    const expiresAt = new Date((events.find((e) => e.type === 'OrderPlaced')!.data as { expiresAt: string }).expiresAt);
    expect(expiresAt.getUTCHours()).toBe(cutoff);
    await f.tick('XAUUSD', 240_000n, 240_050n, new Date(expiresAt.getTime() - 60_000));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await statusOf('B8', placed.orderId)).toBe('accepted');
    await f.tick('XAUUSD', 240_000n, 240_050n, new Date(expiresAt.getTime() + 60_000));
    await expect.poll(() => statusOf('B8', placed.orderId), { timeout: 5_000 }).toBe('expired');
  });
});

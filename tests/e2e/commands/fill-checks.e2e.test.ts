// Post-trade control as a broker adapter meets it over HTTP: a fill worse than the order's limit, outside
// the band around the latest quote, or for another symbol or side is refused with 422 and its stable code,
// nothing is booked, and the refusal is in the account's stream (FillRefused: who reported it, the price,
// why). The account view values open positions at the latest quote, not at the last fill.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresService, redisService } from '../../support/services.ts';
import { startCommandServer, type CommandServer } from './command-server.ts';

const [postgres, redis] = await Promise.all([postgresService(), redisService()]);

describe.skipIf(!postgres.available || !redis.available)(`fills are checked before they are booked${postgres.skipReason}${redis.skipReason}`, () => {
  let server: CommandServer;
  let broker: string;
  let trader: string;
  let n = 0;

  beforeAll(async () => {
    server = await startCommandServer();
    broker = await server.token('service', { userId: 'broker-adapter-7' });
    trader = await server.token('trader', { accounts: ['FC1', 'FC2', 'FC3'] });
    await server.quote('2039.90', '2040.10');
    for (const id of ['FC1', 'FC2', 'FC3']) await server.openAccount(id);
  });
  afterAll(async () => server?.close());

  const place = async (accountId: string, fields: Record<string, unknown>): Promise<string> => {
    n += 1;
    const placed = await server.call('POST', `/v1/accounts/${accountId}/orders`, {
      clientOrderId: `fc-${n}`, symbol: 'XAUUSD', side: 'buy', kind: 'market', timeInForce: 'GTC', qty: '1.00', ...fields,
    }, { token: trader });
    expect(placed.body.accepted, JSON.stringify(placed.body)).toBe(true);
    return placed.body.orderId as string;
  };
  const fill = (accountId: string, body: Record<string, unknown>) => server.call('POST', `/v1/accounts/${accountId}/fills`, body, { token: broker });
  const account = async (accountId: string) => (await server.call('GET', `/v1/accounts/${accountId}`, undefined, { token: trader })).body as {
    figures: Record<string, string>; positions: Array<{ qty: string }>; workingOrders: Array<{ orderId: string }>;
  };

  it('refuses a buy limited at 2039.00 filled at 2050.00 (FILL.WORSE_THAN_LIMIT), books nothing, and records the refusal', async () => {
    const orderId = await place('FC1', { kind: 'limit', limitPrice: '2039.00' });
    const before = await account('FC1');
    const answer = await fill('FC1', { orderId, fillId: 'fc1-a', qty: '1.00', price: '2050.00' });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ code: 'FILL.WORSE_THAN_LIMIT', details: { fillId: 'fc1-a', orderId, price: '2050.00' } });
    const after = await account('FC1');
    expect(after.figures).toEqual(before.figures);
    expect(after.workingOrders.map((o) => o.orderId)).toContain(orderId);
    const refused = (await server.stream('FC1')).filter((e) => e.type === 'FillRefused');
    expect(refused.map((e) => e.data)).toEqual([expect.objectContaining({
      fillId: 'fc1-a', orderId, price: 205_000n, limitPrice: 203_900n, code: 'FILL.WORSE_THAN_LIMIT',
      reportedBy: { userId: 'broker-adapter-7', role: 'service' }, quote: expect.objectContaining({ bid: 203_990n, ask: 204_010n }),
    })]);
    // the same fill at the limit is booked
    expect((await fill('FC1', { orderId, fillId: 'fc1-b', qty: '1.00', price: '2039.00' })).status).toBe(200);
  });

  it('refuses a fat-finger fill at 999999999999999.99 against a 2,040 market: no position, no halt, no 3.1e15 peak', async () => {
    const orderId = await place('FC2', {});
    const answer = await fill('FC2', { orderId, fillId: 'fc2-a', qty: '1.00', price: '999999999999999.99' });
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('FILL.OUTSIDE_MARKET_BAND');
    const view = await account('FC2');
    expect(view.figures).toMatchObject({ equity: '100000.00', peakEquity: '100000.00', unrealizedPnl: '0.00' });
    expect((await server.stream('FC2')).some((e) => e.type === 'TradingStateChanged')).toBe(false);
  });

  it('refuses a fill the broker reports for another symbol or side', async () => {
    const orderId = await place('FC3', {});
    expect((await fill('FC3', { orderId, fillId: 'fc3-a', qty: '1.00', price: '2040.10', symbol: 'XAGUSD' })).body.code).toBe('FILL.SYMBOL_MISMATCH');
    expect((await fill('FC3', { orderId, fillId: 'fc3-b', qty: '1.00', price: '2040.10', side: 'sell' })).body.code).toBe('FILL.SIDE_MISMATCH');
    expect((await fill('FC3', { orderId, fillId: 'fc3-c', qty: '1.00', price: '2040.10', symbol: 'XAUUSD', side: 'buy' })).status).toBe(200);
  });

  it('values the open position at the latest quote, not at the fill price', async () => {
    // FC3 bought 1 lot (100 oz) at 2040.10; the market moves to 2045.00 mid
    await server.quote('2044.90', '2045.10');
    const view = await account('FC3');
    expect(view.figures.unrealizedPnl).toBe('490.00');
    await server.quote('2030.00', '2030.20');
    expect((await account('FC3')).figures.unrealizedPnl).toBe('-1000.00');
  });
});

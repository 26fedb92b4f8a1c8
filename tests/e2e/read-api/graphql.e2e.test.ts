// GraphQL as a dashboard meets it: queries over HTTP with fetch, subscriptions over graphql-ws, against a
// running server on PostgreSQL, Redis and NATS. An order placed through the command API shows up by
// subscription (decision, order, fill, position) and then by query; readers see only what they may; abusive
// queries are refused before they run, each with its extensions.code.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call -- GraphQL answers are JSON the assertions pin down */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsService, postgresService, redisService } from '../../support/services.ts';
import { Drain } from '../../integration/read-api/drain.ts';
import { startReadServer, type ReadServer } from './read-server.ts';

const [postgres, redis, nats] = await Promise.all([postgresService(), redisService(), natsService()]);
const skip = !postgres.available || !redis.available || !nats.available;

function wsClient(server: ReadServer, token: string | undefined): Client {
  return createClient({ url: server.wsUrl, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0, connectionParams: token ? { authorization: `Bearer ${token}` } : {} });
}

/** Every `next` of one subscription; errors and completion end the drain. */
function subscribe<T = any>(client: Client, query: string): { drain: Drain<T>; errors: unknown[] } {
  const errors: unknown[] = [];
  const iterator = client.iterate<T>({ query });
  const items = (async function* () {
    try {
      for await (const result of iterator) {
        if (result.errors) errors.push(...result.errors);
        else if (result.data) yield result.data;
      }
    } catch (error) {
      errors.push(error);
    }
  })();
  return { drain: new Drain<T>(items), errors };
}

const codes = (body: { errors?: Array<{ extensions?: { code?: string } }> }) => (body.errors ?? []).map((e) => e.extensions?.code);

describe.skipIf(skip)(`GraphQL end to end${postgres.skipReason}${redis.skipReason}${nats.skipReason}`, () => {
  let server: ReadServer;
  let traderA: string;
  let analyst: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    server = await startReadServer();
    await server.tick('2400.00', '2400.40');
    await server.openAccount('A1');
    await server.openAccount('B1');
    traderA = await server.token('trader', ['A1']);
    analyst = await server.token('analyst');
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await server?.close();
  }, 30_000);

  it('streams the decision, order, fill and position of an order placed through the command API, then serves them by query', async () => {
    const client = wsClient(server, traderA);
    clients.push(client);
    const decisions = subscribe(client, 'subscription { riskDecisions(accountId: "A1") { orderId accepted reasons checks { name passed } } }');
    const orders = subscribe(client, 'subscription { orders(accountId: "A1") { id status qty filledQty } }');
    const fills = subscribe(client, 'subscription { fills(accountId: "A1") { orderId qty price side } }');
    const positions = subscribe(client, 'subscription { positions(accountId: "A1") { symbol qty avgOpenPrice } }');
    const quotes = subscribe(client, 'subscription { quotes(symbol: "XAUUSD") { bid ask mid } }');
    // The quote stream proves the connection and the bus are live before the order goes in.
    for (let i = 0; i < 50 && quotes.drain.items.length === 0; i++) { await server.tick('2400.10', '2400.50'); await new Promise((r) => setTimeout(r, 100)); }
    expect(quotes.drain.items[0]).toEqual({ quotes: { bid: '2400.10', ask: '2400.50', mid: '2400.30' } });
    await new Promise((r) => setTimeout(r, 300));

    const placed = await server.command('POST', '/v1/accounts/A1/orders', { clientOrderId: 'gql-1', symbol: 'XAUUSD', side: 'buy', kind: 'market', timeInForce: 'IOC', qty: '0.10' }, traderA);
    const orderId = placed.orderId as string;
    expect(placed.accepted).toBe(true);

    const decision = await decisions.drain.find((d) => d.riskDecisions.orderId === orderId, 15_000);
    expect(decision?.riskDecisions).toMatchObject({ accepted: true, reasons: [] });
    expect(decision!.riskDecisions.checks.length).toBeGreaterThan(3);
    expect(await orders.drain.find((o) => o.orders.id === orderId && o.orders.status === 'filled', 15_000)).toEqual({ orders: { id: orderId, status: 'filled', qty: '0.10', filledQty: '0.10' } });
    expect((await fills.drain.find((f) => f.fills.orderId === orderId, 15_000))?.fills).toEqual({ orderId, qty: '0.10', price: '2400.50', side: 'buy' });
    expect((await positions.drain.find((p) => p.positions.qty === '0.10', 15_000))?.positions).toEqual({ symbol: 'XAUUSD', qty: '0.10', avgOpenPrice: '2400.50' });
    expect([decisions, orders, fills, positions].flatMap((s) => s.errors)).toEqual([]);

    await server.caughtUp();
    const { status, body } = await server.graphql(`{
      account(id: "A1") {
        id balance tradingState { state }
        positions { symbol qty avgOpenPrice }
        orders(first: 5) { nodes { id status qty filledQty avgFillPrice fills { price qty } riskDecision { accepted } } pageInfo { hasNextPage } }
        fills { nodes { orderId price fee cashFlow } }
        kpis { trades }
      }
      latestQuote(symbol: "XAUUSD") { bid ask }
    }`, traderA);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const account = body.data.account;
    expect(account.tradingState).toEqual({ state: 'ACTIVE' });
    expect(account.positions).toEqual([{ symbol: 'XAUUSD', qty: '0.10', avgOpenPrice: '2400.50' }]);
    expect(account.orders.nodes).toEqual([{ id: orderId, status: 'filled', qty: '0.10', filledQty: '0.10', avgFillPrice: '2400.5', fills: [{ price: '2400.50', qty: '0.10' }], riskDecision: { accepted: true } }]);
    expect(account.fills.nodes[0]).toMatchObject({ orderId, price: '2400.50', cashFlow: '-24005.00' });
    expect(body.data.latestQuote).toEqual({ bid: '2400.10', ask: '2400.50' });
  }, 60_000);

  it('serves candles and ticks by symbol, interval and time range, with cursor pages', async () => {
    await server.caughtUp();
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const first = await server.graphql(`query($from: DateTime!, $to: DateTime!) { ticks(symbol: "XAUUSD", from: $from, to: $to, first: 1) { nodes { bid ask } pageInfo { hasNextPage endCursor } } candles(symbol: "XAUUSD", interval: M1, from: $from, to: $to) { open close tickCount } }`, analyst, { from, to });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.ticks.nodes).toEqual([{ bid: '2400.00', ask: '2400.40' }]);
    expect(first.body.data.ticks.pageInfo.hasNextPage).toBe(true);
    expect(first.body.data.candles.at(-1).close).toBe('2400.30');
    const next = await server.graphql(`query($from: DateTime!, $to: DateTime!, $after: String) { ticks(symbol: "XAUUSD", from: $from, to: $to, first: 1, after: $after) { nodes { bid } } }`, analyst, { from, to, after: first.body.data.ticks.pageInfo.endCursor });
    expect(next.body.data.ticks.nodes).toEqual([{ bid: '2400.10' }]);
    // A query reads only the candle fields it selects (fragments included), with the same values as a full read.
    const all = 'bucket open high low close bidClose askClose tickCount spreadMin spreadMax spreadAvg symbol interval';
    const full = await server.graphql(`query($from: DateTime!, $to: DateTime!) { candles(symbol: "XAUUSD", interval: M1, from: $from, to: $to) { ${all} } }`, analyst, { from, to });
    const some = await server.graphql(`query($from: DateTime!, $to: DateTime!) { candles(symbol: "XAUUSD", interval: M1, from: $from, to: $to) { bucket ...Spread ... on Candle { c: close } } } fragment Spread on Candle { spreadAvg tickCount }`, analyst, { from, to });
    expect(some.body.errors).toBeUndefined();
    expect(full.body.data.candles.length).toBeGreaterThan(0);
    expect(some.body.data.candles).toEqual(full.body.data.candles.map((c: Record<string, unknown>) => ({ bucket: c.bucket, spreadAvg: c.spreadAvg, tickCount: c.tickCount, c: c.close })));
  });

  it('shows a trader only its own accounts and the desk roles every account', async () => {
    const mine = await server.graphql('{ accounts { id } }', traderA);
    expect(mine.body.data.accounts).toEqual([{ id: 'A1' }]);
    const other = await server.graphql('{ account(id: "B1") { id balance } }', traderA);
    expect(codes(other.body)).toEqual(['AUTH.FORBIDDEN_ACCOUNT']);
    expect(other.body.data.account).toBeNull();
    const all = await server.graphql('{ accounts { id } }', analyst);
    expect(all.body.data.accounts).toEqual([{ id: 'A1' }, { id: 'B1' }]);
    const none = await server.graphql('{ accounts { id } }', undefined);
    expect(none.status).toBe(401);
    expect(codes(none.body)).toEqual(['AUTH.MISSING_TOKEN']);
    const forged = await server.graphql('{ accounts { id } }', `${traderA.slice(0, -4)}AAAA`);
    expect(codes(forged.body)).toEqual(['AUTH.INVALID_TOKEN']);

    const client = wsClient(server, traderA);
    clients.push(client);
    const spying = subscribe(client, 'subscription { orders(accountId: "B1") { id } }');
    await spying.drain.first(1, 2_000);
    expect(JSON.stringify(spying.errors)).toContain('does not name account B1');
    expect(codes({ errors: spying.errors.flat() as Array<{ extensions?: { code?: string } }> })).toEqual(['AUTH.FORBIDDEN_ACCOUNT']);
    expect(spying.drain.items).toEqual([]);
    const tooDeep = subscribe(client, 'subscription { orders(accountId: "A1") { riskDecision { checks { name { a { b { c } } } } } } }');
    await tooDeep.drain.first(1, 2_000);
    expect(codes({ errors: tooDeep.errors.flat() as Array<{ extensions?: { code?: string } }> })).toContain('GRAPHQL.DEPTH_LIMIT');
    const anonymous = wsClient(server, undefined);
    clients.push(anonymous);
    const refused = subscribe(anonymous, 'subscription { quotes(symbol: "XAUUSD") { bid } }');
    await refused.drain.first(1, 2_000);
    expect(refused.errors.length).toBeGreaterThan(0);
    expect(refused.drain.items).toEqual([]);
  }, 20_000);

  it('refuses deep nesting, thousands of aliases, giant pages and introspection before running them', async () => {
    const deep = await server.graphql('{ accounts { orders { nodes { riskDecision { checks { name { a { b } } } } } } } }', analyst);
    expect(deep.status).toBe(400);
    expect(codes(deep.body)).toContain('GRAPHQL.DEPTH_LIMIT');

    const aliases = Array.from({ length: 3_000 }, (_, i) => `a${i}: latestQuote(symbol: "XAUUSD") { bid }`).join(' ');
    const flood = await server.graphql(`{ ${aliases} }`, analyst);
    expect(flood.status).toBe(400);
    expect(codes(flood.body)).toContain('GRAPHQL.TOO_MANY_ALIASES');

    const giant = await server.graphql('{ accounts { orders(first: 1000000) { nodes { id } } } }', analyst);
    expect(codes(giant.body)).toContain('GRAPHQL.PAGE_TOO_LARGE');
    const viaVariable = await server.graphql('query($n: Int) { ticks(symbol: "XAUUSD", from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z", first: $n) { nodes { bid } } }', analyst, { n: 50_000 });
    expect(codes(viaVariable.body)).toEqual(['GRAPHQL.PAGE_TOO_LARGE']);

    const costly = await server.graphql('{ accounts { orders(first: 1000) { nodes { fills { id } riskDecision { checks { name } } } } } }', analyst);
    expect(codes(costly.body)).toContain('GRAPHQL.COST_LIMIT');

    const introspection = await server.graphql('{ __schema { types { name } } }', analyst);
    expect(codes(introspection.body)).toEqual(['GRAPHQL.INTROSPECTION_DISABLED']);

    const broken = await server.graphql('{ accounts { id ', analyst);
    expect(codes(broken.body)).toEqual(['GRAPHQL.PARSE_FAILED']);
  });

  it('serves KPIs per round trip, with every money figure in dollars like the balance', async () => {
    const traderB = await server.token('trader', ['B1']);
    const order = async (clientOrderId: string, side: 'buy' | 'sell', qty: string) => {
      const answer = await server.command('POST', '/v1/accounts/B1/orders', { clientOrderId, symbol: 'XAUUSD', side, kind: 'market', timeInForce: 'IOC', qty }, traderB);
      expect(answer.accepted).toBe(true);
      for (let i = 0; i < 150; i++) {
        const { body } = await server.graphql('{ account(id: "B1") { fills(first: 10) { nodes { orderId } } } }', traderB);
        if (body.data?.account?.fills.nodes.some((f: { orderId: string }) => f.orderId === answer.orderId)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`order ${clientOrderId} was not filled`);
    };
    // Buy 0.10 lot (10 oz) at the ask 2400.40, sell it in two halves at the bid 2401.00: one round trip of
    // two closing fills, 10 × 0.60 = 6.00 USD, no fees on the paper broker. Then 0.01 lot bought at 2401.40
    // and sold at 2401.00: a second round trip, 1 × -0.40 = -0.40 USD.
    await server.tick('2400.00', '2400.40');
    await order('kpi-open', 'buy', '0.10');
    await server.tick('2401.00', '2401.40');
    await order('kpi-half-1', 'sell', '0.05');
    await order('kpi-half-2', 'sell', '0.05');
    await order('kpi-loss-open', 'buy', '0.01');
    await order('kpi-loss-close', 'sell', '0.01');
    await server.caughtUp();
    const { body } = await server.graphql(`{ account(id: "B1") { balance feesPaid realizedPnl
      kpis { trades wins losses breakeven closingFills grossProfit grossLoss netTradePnl profitFactor winRate averageWin averageLoss expectancy } } }`, traderB);
    expect(body.errors).toBeUndefined();
    expect(body.data.account).toEqual({
      balance: '100005.60', feesPaid: '0.00', realizedPnl: '5.60',
      kpis: {
        trades: 2, wins: 1, losses: 1, breakeven: 0, closingFills: 3, grossProfit: '6.00', grossLoss: '0.40', netTradePnl: '5.60',
        profitFactor: '15', winRate: '0.5', averageWin: '6.00', averageLoss: '0.40', expectancy: '2.80', // 5.60 / 2 trades, dollars like netTradePnl
      },
    });
  }, 60_000);

  it('records GraphQL latency in the metrics', async () => {
    await server.graphql('query DeskOverview { controlStates { scope } projections { name state } }', analyst);
    const text = await server.metrics.registry.getSingleMetricAsString('nicegold_graphql_seconds');
    expect(text).toMatch(/nicegold_graphql_seconds_count\{operation="DeskOverview"\} [1-9]/);
  });
});

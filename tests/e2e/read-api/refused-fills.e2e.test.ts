// Refused fills as the desk reads them over GraphQL: a broker's fills refused by the post-trade checks
// through the command API (422) show up on the account and in the desk-wide view with the code, the price,
// the limit, the quote, the reporter and the reason; the desk view filters by code and pages by cursor; a
// trader without the account sees none of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsService, postgresService, redisService, uniqueName } from '../../support/services.ts';
import { startReadServer, type ReadServer } from './read-server.ts';

const [postgres, redis, nats] = await Promise.all([postgresService(), redisService(), natsService()]);
const skip = !postgres.available || !redis.available || !nats.available;

const codes = (body: { errors?: Array<{ extensions?: { code?: string } }> }) => (body.errors ?? []).map((e) => e.extensions?.code);
interface RefusedFillPage {
  nodes: Array<Record<string, unknown>>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const FIELDS = 'fillId orderId accountId symbol side qty price reportedSymbol reportedSide limitPrice quote { bid ask mid } bandBps code reason reportedBy reportedByRole at';

describe.skipIf(skip)(`refused fills over GraphQL${postgres.skipReason}${redis.skipReason}${nats.skipReason}`, () => {
  let server: ReadServer;
  let trader: string;
  let otherTrader: string;
  let broker: string;
  let compliance: string;
  let orderId: string;

  /** A broker's fill through the command API; a refused one is answered 422 with its code. */
  const reportFill = async (body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${server.url}/v1/accounts/RA1/fills`, {
      method: 'POST', body: JSON.stringify(body),
      headers: { authorization: `Bearer ${broker}`, 'content-type': 'application/json', 'idempotency-key': `k-${uniqueName('fill')}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    server = await startReadServer();
    await server.tick('2400.00', '2400.40');
    await server.openAccount('RA1');
    await server.openAccount('RB1');
    trader = await server.token('trader', ['RA1']);
    otherTrader = await server.token('trader', ['RB1']);
    broker = await server.token('service');
    compliance = await server.token('compliance');
    // a buy limited below the market rests with the paper broker: only the fills below refer to it
    const placed = await server.command('POST', '/v1/accounts/RA1/orders', { clientOrderId: 'rf-1', symbol: 'XAUUSD', side: 'buy', kind: 'limit', timeInForce: 'GTC', qty: '0.10', limitPrice: '2390.00' }, trader);
    expect(placed.accepted).toBe(true);
    orderId = placed.orderId as string;
    const worse = await reportFill({ orderId, fillId: 'venue-1', qty: '0.10', price: '2395.00' });
    expect(worse).toMatchObject({ status: 422, body: { code: 'FILL.WORSE_THAN_LIMIT' } });
    const side = await reportFill({ orderId, fillId: 'venue-2', qty: '0.10', price: '2390.00', side: 'sell' });
    expect(side).toMatchObject({ status: 422, body: { code: 'FILL.SIDE_MISMATCH' } });
    await server.caughtUp();
  }, 60_000);
  afterAll(async () => server?.close(), 30_000);

  const worseThanLimit = () => ({
    fillId: 'venue-1', orderId, accountId: 'RA1', symbol: 'XAUUSD', side: 'buy', qty: '0.10', price: '2395.00', reportedSymbol: null, reportedSide: null,
    limitPrice: '2390.00', quote: { bid: '2400.00', ask: '2400.40', mid: '2400.20' }, bandBps: 100, code: 'FILL.WORSE_THAN_LIMIT',
    reason: 'a buy limited at 239000 cannot fill at 239500 (price units)', reportedBy: 'service-user', reportedByRole: 'service', at: expect.any(String),
  });

  it('shows the account its refused fills, newest first, with the code, price, limit, quote, reporter and reason', async () => {
    const { status, body } = await server.graphql(`{ account(id: "RA1") { refusedFills { nodes { ${FIELDS} } pageInfo { hasNextPage } } fills { nodes { id } } } }`, trader);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const { refusedFills, fills } = body.data.account as { refusedFills: RefusedFillPage; fills: RefusedFillPage };
    expect(refusedFills.nodes.map((n) => n.code)).toEqual(['FILL.SIDE_MISMATCH', 'FILL.WORSE_THAN_LIMIT']);
    expect(refusedFills.nodes[0]).toMatchObject({ fillId: 'venue-2', price: '2390.00', reportedSide: 'sell', reason: `the fill is a sell; order ${orderId} is a buy` });
    expect(refusedFills.nodes[1]).toEqual(worseThanLimit());
    expect(refusedFills.pageInfo.hasNextPage).toBe(false);
    expect(fills.nodes).toEqual([]); // nothing was booked
  });

  it('serves the desk every refusal, by code, in cursor pages', async () => {
    const page = async (variables: Record<string, unknown>): Promise<RefusedFillPage> => {
      const answer = await server.graphql(`query($first: Int, $after: String, $code: String) { refusedFills(first: $first, after: $after, code: $code) { nodes { ${FIELDS} } pageInfo { hasNextPage endCursor } } }`, compliance, variables);
      expect(answer.body.errors).toBeUndefined();
      return (answer.body.data as { refusedFills: RefusedFillPage }).refusedFills;
    };
    const first = await page({ first: 1 });
    expect(first.nodes.map((n) => n.fillId)).toEqual(['venue-2']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = await page({ first: 1, after: first.pageInfo.endCursor });
    expect(next.nodes).toEqual([worseThanLimit()]);
    expect(next.pageInfo).toEqual({ hasNextPage: false, endCursor: expect.any(String) });
    expect((await page({ code: 'FILL.WORSE_THAN_LIMIT' })).nodes).toEqual([worseThanLimit()]);
    expect((await page({ code: 'FILL.OUTSIDE_MARKET_BAND' })).nodes).toEqual([]);
    // a code the ledger never gives (a typo) is refused, not answered with an empty page
    const typo = await server.graphql('query($code: String) { refusedFills(code: $code) { nodes { fillId } } }', compliance, { code: 'FILL.WORSE_THAN_LIMT' });
    expect(codes(typo.body)).toEqual(['GRAPHQL.BAD_REFUSAL_CODE']);
    const officer = await server.graphql('{ refusedFills { nodes { fillId } } }', await server.token('risk_officer'));
    expect(officer.body.data.refusedFills.nodes).toEqual([{ fillId: 'venue-2' }, { fillId: 'venue-1' }]);
  });

  it('shows a trader without the account none of its refusals', async () => {
    const account = await server.graphql('{ account(id: "RA1") { refusedFills { nodes { fillId } } } }', otherTrader);
    expect(codes(account.body)).toEqual(['AUTH.FORBIDDEN_ACCOUNT']);
    expect(account.body.data.account).toBeNull();
    const desk = await server.graphql('{ refusedFills { nodes { fillId } } }', otherTrader);
    expect(desk.body.errors).toBeUndefined();
    expect(desk.body.data.refusedFills.nodes).toEqual([]);
    const own = await server.graphql('{ refusedFills { nodes { fillId } } }', trader);
    expect(own.body.data.refusedFills.nodes).toEqual([{ fillId: 'venue-2' }, { fillId: 'venue-1' }]);
    // service tokens read no account books, desk-wide neither
    expect((await server.graphql('{ refusedFills { nodes { fillId } } }', broker)).body.data.refusedFills.nodes).toEqual([]);
    const bad = await server.graphql('{ refusedFills(after: "not-a-cursor") { nodes { fillId } } }', compliance);
    expect(codes(bad.body)).toEqual(['GRAPHQL.BAD_CURSOR']);
  });
});

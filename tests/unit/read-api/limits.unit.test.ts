// The query limits as a client meets them: what a dashboard asks passes, what an abuser asks is refused
// with the code of the limit it broke. Runs graphql-js validation against the real schema.
import { createRequire } from 'node:module';
import type * as GraphqlJs from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, LIMIT_CODES, queryLimitsRule, typeDefs, type QueryLimits } from '../../../read-api/index.ts';
import { foldTick } from '../../../read-api/live.ts';
import type { LiveEvent } from '../../../infra/bus/index.ts';

// The CommonJS graphql-js, as mercurius and the rule use it (see read-api/graphql-js.ts).
const { buildSchema, parse, specifiedRules, validate } = createRequire(import.meta.url)('graphql') as typeof GraphqlJs;
const schema = buildSchema(typeDefs);
const codesOf = (query: string, limits: Partial<QueryLimits> = {}) =>
  validate(schema, parse(query), [...specifiedRules, queryLimitsRule({ ...DEFAULT_LIMITS, ...limits })]).map((e) => e.extensions.code ?? 'SPEC');

describe('query limits', () => {
  it('lets a dashboard query through', () => {
    expect(codesOf(`{ accounts { id equity positions { symbol qty } orders(first: 20) { nodes { id status fills { price } riskDecision { accepted } } } kpis { winRate } } latestQuote(symbol: "XAUUSD") { bid } }`)).toEqual([]);
  });

  it('refuses nesting deeper than the limit, fragments included', () => {
    const query = `{ accounts { ...A } } fragment A on Account { orders { nodes { riskDecision { checks { name } } } } }`;
    expect(codesOf(query, { maxDepth: 6 })).toEqual([]);
    expect(codesOf(query, { maxDepth: 5 })).toEqual([LIMIT_CODES.depth]);
  });

  it('counts aliases across the document and reports the breach once', () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `q${i}: latestQuote(symbol: "XAUUSD") { bid }`).join(' ')} }`;
    expect(codesOf(aliases(30))).toEqual([]);
    expect(codesOf(aliases(2_000))).toEqual([LIMIT_CODES.aliases]);
  });

  it('refuses a literal page larger than the maximum, and prices a variable page at the maximum', () => {
    expect(codesOf('{ ticks(symbol: "XAUUSD", from: "a", to: "b", first: 5000) { nodes { bid } } }')).toEqual([LIMIT_CODES.pageSize]);
    const costly = 'query($n: Int) { accounts { orders(first: $n) { nodes { fills { id price } } } } }';
    expect(codesOf(costly)).toEqual([LIMIT_CODES.cost]);
    expect(codesOf(costly, { maxCost: 10_000_000 })).toEqual([]);
  });

  it('answers introspection only when it is enabled, without counting it against depth', () => {
    const introspection = '{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }';
    expect(codesOf(introspection)).toContain(LIMIT_CODES.introspection);
    expect(codesOf(introspection, { introspection: true })).toEqual([]);
  });
});

const tick = (bid: string, ask: string, timestamp: string): LiveEvent => ({ type: 'TickReceived', streamId: 't', position: '1', revision: '0', occurredAt: timestamp, data: { bid, ask, timestamp } });

describe('forming candle', () => {
  it('folds ticks of one bucket, starts a new candle in the next, and ignores a late tick of an older bucket', () => {
    let c = foldTick(undefined, tick('240000', '240040', '2026-11-20T10:00:05Z'), 'XAUUSD', 'M1');
    c = foldTick(c, tick('240100', '240140', '2026-11-20T10:00:30Z'), 'XAUUSD', 'M1');
    c = foldTick(c, tick('239900', '239920', '2026-11-20T10:00:50Z'), 'XAUUSD', 'M1');
    expect(c).toMatchObject({ open: 240020n, high: 240120n, low: 239910n, close: 239910n, tickCount: 3, spreadMin: 20n, spreadMax: 40n, spreadSum: 100n });
    const next = foldTick(c, tick('240000', '240010', '2026-11-20T10:01:00Z'), 'XAUUSD', 'M1');
    expect(next).toMatchObject({ bucketMs: Date.parse('2026-11-20T10:01:00Z'), open: 240005n, tickCount: 1 });
    expect(foldTick(next, tick('1', '2', '2026-11-20T10:00:59Z'), 'XAUUSD', 'M1')).toBe(next);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { XAUUSD_SPEC } from '../../../domain/market-data/index.ts';
import { ensureInstrumentsListed, InstrumentRegistry } from '../../../commands/market-data/instruments.ts';
import { ticksRoutes } from '../../../commands/market-data/http-ticks.ts';
import { TickIngester } from '../../../commands/market-data/tick-ingester.ts';
import { buildApp } from '../../../infra/http/app.ts';
import { createLogger } from '../../../infra/logging/logger.ts';
import { createMetrics } from '../../../infra/metrics/metrics.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';

const NOW = new Date('2026-11-24T10:00:00.000Z');
const STREAM_ID = 'ticks-XAUUSD-20261124';
const good = (sequence: number, extra: Record<string, unknown> = {}) =>
  ({ symbol: 'XAUUSD', source: 'http-lp', sequence, bid: '2400.10', ask: '2400.40', ts: new Date(NOW.getTime() - 1_000 + sequence).toISOString(), ...extra });

describe('POST /v1/ticks', () => {
  let sql: SqlClient;
  let store: PostgresEventStore;
  let app: FastifyInstance;
  let guarded: FastifyInstance;
  const post = (body: unknown, target = app) => target.inject({ method: 'POST', url: '/v1/ticks', payload: body as object });
  const recorded = async () => (await store.readStream(STREAM_ID)).length;

  beforeAll(async () => {
    sql = await createPgliteClient();
    store = await PostgresEventStore.create(sql);
    await ensureInstrumentsListed(store, [XAUUSD_SPEC], NOW);
    const ingester = new TickIngester({ eventStore: store, instruments: await InstrumentRegistry.load(store), clock: () => NOW });
    const deps = { logger: createLogger('silent'), metrics: createMetrics({ defaultMetrics: false }), readiness: [] };
    app = await buildApp({ ...deps, plugins: [ticksRoutes({ ingester })] });
    guarded = await buildApp({
      ...deps,
      plugins: [ticksRoutes({ ingester, preHandler: async (_request, reply) => { await reply.status(401).send({ code: 'AUTH.REQUIRED', message: 'no token', details: {} }); } })],
    });
  });
  afterAll(async () => {
    await app.close();
    await guarded.close();
    await store.close();
    await sql.close();
  });

  it('answers each tick of a batch: accepted, rejected with its reason, duplicate', async () => {
    const response = await post({ ticks: [good(1), good(2, { bid: '2400.50', ask: '2400.20' }), good(3), good(1)] });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      accepted: 2, rejected: 1, duplicate: 1,
      results: [
        { index: 0, status: 'accepted' },
        { index: 1, status: 'rejected', reason: 'CROSSED', detail: expect.stringContaining('below bid') },
        { index: 2, status: 'accepted' },
        { index: 3, status: 'duplicate' },
      ],
    });
    const again = await post({ ticks: [good(1), good(3)] });
    expect(again.json().duplicate).toBe(2);
    expect(await recorded()).toBe(3);
  });

  it.each([
    ['not JSON', '{"ticks": [', 'REQUEST.'],
    ['no ticks field', { data: [] }, 'REQUEST.INVALID'],
    ['an empty batch', { ticks: [] }, 'REQUEST.INVALID'],
    ['a price that is not decimal text', { ticks: [good(10), good(11, { bid: '2400,10' })] }, 'REQUEST.INVALID'],
    ['a missing sequence', { ticks: [good(10), { ...good(11), sequence: undefined }] }, 'REQUEST.INVALID'],
    ['a negative sequence', { ticks: [good(10, { sequence: -1 })] }, 'REQUEST.INVALID'],
    ['a timestamp that is not a date', { ticks: [good(10), good(11, { ts: 'yesterday' })] }, 'REQUEST.INVALID'],
    ['an impossible calendar date', { ticks: [good(10), good(11, { ts: '2026-02-30T10:00:00Z' })] }, 'REQUEST.INVALID'],
  ])('refuses %s with a clear 400 and writes nothing', async (_what, body, code) => {
    const before = await recorded();
    const response = await app.inject({ method: 'POST', url: '/v1/ticks', payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(400);
    const answer = response.json();
    expect(answer.code).toContain(code);
    expect(typeof answer.message).toBe('string');
    expect(answer).toHaveProperty('details');
    expect(await recorded()).toBe(before);
  });

  it('refuses more ticks than one request may carry', async () => {
    const response = await post({ ticks: Array.from({ length: 5_001 }, (_, i) => good(100 + i)) });
    expect(response.statusCode).toBe(400);
  });

  it('runs the pre-handler hook before anything is written', async () => {
    const before = await recorded();
    const response = await post({ ticks: [good(50)] }, guarded);
    expect(response.statusCode).toBe(401);
    expect(await recorded()).toBe(before);
  });
});

import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../../infra/http/app.ts';
import { createMetrics } from '../../../infra/metrics/metrics.ts';
import { ValidationError } from '../../../domain/shared/errors.ts';

describe('HTTP app: health, readiness, metrics, errors', () => {
  let app: FastifyInstance;
  let databaseUp = true;
  const logLines: Array<Record<string, unknown>> = [];
  const logSink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  beforeAll(async () => {
    app = await buildApp({
      logger: pino({ level: 'info' }, logSink),
      metrics: createMetrics({ defaultMetrics: false }),
      readiness: [
        { name: 'database', check: async () => { if (!databaseUp) throw new Error('connection refused'); return 'postgres'; } },
      ],
      plugins: [async (instance) => {
        instance.get('/echo-correlation', async (request) => ({ correlationId: request.id }));
        instance.get('/refuse', async () => { throw new ValidationError('ORDER.QTY_MALFORMED', 'qty must be a decimal string', { field: 'qty' }); });
        instance.get('/crash', async () => { throw new Error('secret internal detail'); });
      }],
    });
  });
  afterAll(async () => app.close());

  it('answers /healthz', async () => {
    const response = await app.inject('/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('reports readiness per backend and 503 when one is down', async () => {
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    databaseUp = false;
    const down = await app.inject('/readyz');
    databaseUp = true;
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: 'not_ready', checks: [{ name: 'database', ready: false, status: 'connection refused' }] });
  });

  it('serves Prometheus metrics', async () => {
    const response = await app.inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('nicegold_commands_total');
  });

  it('carries the caller correlation id through the request and back', async () => {
    const response = await app.inject({ url: '/echo-correlation', headers: { 'x-correlation-id': 'desk-42' } });
    expect(response.json()).toEqual({ correlationId: 'desk-42' });
    expect(response.headers['x-correlation-id']).toBe('desk-42');
    const minted = await app.inject({ url: '/echo-correlation', headers: { 'x-correlation-id': 'not a valid id!' } });
    expect(minted.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(minted.json()).toEqual({ correlationId: minted.headers['x-correlation-id'] });
  });

  it('names the correlation id in the log line of a failed request', async () => {
    logLines.length = 0;
    const crashed = await app.inject({ url: '/crash', headers: { 'x-correlation-id': 'desk-43' } });
    expect(crashed.statusCode).toBe(500);
    expect(crashed.headers['x-correlation-id']).toBe('desk-43');
    expect((await app.inject({ url: '/nope', headers: { 'x-correlation-id': 'desk-44' } })).headers['x-correlation-id']).toBe('desk-44');
    expect(logLines).toContainEqual(expect.objectContaining({ msg: 'request failed', correlationId: 'desk-43' }));
  });

  it('answers a refusal with its stable code and hides internal errors', async () => {
    const refused = await app.inject('/refuse');
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ code: 'ORDER.QTY_MALFORMED', message: 'qty must be a decimal string', details: { field: 'qty' } });
    const crashed = await app.inject('/crash');
    expect(crashed.statusCode).toBe(500);
    expect(crashed.body).not.toContain('secret');
    expect((await app.inject('/nope')).json()).toMatchObject({ code: 'ROUTE.NOT_FOUND' });
  });
});

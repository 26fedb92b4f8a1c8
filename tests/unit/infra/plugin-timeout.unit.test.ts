// A loaded machine compiles the command API's route schemas slowly: a start that took fastify's default
// 10 s plugin timeout failed with "Plugin did not start in time" and the process exited (two of two embedded
// starts, and a PostgreSQL restart, on a machine running ~20 processes per core). buildApp allows 120 s.
import type { FastifyPluginAsync } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../../infra/http/app.ts';
import { createLogger } from '../../../infra/logging/logger.ts';
import { createMetrics } from '../../../infra/metrics/metrics.ts';

const slowPlugin = (ms: number): FastifyPluginAsync => async (app) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  app.get('/slow', async () => ({ loaded: true }));
};

describe('the HTTP app on a slow machine', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('starts when a plugin takes longer than fastify\'s default 10 s to register', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // buildApp awaits each plugin's registration: the clock moves on while it does.
    const building = buildApp({ logger: createLogger('silent'), metrics: createMetrics(), readiness: [], plugins: [slowPlugin(15_000)] });
    const outcome = building.then(async (app) => { await app.ready(); return app; }).then((app) => ({ app }), (error: unknown) => ({ error }));
    await vi.advanceTimersByTimeAsync(16_000);
    const started = await outcome;
    expect('error' in started ? String(started.error) : 'started').toBe('started');
    const app = (started as { app: Awaited<typeof building> }).app;
    try {
      const answer = await app.inject({ method: 'GET', url: '/slow' });
      expect(answer.json()).toEqual({ loaded: true });
    } finally {
      vi.useRealTimers();
      await app.close();
    }
  });
});

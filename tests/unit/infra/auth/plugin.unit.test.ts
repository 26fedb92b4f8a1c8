import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../../../domain/ports/key-value.ts';
import { createMemoryKeyValueStore } from '../../../../infra/cache/memory.ts';
import { authPlugin, createTokenVerifier, mintToken, principalOf, type JwtSettings } from '../../../../infra/auth/index.ts';
import { errorHandler } from '../../../../infra/http/errors.ts';

const jwt: JwtSettings = { algorithm: 'HS256', secret: 'a-test-secret-that-is-long-enough-0123', jwksUrl: undefined, publicKey: undefined, issuer: 'nicegold-ledger' };
let now = 1_700_000_000_250;
let app: FastifyInstance | undefined;

async function build(keyValue: KeyValueStore = createMemoryKeyValueStore(() => now), rateLimitPerSecond = 3): Promise<FastifyInstance> {
  app = Fastify();
  app.setErrorHandler(errorHandler);
  await app.register(async (scope) => {
    await scope.register(authPlugin, { verifyToken: createTokenVerifier(jwt), keyValue, rateLimitPerSecond, clock: () => now });
    scope.get('/me', async (request) => principalOf(request));
  });
  app.get('/open', async (request) => ({ authenticated: request.principal !== undefined }));
  return app;
}

afterEach(async () => { await app?.close(); app = undefined; });

const bearer = async (userId = 'u1') => ({ authorization: `Bearer ${await mintToken({ role: 'trader', userId, accounts: ['A1'] }, jwt)}` });

describe('auth plugin', () => {
  it('a request with a valid token sees its principal', async () => {
    const server = await build();
    const response = await server.inject({ url: '/me', headers: await bearer() });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ userId: 'u1', role: 'trader', accounts: ['A1'] });
  });

  it.each([
    [{}, 'AUTH.MISSING_TOKEN'],
    [{ authorization: 'Basic dTpw' }, 'AUTH.INVALID_TOKEN'],
    [{ authorization: 'Bearer not-a-jwt' }, 'AUTH.INVALID_TOKEN'],
  ])('headers %j answer 401 %s', async (headers, code) => {
    const server = await build();
    const response = await server.inject({ url: '/me', headers });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code });
  });

  it('routes outside the scope it is registered into need no token', async () => {
    const server = await build();
    expect((await server.inject({ url: '/open' })).json()).toEqual({ authenticated: false });
  });

  it('a user over its per-second limit gets 429 with Retry-After; the next second it is served again; other users are unaffected', async () => {
    const server = await build();
    const headers = await bearer('busy');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await server.inject({ url: '/me', headers })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await server.inject({ url: '/me', headers });
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED', details: { limitPerSecond: 3 } });
    expect(limited.headers['retry-after']).toBe('1');
    expect((await server.inject({ url: '/me', headers: await bearer('calm') })).statusCode).toBe(200);
    now += 1_000;
    expect((await server.inject({ url: '/me', headers })).statusCode).toBe(200);
  });

  it('answers 503 rather than serving unlimited when the rate-limit store is down', async () => {
    const broken: KeyValueStore = { ...createMemoryKeyValueStore(), increment: () => Promise.reject(new Error('ECONNREFUSED')) };
    const server = await build(broken);
    const response = await server.inject({ url: '/me', headers: await bearer() });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'RATE_LIMIT.UNAVAILABLE' });
  });
});

import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, mintToken, type JwtSettings } from '../../../infra/auth/index.ts';
import { createMemoryLiveBus } from '../../../infra/bus/index.ts';
import { createMemoryKeyValueStore } from '../../../infra/cache/memory.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { graphqlPlugin } from '../../../read-api/index.ts';

const JWT: JwtSettings = { algorithm: 'HS256', secret: 'rate-limit-test-secret-long-enough-0123456789', jwksUrl: undefined, publicKey: undefined, issuer: 'nicegold-ledger' };

describe('GraphQL per-user rate limit', () => {
  let app: FastifyInstance;
  let sql: SqlClient;
  const bus = createMemoryLiveBus();
  let now = 1_700_000_000_250;
  beforeAll(async () => {
    sql = await createPgliteClient();
    app = Fastify();
    await app.register(graphqlPlugin({
      sql, keyValue: createMemoryKeyValueStore(), bus, verifyToken: createTokenVerifier(JWT), graphiql: false, rateLimitPerSecond: 3, clock: () => now,
    }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await bus.close();
    await sql.close();
  });

  const ask = async (userId: string) => app.inject({
    method: 'POST', url: '/graphql',
    headers: { authorization: `Bearer ${await mintToken({ role: 'analyst', userId }, JWT)}`, 'content-type': 'application/json' },
    payload: { query: '{ __typename }' },
  });

  it('answers a user up to the limit in a second, then 429 RATE_LIMITED with Retry-After, and other users still', async () => {
    for (let i = 0; i < 3; i += 1) expect((await ask('dash-1')).statusCode).toBe(200);
    const refused = await ask('dash-1');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toMatchObject({ data: null, errors: [{ extensions: { code: 'RATE_LIMITED', details: { limitPerSecond: 3, retryAfterMs: 750 } } }] });
    expect((await ask('dash-2')).statusCode).toBe(200);
    now += 1_000; // the next second
    expect((await ask('dash-1')).statusCode).toBe(200);
  });
});

// Subscriptions over graphql-ws are bounded like queries: a connection holds at most
// `maxSubscriptionsPerConnection` open at once (a stopped one frees its slot), and each start counts
// against the user's GraphQL rate budget, shared with requests over HTTP.
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, mintToken, type JwtSettings } from '../../../infra/auth/index.ts';
import { createMemoryLiveBus } from '../../../infra/bus/index.ts';
import { createMemoryKeyValueStore } from '../../../infra/cache/memory.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import { graphqlPlugin } from '../../../read-api/index.ts';

const JWT: JwtSettings = { algorithm: 'HS256', secret: 'subscription-limit-test-secret-0123456789abcdef', jwksUrl: undefined, publicKey: undefined, issuer: 'nicegold-ledger' };
const QUOTES = 'subscription { quotes(symbol: "XAUUSD") { bid } }';

interface Started {
  /** The codes of the error that ended it, or 'open' if it was still running after `waitMs`. */
  readonly outcome: Promise<Array<string | undefined> | 'open'>;
  stop(): void;
}

function start(client: Client, waitMs = 400): Started {
  let stop = () => undefined as void;
  const outcome = new Promise<Array<string | undefined> | 'open'>((resolve) => {
    const timer = setTimeout(() => resolve('open'), waitMs);
    stop = client.subscribe({ query: QUOTES }, {
      next: () => undefined,
      complete: () => undefined,
      error: (error) => {
        clearTimeout(timer);
        const list = (Array.isArray(error) ? error : [error]) as Array<{ extensions?: { code?: string } }>;
        resolve(list.map((e) => e.extensions?.code));
      },
    });
  });
  return { outcome, stop: () => stop() };
}

describe('GraphQL subscription limits', () => {
  let app: FastifyInstance;
  let sql: SqlClient;
  let url: string;
  const bus = createMemoryLiveBus();
  const clients: Client[] = [];
  const now = 1_700_000_000_250;

  beforeAll(async () => {
    sql = await createPgliteClient();
    app = Fastify();
    await app.register(graphqlPlugin({
      sql, keyValue: createMemoryKeyValueStore(), bus, verifyToken: createTokenVerifier(JWT), graphiql: false,
      rateLimitPerSecond: 5, clock: () => now, limits: { maxSubscriptionsPerConnection: 2 },
    }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await app.close();
    await bus.close();
    await sql.close();
  });

  const connect = async (userId: string): Promise<Client> => {
    const token = await mintToken({ role: 'analyst', userId }, JWT);
    const client = createClient({ url, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
    clients.push(client);
    return client;
  };

  it('holds at most the limit of subscriptions per connection, and a stopped one frees its slot', async () => {
    const client = await connect('dash-1');
    const first = start(client);
    const second = start(client);
    expect(await first.outcome).toBe('open');
    expect(await second.outcome).toBe('open');
    expect(await start(client).outcome).toEqual(['GRAPHQL.TOO_MANY_SUBSCRIPTIONS']);
    first.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await start(client).outcome).toBe('open');
    // another connection of the same user has slots of its own
    expect(await start(await connect('dash-1')).outcome).toBe('open');
  });

  it('counts subscription starts against the user\'s GraphQL rate budget, shared with HTTP requests', async () => {
    const token = await mintToken({ role: 'analyst', userId: 'dash-2' }, JWT);
    for (let i = 0; i < 4; i += 1) {
      const answer = await app.inject({ method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: { query: '{ __typename }' } });
      expect(answer.statusCode).toBe(200);
    }
    const client = await connect('dash-2');
    expect(await start(client).outcome).toBe('open'); // the fifth of five in this second
    expect(await start(client).outcome).toEqual(['RATE_LIMITED']);
  });
});

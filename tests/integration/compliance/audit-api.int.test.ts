// The audit API on the embedded backends (PGlite event store and read models): a trail too large for one
// GraphQL answer is refused with the download's address, and that download streams every line; a reader
// given the desk's signing key hands out signed trails that verify with the public key; a question the audit
// log cannot record is not answered.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditReader, generateTrailKeys, publicKey, signingKey, verifyTrail } from '../../../commands/compliance/index.ts';
import { AUDIT_LOG_STREAM } from '../../../domain/compliance/index.ts';
import { createTokenVerifier, mintToken, type JwtSettings } from '../../../infra/auth/index.ts';
import { createMemoryLiveBus } from '../../../infra/bus/index.ts';
import { createMemoryKeyValueStore } from '../../../infra/cache/memory.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { errorHandler } from '../../../infra/http/errors.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import { graphqlPlugin } from '../../../read-api/index.ts';
import { MAX_GRAPHQL_TRAIL_EVENTS } from '../../../read-api/audit/resolvers.ts';
import { refuseInserts } from '../../support/refused-inserts.ts';

const JWT: JwtSettings = { algorithm: 'HS256', secret: 'audit-api-test-secret-long-enough-0123456789', jwksUrl: undefined, publicKey: undefined, issuer: 'nicegold-ledger' };
const BULK = 'bulk-probe';

describe('the audit API on PGlite', () => {
  let app: FastifyInstance;
  let sql: SqlClient;
  let store: PostgresEventStore;
  let bearer: string;
  const bus = createMemoryLiveBus();
  const keys = generateTrailKeys();

  beforeAll(async () => {
    sql = await createPgliteClient();
    store = await PostgresEventStore.create(sql);
    for (let at = 0; at <= MAX_GRAPHQL_TRAIL_EVENTS; at += 1_000) {
      const batch = Array.from({ length: Math.min(1_000, MAX_GRAPHQL_TRAIL_EVENTS + 1 - at) }, (_, i) => ({ eventId: randomUUID(), type: 'ProbeRecorded', data: { n: at + i } }));
      await store.append(BULK, batch, 'any');
    }
    app = Fastify();
    app.setErrorHandler(errorHandler);
    await app.register(graphqlPlugin({
      sql, keyValue: createMemoryKeyValueStore(), bus, verifyToken: createTokenVerifier(JWT), graphiql: false,
      audit: createAuditReader({ eventStore: store, signer: signingKey(keys.privatePem) }),
    }));
    await app.ready();
    bearer = await mintToken({ role: 'compliance', userId: 'officer-1' }, JWT);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await bus.close();
    await store?.close();
    await sql?.close();
  });

  const asked = async () => (await store.readStream(AUDIT_LOG_STREAM)).length;

  it('refuses a trail of more than 10,000 events over GraphQL, naming the download; the download streams all of it, signed', async () => {
    const before = await asked();
    const answer = await app.inject({
      method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      payload: { query: `{ auditTrail(streamId: "${BULK}") { events } }` },
    });
    const error = answer.json<{ errors: Array<{ message: string; extensions: { code: string; details: { download: string } } }> }>().errors[0]!;
    expect(error.extensions.code).toBe('AUDIT.TRAIL_TOO_LARGE');
    expect(error.extensions.details.download).toBe(`/audit/trail?stream=${BULK}`);
    expect(error.message).toContain(`GET /audit/trail?stream=${BULK}`);

    const download = await app.inject({ method: 'GET', url: error.extensions.details.download, headers: { authorization: `Bearer ${bearer}` } });
    expect(download.statusCode).toBe(200);
    const lines = download.body.trimEnd().split('\n');
    expect(lines).toHaveLength(MAX_GRAPHQL_TRAIL_EVENTS + 1 + 2);
    const verified = await verifyTrail(lines, { against: store, keys: [publicKey(keys.publicPem)] });
    expect(verified).toMatchObject({ ok: true, events: MAX_GRAPHQL_TRAIL_EVENTS + 1, signature: { state: 'valid', keyId: keys.keyId } });
    expect(await asked()).toBe(before + 2); // the refused GraphQL question was asked too, and recorded
  }, 120_000);

  it('answers nothing but AUDIT.NOT_RECORDED when the question cannot be recorded in the audit log', async () => {
    // The database refuses the audit log's appends (as a full disk or a revoked grant would); everything else still works.
    await store.append('acct-A-probe', [{ eventId: randomUUID(), type: 'ProbeRecorded', data: { n: 1 } }], 'any');
    const allow = await refuseInserts(sql, { schema: 'es', when: `new.stream_id = '${AUDIT_LOG_STREAM}'`, message: 'the audit log is refusing writes' });
    try {
      const before = await asked();
      const ask = async (query: string) => (await app.inject({
        method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, payload: { query },
      })).json<{ data: unknown; errors?: Array<{ message: string; extensions: { code: string } }> }>();
      for (const query of [
        `{ auditTrail(streamId: "acct-A-probe") { events lines } }`,
        `{ accountAsOf(accountId: "A", at: "2026-12-07T00:00:00Z") { asOf { at } } }`,
        `{ explainOrder(orderId: "O-1", accountId: "A") { orderId } }`,
      ]) {
        const answer = await ask(query);
        expect(answer.data, query).toBeNull(); // not one line of the trail or the account
        expect(answer.errors?.map((e) => e.extensions.code), query).toEqual(['AUDIT.NOT_RECORDED']);
        expect(answer.errors![0]!.message).toMatch(/could not be recorded .* retry/);
      }
      const download = await app.inject({ method: 'GET', url: '/audit/trail?stream=acct-A-probe', headers: { authorization: `Bearer ${bearer}` } });
      expect([download.statusCode, download.json<{ code: string }>().code]).toEqual([503, 'AUDIT.NOT_RECORDED']);
      expect(download.body).not.toContain('ProbeRecorded');
      expect(await asked()).toBe(before);
    } finally {
      await allow();
    }
    // Once the log takes writes again, the same question is answered and recorded.
    const answer = await app.inject({
      method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      payload: { query: `{ auditTrail(streamId: "acct-A-probe") { events } }` },
    });
    expect(answer.json()).toEqual({ data: { auditTrail: { events: 1 } } });
  });

  it('answers AUDIT.UNAVAILABLE, recording nothing, on a server built without the audit reader', async () => {
    const bare = Fastify();
    bare.setErrorHandler(errorHandler);
    await bare.register(graphqlPlugin({ sql, keyValue: createMemoryKeyValueStore(), bus, verifyToken: createTokenVerifier(JWT), graphiql: false }));
    try {
      const before = await asked();
      const graphql = await bare.inject({
        method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        payload: { query: `{ auditTrail(streamId: "${BULK}") { events } }` },
      });
      expect(graphql.json()).toMatchObject({ errors: [{ extensions: { code: 'AUDIT.UNAVAILABLE' } }] });
      const download = await bare.inject({ method: 'GET', url: `/audit/trail?stream=${BULK}`, headers: { authorization: `Bearer ${bearer}` } });
      expect([download.statusCode, download.json<{ code: string }>().code]).toEqual([503, 'AUDIT.UNAVAILABLE']);
      expect(await asked()).toBe(before);
    } finally {
      await bare.close();
    }
  });
});

// The GraphQL endpoint as one encapsulated fastify plugin: /graphql (queries over HTTP, subscriptions
// over graphql-ws on the same path) and, when enabled, GraphiQL at /graphiql (our own page and assets,
// never mercurius's, which loads React and GraphiQL from a CDN), and the audit trail download, GET /audit/trail.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { DocumentNode } from 'graphql';
import { GraphQLError, validate } from './graphql-js.ts';
import mercurius from 'mercurius';
import type { AuditReader } from '../domain/ports/audit-reader.ts';
import type { KeyValueStore } from '../domain/ports/key-value.ts';
import { LedgerError } from '../domain/shared/errors.ts';
import { RATE_LIMITED, bearerToken, overLimit, retryAfterSeconds, type Principal, type TokenVerifier } from '../infra/auth/index.ts';
import { LIVE_TOPICS, type LiveBus, type LiveEvent } from '../infra/bus/index.ts';
import type { Metrics } from '../infra/metrics/metrics.ts';
import { AccountReads } from './accounts.ts';
import { trailDownload } from './audit/download.ts';
import { HotCache } from './cache.ts';
import type { ReadServices } from './context.ts';
import { DeskReads } from './desk.ts';
import { errorFormatter, extensionsOf } from './errors.ts';
import { graphiqlPage } from './graphiql/page.ts';
import { Instruments } from './format.ts';
import { DEFAULT_LIMITS, queryLimitsRule, type QueryLimits } from './limits.ts';
import { LiveViews, quoteOf } from './live.ts';
import { MarketReads } from './market.ts';
import { RefusedFillReads } from './refused-fills.ts';
import { resolvers, loaders } from './resolvers.ts';
import { typeDefs } from './schema.ts';
import type { ReadSql } from './sql.ts';
import { ProjectionWatch } from './watch.ts';
import { SignalReads } from './signals.ts';

export interface GraphqlOptions {
  readonly sql: ReadSql;
  readonly keyValue: KeyValueStore;
  readonly bus: LiveBus;
  readonly verifyToken: TokenVerifier;
  readonly metrics?: Metrics;
  /** GraphiQL at /graphiql and introspection. */
  readonly graphiql: boolean;
  readonly limits?: Partial<QueryLimits>;
  /** Schema of the read models; `read` unless a test says otherwise. */
  readonly schema?: string;
  /**
   * GraphQL requests over HTTP one user may make per second (a budget apart from the command API's);
   * beyond it 429 with extensions.code RATE_LIMITED. No limit when absent.
   */
  readonly rateLimitPerSecond?: number;
  readonly clock?: () => number;
  /** The audit port: accountAsOf, explainOrder, auditTrail and GET /audit/trail read the event store through it. */
  readonly audit?: AuditReader;
}

const MAX_OPERATION_LABELS = 200;
const OPERATION_NAME = /^\s*(?:query|mutation|subscription)\s+([A-Za-z_]\w{0,63})/;

export function readServices(options: GraphqlOptions): ReadServices {
  const instruments = new Instruments();
  const market = new MarketReads(options.sql, instruments, options.schema);
  const accounts = new AccountReads(options.sql, instruments, options.schema);
  const desk = new DeskReads(options.sql, options.schema);
  const watch = new ProjectionWatch(desk);
  const limits: QueryLimits = { ...DEFAULT_LIMITS, introspection: options.graphiql, ...options.limits };
  return {
    instruments, market, accounts, desk, limits,
    ...(options.audit ? { audit: options.audit } : {}),
    signals: new SignalReads(options.sql, options.schema),
    refusedFills: new RefusedFillReads(options.sql, instruments, options.schema),
    hot: new HotCache(options.keyValue, market, accounts, desk),
    live: new LiveViews({ bus: options.bus, instruments, market, accounts, desk, watch }),
  };
}

/** Keeps the hot cache in step with the live bus; returns a stop function. */
function followBusIntoCache(bus: LiveBus, read: ReadServices, log: FastifyRequest['log']): () => void {
  const quotes = bus.subscribe<LiveEvent>(LIVE_TOPICS.allQuotes);
  const accounts = bus.subscribe<LiveEvent>(LIVE_TOPICS.allAccounts);
  const run = async (sub: AsyncIterable<{ payload: LiveEvent }>, apply: (e: LiveEvent) => Promise<void> | undefined) => {
    for await (const { payload } of sub) await apply(payload)?.catch((error: unknown) => log.warn({ err: error }, 'hot cache update failed'));
  };
  void run(quotes, (e) => { const q = quoteOf(read.instruments, e); return q ? read.hot.quoteChanged(q) : undefined; });
  void run(accounts, (e) => (e.type === 'OrderFilled' ? read.hot.positionsChanged(e.streamId.slice('account-'.length), e.position) : undefined));
  return () => { quotes.close(); accounts.close(); };
}

function operationLabeller(): (request: FastifyRequest) => string {
  const seen = new Set<string>();
  return (request) => {
    const body = (request.body ?? request.query) as { operationName?: unknown; query?: unknown } | undefined;
    const name = body?.operationName ?? (typeof body?.query === 'string' ? OPERATION_NAME.exec(body.query)?.[1] : undefined);
    if (typeof name !== 'string' || !/^[A-Za-z_]\w{0,63}$/.test(name)) return 'anonymous';
    if (seen.has(name)) return name;
    if (seen.size >= MAX_OPERATION_LABELS) return 'other'; // clients choose names: keep the label set bounded
    seen.add(name);
    return name;
  };
}

function refuseUnauthenticated(reply: FastifyReply, error: unknown): FastifyReply {
  const ledger = error instanceof LedgerError ? error : undefined;
  const status = ledger?.category === 'unavailable' ? 503 : 401;
  return reply.status(status).send({ data: null, errors: [{ message: ledger?.message ?? 'token is not valid', extensions: { code: ledger?.code ?? 'AUTH.INVALID_TOKEN' } }] });
}

export function graphqlPlugin(options: GraphqlOptions): FastifyPluginAsync {
  return async (app) => {
    const read = readServices(options);
    const rules = [queryLimitsRule(read.limits)];
    const stopCache = followBusIntoCache(options.bus, read, app.log);
    app.addHook('onClose', async () => stopCache());

    // One GraphQL rate budget per user, for requests over HTTP and subscription starts alike: the refusal
    // (message and extensions) when `userId` is over it, else undefined.
    const overBudget = async (userId: string): Promise<{ message: string; extensions: ReturnType<typeof extensionsOf>; retryAfterMs: number } | undefined> => {
      const limit = options.rateLimitPerSecond;
      if (limit === undefined) return undefined;
      const retryAfterMs = await overLimit({ keyValue: options.keyValue, rateLimitPerSecond: limit }, userId, (options.clock ?? Date.now)(), 'gql:');
      if (retryAfterMs === undefined) return undefined;
      return { message: `more than ${limit} GraphQL requests in one second for user ${userId}`, extensions: extensionsOf(RATE_LIMITED, { limitPerSecond: limit, retryAfterMs }), retryAfterMs };
    };

    if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', undefined);
    app.addHook('onRequest', async (request, reply) => {
      if (request.url !== '/graphql' && !request.url.startsWith('/graphql?')) return undefined;
      if (request.headers.upgrade?.toLowerCase() === 'websocket') return undefined; // authenticated by connection_init
      try {
        request.principal = await options.verifyToken(bearerToken(request.headers.authorization));
      } catch (error) {
        return refuseUnauthenticated(reply, error);
      }
      let refusal: Awaited<ReturnType<typeof overBudget>>;
      try {
        refusal = await overBudget(request.principal.userId);
      } catch (error) {
        return refuseUnauthenticated(reply, error);
      }
      if (refusal === undefined) return undefined;
      return reply.status(429).header('retry-after', retryAfterSeconds(refusal.retryAfterMs)).send({
        data: null, errors: [{ message: refusal.message, extensions: refusal.extensions }],
      });
    });
    const labelOf = operationLabeller();
    app.addHook('onResponse', async (request, reply) => {
      if (request.routeOptions.url === '/graphql' && options.metrics) options.metrics.graphqlLatency.observe({ operation: labelOf(request) }, reply.elapsedTime / 1_000);
    });

    await app.register(mercurius, {
      schema: typeDefs,
      resolvers,
      loaders,
      graphiql: false,
      jit: 1,
      validationRules: rules,
      errorFormatter,
      graphql: { parseOptions: { maxTokens: 50_000 } },
      additionalRouteOptions: { bodyLimit: 256 * 1024 },
      context: (request) => ({ principal: request.principal, read }),
      subscription: {
        context: () => ({ read }),
        onConnect: async ({ payload }: { payload: unknown }) => ({ principal: await principalFromInit(options.verifyToken, payload), openSubscriptions: new Set<string>() }),
        keepAlive: 15_000,
      },
    });
    if (options.graphiql) await app.register(graphiqlPage);
    await app.register(trailDownload({ reader: options.audit, verifyToken: options.verifyToken, keyValue: options.keyValue, rateLimitPerSecond: options.rateLimitPerSecond, clock: options.clock }));
    // Subscriptions skip mercurius's validationRules: the same limits apply before one starts, and each
    // start counts against the user's GraphQL rate budget like a request over HTTP.
    app.graphql.addHook('preSubscriptionExecution', async (schema, document: DocumentNode, context) => {
      const errors = validate(schema, document, rules);
      if (errors.length > 0) throw errors[0]!;
      const refusal = context.principal === undefined ? undefined : await overBudget(context.principal.userId);
      if (refusal !== undefined) throw new GraphQLError(refusal.message, { extensions: refusal.extensions });
    });
  };
}

async function principalFromInit(verify: TokenVerifier, payload: unknown): Promise<Principal> {
  const p = (payload ?? {}) as { authorization?: unknown; Authorization?: unknown; token?: unknown };
  const header = typeof p.authorization === 'string' ? p.authorization : typeof p.Authorization === 'string' ? p.Authorization : typeof p.token === 'string' ? `Bearer ${p.token}` : undefined;
  return verify(bearerToken(header));
}

// buildApp(deps) assembles the HTTP surface from plugins; server start-up lives in infra/runtime.
// Tests build the same app and use app.inject().
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Logger } from '../logging/logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { errorHandler } from './errors.ts';
import { securePages } from './page-security.ts';

export interface ReadinessCheck {
  readonly name: string;
  /** Resolves with a short status; throws (or rejects) when the dependency is not ready. */
  check(): Promise<string>;
}

export interface AppDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly readiness: readonly ReadinessCheck[];
  /** Feature plugins (command API, GraphQL, ingestion), each encapsulated. */
  readonly plugins?: ReadonlyArray<FastifyPluginAsync>;
  readonly bodyLimit?: number;
}

const READINESS_TIMEOUT_MS = 2_000;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    // request.log lines carry the request's correlation id, under that name.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'correlationId' }),
    bodyLimit: deps.bodyLimit ?? 1_048_576,
    // Registering the command API compiles every route's schema: on a loaded machine that took more than
    // fastify's default 10 s and the process exited at start ("Plugin did not start in time"). A hung plugin still fails.
    pluginTimeout: 120_000,
    genReqId: (request) => {
      const header = request.headers['x-correlation-id'];
      return typeof header === 'string' && /^[\w.:-]{1,100}$/.test(header) ? header : randomUUID();
    },
  });
  app.setErrorHandler(errorHandler);
  securePages(app);
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: 'ROUTE.NOT_FOUND', message: `no route ${request.method} ${request.url}`, details: {} });
  });
  // Everything a request does carries its correlation id: handlers pass request.id into the command
  // context (event metadata), request.log names it, and the answer sends it back. It is passed, not kept
  // in an AsyncLocalStorage: on Node 20 that installs promise hooks that every promise of the process
  // pays for (~6% of a PlaceOrder request's CPU).
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-correlation-id', request.id);
    done();
  });

  // Latency and status of every request, by route pattern (bounded: never the raw URL): the error-rate alert's source.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpLatency.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1_000);
    done();
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(deps.readiness.map(async (r) => {
      try {
        const status = await withTimeout(r.check(), READINESS_TIMEOUT_MS);
        return { name: r.name, ready: true, status };
      } catch (error) {
        return { name: r.name, ready: false, status: (error as Error).message };
      }
    }));
    const ready = results.every((r) => r.ready);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: results });
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  for (const plugin of deps.plugins ?? []) await app.register(plugin);
  return app;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); }, (error: unknown) => { clearTimeout(timer); reject(error instanceof Error ? error : new Error(String(error))); });
  });
}

// GET /audit/trail?account=A1 (or stream=<id>) [&from=…&to=…]: the trail as a file, exactly the JSON Lines
// `nicegold audit export` writes, streamed a line at a time (any size, constant memory). compliance and
// admin only, with a bearer token; the question is recorded before the first line leaves. A failure once
// lines have left cuts the file short, and a trail cut short fails `nicegold audit verify` (no end line).
import { PassThrough } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { AuditReader } from '../../domain/ports/audit-reader.ts';
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import { RATE_LIMITED, bearerToken, overLimit, retryAfterSeconds, type TokenVerifier } from '../../infra/auth/index.ts';
import { auditorAsking, trailRange } from './questions.ts';

export interface TrailDownloadOptions {
  readonly reader: AuditReader | undefined;
  readonly verifyToken: TokenVerifier;
  readonly keyValue: KeyValueStore;
  /** Downloads one user may start per second; no limit when absent. */
  readonly rateLimitPerSecond?: number;
  readonly clock?: () => number;
}

const QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { account: { type: 'string', maxLength: 100 }, stream: { type: 'string', maxLength: 200 }, from: { type: 'string', maxLength: 40 }, to: { type: 'string', maxLength: 40 } },
} as const;

/** Waits until the stream takes more, or fails when the client has gone (it would never drain). */
function drained(body: PassThrough): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => { body.off('drain', onDrain); body.off('close', onClose); if (error) reject(error); else resolve(); };
    const onDrain = () => done();
    const onClose = () => done(new Error('the client closed the download'));
    body.on('drain', onDrain);
    body.on('close', onClose);
  });
}

export function trailDownload(options: TrailDownloadOptions): FastifyPluginAsync {
  return async (app) => {
    app.get('/audit/trail', { schema: { querystring: QUERY } }, async (request, reply) => {
      const principal = await options.verifyToken(bearerToken(request.headers.authorization));
      if (options.rateLimitPerSecond !== undefined) {
        const retryAfterMs = await overLimit({ keyValue: options.keyValue, rateLimitPerSecond: options.rateLimitPerSecond }, principal.userId, (options.clock ?? Date.now)(), 'audit:');
        if (retryAfterMs !== undefined) {
          return reply.status(429).header('retry-after', retryAfterSeconds(retryAfterMs)).send({ code: RATE_LIMITED, message: `more than ${options.rateLimitPerSecond} downloads in one second for user ${principal.userId}`, details: {} });
        }
      }
      const { reader, asker } = auditorAsking(principal, 'download audit trails', options.reader, 'http', request.id);
      const q = request.query as { account?: string; stream?: string; from?: string; to?: string };
      const range = trailRange({ accountId: q.account, streamId: q.stream, from: q.from, to: q.to });

      const body = new PassThrough();
      // A failure is logged below and cuts the file short; the stream's 'error' must not also go unheard (an
      // unheard 'error' event ends the process), as it would when it came before the reply took the stream.
      body.on('error', () => undefined);
      let begun = false;
      let firstLine!: () => void;
      const started = new Promise<void>((resolve) => { firstLine = resolve; });
      const exported = reader.exportTrail(asker, range, async (line) => {
        if (body.destroyed) throw new Error('the client closed the download');
        begun = true;
        firstLine();
        if (!body.write(`${line}\n`)) await drained(body);
      });
      exported.then(() => body.end(), (error: unknown) => {
        if (!begun) return; // nothing sent: the request answers the error itself (below)
        request.log.warn({ err: error, streamId: range.streamId }, 'audit trail download cut short');
        body.destroy(error instanceof Error ? error : new Error(String(error)));
      });
      // Until the header line exists nothing has been sent: a failure here (not recorded, store down) is an error answer.
      await Promise.race([started, exported]);
      const file = `${range.streamId.replace(/[^\w.-]/g, '_')}.trail.jsonl`;
      return reply
        .header('content-type', 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="${file}"`)
        .header('cache-control', 'no-store')
        .send(body);
    });
  };
}

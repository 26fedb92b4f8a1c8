// POST /v1/ticks: a batch of ticks over HTTP, through the same ingester as NATS and the importers.
// A body that is not a well-formed batch is refused whole (400 {code, message, details}) and nothing is
// written; a well-formed batch is answered tick by tick: accepted, rejected (with the reason) or
// duplicate (recorded before: a retried request writes nothing twice).
import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, RouteShorthandOptions } from 'fastify';
import { ValidationError } from '../../domain/shared/errors.ts';
import { readTimestamp } from './read-tick.ts';
import type { TickIngester, TickOutcome } from './tick-ingester.ts';

export const MAX_TICKS_PER_REQUEST = 5_000;
const DECIMAL = '^[0-9]{1,12}(\\.[0-9]{1,12})?$';
const DIGITS = '^[0-9]{1,19}$';

export const TickBody = Type.Object({
  symbol: Type.String({ minLength: 1, maxLength: 32, description: 'listed instrument, e.g. XAUUSD' }),
  source: Type.String({ minLength: 1, maxLength: 64, description: 'who quoted it; sequences count per symbol and source' }),
  sequence: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: DIGITS })], { description: 'strictly increasing per source' }),
  bid: Type.String({ pattern: DECIMAL, description: 'decimal text, e.g. "2345.67"' }),
  ask: Type.String({ pattern: DECIMAL }),
  ts: Type.Union([Type.String({ format: 'date-time' }), Type.Integer({ minimum: 0 })], { description: 'ISO 8601 or epoch milliseconds' }),
  volume: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: DIGITS })])),
}, { additionalProperties: false });

export const TicksBody = Type.Object({
  ticks: Type.Array(TickBody, { minItems: 1, maxItems: MAX_TICKS_PER_REQUEST }),
}, { additionalProperties: false });
export type TicksBody = Static<typeof TicksBody>;

const TickResult = Type.Object({
  index: Type.Integer(),
  status: Type.Union([Type.Literal('accepted'), Type.Literal('rejected'), Type.Literal('duplicate')]),
  reason: Type.Optional(Type.String()),
  detail: Type.Optional(Type.String()),
});
const TicksAnswer = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  duplicate: Type.Integer(),
  results: Type.Array(TickResult),
});
type TicksAnswer = Static<typeof TicksAnswer>;

export interface TicksRouteOptions {
  readonly ingester: TickIngester;
  /**
   * Runs before the handler: the command API adds authentication and the `service` / `admin` role
   * check here. Without it the route is open (embedded demo).
   */
  readonly preHandler?: RouteShorthandOptions['preHandler'];
}

/** What the schema cannot say: every timestamp must be a real instant. Refuses the whole batch. */
function assertReadable(body: TicksBody): void {
  body.ticks.forEach((tick, index) => {
    if (readTimestamp(tick.ts) === undefined) {
      throw new ValidationError('TICKS.TIMESTAMP_INVALID', `ticks[${index}].ts is not a valid instant`, { index, field: 'ts' });
    }
  });
}

const answer = (outcomes: readonly TickOutcome[]): TicksAnswer => {
  const count = (status: TickOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  return {
    accepted: count('accepted'),
    rejected: count('rejected'),
    duplicate: count('duplicate'),
    results: outcomes.map((o, index) => ({ index, status: o.status, ...(o.reason ? { reason: o.reason, detail: o.detail } : {}) })),
  };
};

export function ticksRoutes(options: TicksRouteOptions): FastifyPluginAsync {
  return async (app) => {
    app.withTypeProvider<TypeBoxTypeProvider>().post('/v1/ticks', {
      bodyLimit: 4 * 1_048_576,
      ...(options.preHandler ? { preHandler: options.preHandler } : {}),
      schema: {
        tags: ['market data'],
        summary: 'Ingest a batch of ticks',
        description: `Up to ${MAX_TICKS_PER_REQUEST} ticks, validated like every other tick and recorded in ticks-{symbol}-{yyyymmdd}.`,
        body: TicksBody,
        response: { 200: TicksAnswer },
      },
    }, async (request) => {
      assertReadable(request.body);
      const outcomes = await options.ingester.ingest(request.body.ticks.map((tick) => ({
        symbol: tick.symbol, source: tick.source, sequence: tick.sequence, bid: tick.bid, ask: tick.ask, timestamp: tick.ts, volume: tick.volume,
      })));
      return answer(outcomes);
    });
  };
}

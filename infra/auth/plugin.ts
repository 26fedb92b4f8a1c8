// Fastify side of auth: every request in the scope this plugin is registered into must carry a valid
// bearer token, gets `request.principal`, and counts against its user's per-second rate limit.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import { LedgerError } from '../../domain/shared/errors.ts';
import { AUTH_CODES, Unauthenticated, type Principal } from './principal.ts';
import type { TokenVerifier } from './tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth plugin before any handler in its scope runs; absent outside that scope. */
    principal?: Principal;
  }
}

export interface AuthOptions {
  readonly verifyToken: TokenVerifier;
  /** Counters live here (Redis in production), so the limit holds across API instances. */
  readonly keyValue: KeyValueStore;
  /** Requests one user may make in any one-second window. */
  readonly rateLimitPerSecond: number;
  readonly clock?: () => number;
}

export const RATE_LIMITED = 'RATE_LIMITED';

const BEARER = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i;

export function bearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === '') throw new Unauthenticated(AUTH_CODES.missingToken, 'send Authorization: Bearer <token>');
  const match = BEARER.exec(header);
  if (!match?.[1]) throw new Unauthenticated(AUTH_CODES.invalidToken, 'Authorization must be a Bearer token');
  return match[1];
}

/** The principal of a request in an authenticated scope. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Unauthenticated(AUTH_CODES.missingToken, 'this route needs a bearer token');
  return request.principal;
}

const authenticate: FastifyPluginAsync<AuthOptions> = async (app, options) => {
  const clock = options.clock ?? Date.now;
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const principal = await options.verifyToken(bearerToken(request.headers.authorization));
    request.principal = principal;
    const retryAfterMs = await overLimit(options, principal.userId, clock());
    if (retryAfterMs !== undefined) return tooManyRequests(reply, principal, options.rateLimitPerSecond, retryAfterMs);
    return undefined;
  });
};

/**
 * Fixed one-second windows: one INCR per request, and the key expires by itself. Returns how long until
 * the next window when the user is over the limit. `scope` keeps separate budgets (commands, GraphQL).
 */
export async function overLimit(options: Pick<AuthOptions, 'keyValue' | 'rateLimitPerSecond'>, userId: string, nowMs: number, scope = ''): Promise<number | undefined> {
  const window = Math.floor(nowMs / 1_000);
  let count: number;
  try {
    count = await options.keyValue.increment(`ratelimit:${scope}${userId}:${window}`, 2_000);
  } catch (error) {
    // Failing open would let one user flood the desk while Redis is down; refuse and let clients retry.
    throw new LedgerError('RATE_LIMIT.UNAVAILABLE', 'unavailable', 'the rate limiter cannot be reached; retry later', {}, { cause: error });
  }
  return count > options.rateLimitPerSecond ? (window + 1) * 1_000 - nowMs : undefined;
}

/** The Retry-After header value (whole seconds, at least 1) for a wait in milliseconds. */
export const retryAfterSeconds = (retryAfterMs: number): string => String(Math.max(1, Math.ceil(retryAfterMs / 1_000)));

function tooManyRequests(reply: FastifyReply, principal: Principal, limit: number, retryAfterMs: number): FastifyReply {
  return reply
    .status(429)
    .header('retry-after', retryAfterSeconds(retryAfterMs))
    .send({ code: RATE_LIMITED, message: `more than ${limit} requests in one second for user ${principal.userId}`, details: { limitPerSecond: limit } });
}

/** Registered with fastify-plugin so the hook covers the scope it is registered into, and only that scope. */
export const authPlugin = fp(authenticate, { name: 'nicegold-auth', fastify: '5.x' });

// Auth: JWT verification into a Principal, role and account checks, the fastify plugin, development tokens.
export {
  AUTH_CODES,
  Forbidden,
  PRINCIPAL_ROLES,
  Unauthenticated,
  isPrincipalRole,
  requireAccount,
  requireRole,
  type Principal,
  type PrincipalRole,
} from './principal.ts';
export { createTokenVerifier, mintToken, type JwtSettings, type MintRequest, type TokenVerifier, type VerifierOptions } from './tokens.ts';
export { RATE_LIMITED, authPlugin, bearerToken, overLimit, principalOf, retryAfterSeconds, type AuthOptions } from './plugin.ts';

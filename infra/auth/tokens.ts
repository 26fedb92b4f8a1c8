// JWT bearer tokens: HS256 with a shared secret in development, RS256 against a JWKS endpoint or a PEM
// public key in production. Verification turns a token into a Principal or a LedgerError; nothing else
// in the ledger looks at a token.
import { SignJWT, createRemoteJWKSet, errors, importSPKI, jwtVerify, type JWTPayload } from 'jose';
import { LedgerError, ValidationError } from '../../domain/shared/errors.ts';
import type { Config } from '../config/config.ts';
import { AUTH_CODES, PRINCIPAL_ROLES, Unauthenticated, isPrincipalRole, type Principal, type PrincipalRole } from './principal.ts';

export type JwtSettings = Config['jwt'];
export type TokenVerifier = (token: string) => Promise<Principal>;

const MAX_ACCOUNTS_PER_TOKEN = 1_000;
const MAX_ID_LENGTH = 200;

type VerifyKey = Parameters<typeof jwtVerify>[1];

export interface VerifierOptions {
  /** Verified tokens remembered until they expire, so a busy client does not pay a signature check per request. */
  readonly cacheSize?: number;
  readonly clock?: () => number;
}

export function createTokenVerifier(settings: JwtSettings, options: VerifierOptions = {}): TokenVerifier {
  const key = verificationKey(settings);
  const remote = settings.algorithm === 'RS256' && settings.jwksUrl !== undefined && settings.publicKey === undefined;
  const clock = options.clock ?? Date.now;
  const cacheSize = options.cacheSize ?? 10_000;
  const verified = new Map<string, { principal: Principal; expiresAtMs: number }>();
  return async (token) => {
    const known = verified.get(token);
    if (known && known.expiresAtMs > clock()) return known.principal;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await key(), {
        issuer: settings.issuer, algorithms: [settings.algorithm], requiredClaims: ['exp'], currentDate: new Date(clock()),
      }));
    } catch (error) {
      throw translateJoseError(error, remote);
    }
    const principal = principalFrom(payload);
    if (verified.size >= cacheSize) verified.clear(); // crude but bounded; a refill costs one verification per token
    verified.set(token, { principal, expiresAtMs: payload.exp! * 1_000 });
    return principal;
  };
}

function verificationKey(settings: JwtSettings): () => Promise<VerifyKey> | VerifyKey {
  if (settings.algorithm === 'HS256') {
    if (!settings.secret) throw new ValidationError('AUTH.NOT_CONFIGURED', 'HS256 needs JWT_SECRET');
    const secret = new TextEncoder().encode(settings.secret);
    return () => secret;
  }
  if (settings.publicKey) {
    const pem = settings.publicKey.replace(/\\n/g, '\n'); // a PEM in an env variable often arrives with escaped newlines
    let imported: Promise<VerifyKey> | undefined;
    return () => (imported ??= importSPKI(pem, 'RS256'));
  }
  if (!settings.jwksUrl) throw new ValidationError('AUTH.NOT_CONFIGURED', 'RS256 needs JWT_JWKS_URL or JWT_PUBLIC_KEY');
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl));
  return () => jwks;
}

function translateJoseError(error: unknown, remoteKeys: boolean): LedgerError {
  if (error instanceof errors.JWTExpired) return new Unauthenticated(AUTH_CODES.expired, 'token expired', { cause: error });
  const keysDown = error instanceof errors.JWKSTimeout || (remoteKeys && !(error instanceof errors.JOSEError));
  if (keysDown) return new LedgerError(AUTH_CODES.keysUnavailable, 'unavailable', 'cannot fetch the token signing keys; retry later', {}, { cause: error });
  return new Unauthenticated(AUTH_CODES.invalidToken, 'token is not valid', { cause: error });
}

function principalFrom(payload: JWTPayload): Principal {
  const { sub, role, accounts } = payload as JWTPayload & { role?: unknown; accounts?: unknown };
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_ID_LENGTH) throw invalidClaim('sub', 'a user id');
  if (!isPrincipalRole(role)) throw invalidClaim('role', `one of ${PRINCIPAL_ROLES.join(', ')}`);
  const named = accounts ?? [];
  const wellFormed = Array.isArray(named) && named.length <= MAX_ACCOUNTS_PER_TOKEN &&
    named.every((a) => typeof a === 'string' && a.length > 0 && a.length <= MAX_ID_LENGTH);
  if (!wellFormed) throw invalidClaim('accounts', 'a list of account ids');
  if (role === 'trader' && named.length === 0) throw invalidClaim('accounts', 'at least one account for a trader');
  return Object.freeze({ userId: sub, role, accounts: Object.freeze([...(named as string[])]) });
}

const invalidClaim = (claim: string, expected: string) =>
  new Unauthenticated(AUTH_CODES.invalidToken, `token claim ${claim} must be ${expected}`);

export interface MintRequest {
  readonly role: PrincipalRole;
  readonly userId: string;
  readonly accounts?: readonly string[];
  /** A jose time span: '15m', '8h', '2d'. */
  readonly ttl?: string;
}

const TTL = /^\d+\s?(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks)$/;

/** Signs a development token with the HS256 secret; production tokens come from the identity provider. */
export async function mintToken(request: MintRequest, settings: Pick<JwtSettings, 'secret' | 'issuer'>): Promise<string> {
  if (!settings.secret) throw new ValidationError('AUTH.NOT_CONFIGURED', 'minting needs an HS256 secret (JWT_SECRET)');
  if (!isPrincipalRole(request.role)) throw new ValidationError('AUTH.BAD_ROLE', `role must be one of ${PRINCIPAL_ROLES.join(', ')}`);
  if (!request.userId) throw new ValidationError('AUTH.BAD_USER', 'a user id is required');
  const ttl = request.ttl ?? '8h';
  if (!TTL.test(ttl)) throw new ValidationError('AUTH.BAD_TTL', `ttl must look like 15m, 8h or 2d, got ${JSON.stringify(ttl)}`);
  const accounts = [...(request.accounts ?? [])];
  if (request.role === 'trader' && accounts.length === 0) throw new ValidationError('AUTH.NO_ACCOUNTS', 'a trader token must name at least one account');
  return new SignJWT({ role: request.role, accounts })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.userId)
    .setIssuer(settings.issuer)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(settings.secret));
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerError } from '../../../../domain/shared/errors.ts';
import {
  AUTH_CODES, createTokenVerifier, mintToken, requireAccount, requireRole, type JwtSettings, type Principal,
} from '../../../../infra/auth/index.ts';
import { accountFlags } from '../../../../infra/cli/commands/token.ts';

const hs: JwtSettings = { algorithm: 'HS256', secret: 'a-test-secret-that-is-long-enough-0123', jwksUrl: undefined, publicKey: undefined, issuer: 'nicegold-ledger' };
const encode = (s: string) => new TextEncoder().encode(s);

async function failure(promise: Promise<unknown>): Promise<LedgerError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(LedgerError);
  return error as LedgerError;
}

describe('HS256 development tokens', () => {
  const verify = createTokenVerifier(hs);

  it('a minted trader token verifies to the user, role and accounts it names', async () => {
    const token = await mintToken({ role: 'trader', userId: 'u1', accounts: ['A1', 'A2'], ttl: '1h' }, hs);
    expect(await verify(token)).toEqual({ userId: 'u1', role: 'trader', accounts: ['A1', 'A2'] });
  });

  it('a risk officer token carries no accounts', async () => {
    const token = await mintToken({ role: 'risk_officer', userId: 'ro' }, hs);
    expect(await verify(token)).toEqual({ userId: 'ro', role: 'risk_officer', accounts: [] });
  });

  it('an expired token is refused as expired', async () => {
    const token = await new SignJWT({ role: 'admin', accounts: [] }).setProtectedHeader({ alg: 'HS256' }).setSubject('a')
      .setIssuer(hs.issuer).setIssuedAt(1_000).setExpirationTime(2_000).sign(encode(hs.secret!));
    const error = await failure(verify(token));
    expect([error.code, error.category]).toEqual([AUTH_CODES.expired, 'unauthenticated']);
  });

  it.each([
    ['another secret', async () => mintToken({ role: 'admin', userId: 'a' }, { ...hs, secret: 'some-other-secret-0123456789-abcdef' })],
    ['another issuer', async () => mintToken({ role: 'admin', userId: 'a' }, { ...hs, issuer: 'someone-else' })],
    ['a role the desk does not have', async () => new SignJWT({ role: 'superuser' }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setIssuer(hs.issuer).setExpirationTime('5m').sign(encode(hs.secret!))],
    ['a trader with no accounts', async () => new SignJWT({ role: 'trader', accounts: [] }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setIssuer(hs.issuer).setExpirationTime('5m').sign(encode(hs.secret!))],
    ['accounts that are not strings', async () => new SignJWT({ role: 'trader', accounts: [1, 2] }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setIssuer(hs.issuer).setExpirationTime('5m').sign(encode(hs.secret!))],
    ['no subject', async () => new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(hs.issuer).setExpirationTime('5m').sign(encode(hs.secret!))],
    ['an unsigned token', async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(`{"sub":"a","role":"admin","iss":"${hs.issuer}"}`).toString('base64url')}.`],
    ['garbage', async () => 'not.a.token'],
  ])('a token with %s is refused as invalid', async (_what, make) => {
    const error = await failure(verify(await make()));
    expect([error.code, error.category]).toEqual([AUTH_CODES.invalidToken, 'unauthenticated']);
  });

  it('a tampered payload (a trader granting itself another account) is refused', async () => {
    const token = await mintToken({ role: 'trader', userId: 'u1', accounts: ['A1'] }, hs);
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'u1', role: 'trader', accounts: ['A1', 'B9'], iss: hs.issuer, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
    expect((await failure(verify(`${header}.${forged}.${signature}`))).code).toBe(AUTH_CODES.invalidToken);
  });

  it('a token verified once stops working when it expires, though verified tokens are remembered', async () => {
    let now = Date.now();
    const remembering = createTokenVerifier(hs, { clock: () => now });
    const token = await mintToken({ role: 'analyst', userId: 'an', ttl: '1m' }, hs);
    expect((await remembering(token)).userId).toBe('an');
    expect((await remembering(token)).userId).toBe('an');
    now += 61_000;
    expect((await failure(remembering(token))).code).toBe(AUTH_CODES.expired);
  });

  it('a token without an expiry is refused', async () => {
    const token = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setIssuer(hs.issuer).sign(encode(hs.secret!));
    expect((await failure(verify(token))).code).toBe(AUTH_CODES.invalidToken);
  });

  it('minting refuses a trader token without accounts and a malformed ttl', async () => {
    expect((await failure(mintToken({ role: 'trader', userId: 'u' }, hs))).code).toBe('AUTH.NO_ACCOUNTS');
    expect((await failure(mintToken({ role: 'admin', userId: 'u', ttl: 'forever' }, hs))).code).toBe('AUTH.BAD_TTL');
  });
});

describe('RS256 tokens', () => {
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let server: http.Server;
  let jwksUrl: string;
  const sign = (claims: Record<string, unknown>, kid = 'k1') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setSubject('svc').setIssuer(hs.issuer).setExpirationTime('5m').sign(keys.privateKey);

  beforeAll(async () => {
    keys = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = http.createServer((_req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ keys: [jwk] })); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('verifies against a PEM public key', async () => {
    const verify = createTokenVerifier({ ...hs, algorithm: 'RS256', secret: undefined, publicKey: await exportSPKI(keys.publicKey) });
    expect(await verify(await sign({ role: 'service' }))).toEqual({ userId: 'svc', role: 'service', accounts: [] });
  });

  it('verifies against a JWKS endpoint', async () => {
    const verify = createTokenVerifier({ ...hs, algorithm: 'RS256', secret: undefined, jwksUrl });
    expect((await verify(await sign({ role: 'compliance' }))).role).toBe('compliance');
  });

  it('refuses an HS256 token when RS256 is configured (no algorithm confusion)', async () => {
    const verify = createTokenVerifier({ ...hs, algorithm: 'RS256', secret: undefined, publicKey: await exportSPKI(keys.publicKey) });
    const hsToken = await mintToken({ role: 'admin', userId: 'a' }, hs);
    expect((await failure(verify(hsToken))).code).toBe(AUTH_CODES.invalidToken);
  });

  it('says the keys are unavailable (503) when the JWKS endpoint cannot be reached', async () => {
    const verify = createTokenVerifier({ ...hs, algorithm: 'RS256', secret: undefined, jwksUrl: 'http://127.0.0.1:1/jwks.json' });
    const error = await failure(verify(await sign({ role: 'service' })));
    expect([error.code, error.category]).toEqual([AUTH_CODES.keysUnavailable, 'unavailable']);
  });
});

describe('role and account checks', () => {
  const trader: Principal = { userId: 't', role: 'trader', accounts: ['A1'] };
  const officer: Principal = { userId: 'r', role: 'risk_officer', accounts: [] };

  it('a trader may act on the accounts its token names and no other', () => {
    expect(() => requireAccount(trader, 'A1')).not.toThrow();
    expect(() => requireAccount(trader, 'A2')).toThrow(expect.objectContaining({ code: AUTH_CODES.forbiddenAccount, category: 'forbidden' }));
    expect(() => requireAccount(officer, 'A2')).not.toThrow();
  });

  it('a role outside the allowed list is forbidden', () => {
    expect(() => requireRole(trader, ['risk_officer', 'admin'], 'set limits')).toThrow(expect.objectContaining({ code: AUTH_CODES.forbiddenRole }));
    expect(() => requireRole(officer, ['risk_officer', 'admin'], 'set limits')).not.toThrow();
  });
});

describe('nicegold token --account', () => {
  it('collects every --account, in both spellings and comma lists, once each', () => {
    expect(accountFlags(['--role', 'trader', '--account', 'A1', '--account=A2', '--account', 'A3,A1'])).toEqual(['A1', 'A2', 'A3']);
  });
});

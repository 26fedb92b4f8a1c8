import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateTrailKeys, publicKey, signingKey } from '../../../commands/compliance/index.ts';
import { ConfigError, loadConfig } from '../../../infra/config/config.ts';

describe('configuration', () => {
  it('runs on embedded defaults with nothing set', () => {
    const config = loadConfig({}, '/srv/ledger');
    expect(config).toMatchObject({ eventStore: 'pglite', port: 3000, logLevel: 'info', dataDir: '/srv/ledger/.data', natsUrl: undefined, redisUrl: undefined });
    expect(config.roles).toEqual(['api', 'ingest', 'signals', 'broker', 'projector']);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ EVENT_STORE: 'mongo' }, 'EVENT_STORE'],
    [{ EVENT_STORE: 'postgres' }, 'DATABASE_URL'],
    [{ EVENT_STORE: 'eventstoredb' }, 'EVENTSTORE_URL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ NATS_URL: 'not a url' }, 'NATS_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ROLES: 'api,trader' }, 'ROLES'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ JWT_ALGORITHM: 'RS256' }, 'JWT_JWKS_URL'],
    [{ EVENT_STORE: 'pglite', DATABASE_URL: 'postgres://db/x' }, 'EVENT_STORE'],
  ])('fails at start naming the variable for %o', (env, variable) => {
    const error = (() => { try { loadConfig(env); } catch (e) { return e; } return undefined; })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toMatch(new RegExp(`^${variable}: expected`));
  });

  it('accepts the production backends', () => {
    const config = loadConfig({ EVENT_STORE: 'postgres', DATABASE_URL: 'postgres://u@db:5432/ledger', NATS_URL: 'nats://nats:4222', REDIS_URL: 'redis://redis:6379', ROLES: 'api, projector' });
    expect(config).toMatchObject({ eventStore: 'postgres', databaseUrl: 'postgres://u@db:5432/ledger', roles: ['api', 'projector'] });
  });
});

describe('FILL_BAND_BPS', () => {
  it('defaults to no per-instrument band (every instrument takes the default) and reads SYMBOL:bps pairs', () => {
    expect(loadConfig({}).fillBandBps.size).toBe(0);
    expect([...loadConfig({ FILL_BAND_BPS: 'XAUUSD:100, XAGUSD:250' }).fillBandBps]).toEqual([['XAUUSD', 100n], ['XAGUSD', 250n]]);
  });

  it.each(['XAUUSD', 'XAUUSD:0', 'XAUUSD:10001', 'XAUUSD:1.5', 'xauusd:100', 'XAUUSD:-5'])('refuses %s, naming the variable and the form', (raw) => {
    expect(() => loadConfig({ FILL_BAND_BPS: raw })).toThrow(ConfigError);
    expect(() => loadConfig({ FILL_BAND_BPS: raw })).toThrow(/FILL_BAND_BPS.*SYMBOL:bps/);
  });
});

describe('MFA_SECRET_KEY', () => {
  const KEY = 'ab'.repeat(32);
  it('takes 32 bytes of hex, and otherwise derives one key from the HS256 secret, the same in every process', () => {
    expect(loadConfig({ MFA_SECRET_KEY: KEY }).mfaSecretKey.toString('hex')).toBe(KEY);
    const derived = loadConfig({ JWT_SECRET: 'a-secret-of-at-least-32-characters-0123' }).mfaSecretKey;
    expect(derived).toHaveLength(32);
    expect(loadConfig({ JWT_SECRET: 'a-secret-of-at-least-32-characters-0123' }).mfaSecretKey.equals(derived)).toBe(true);
    expect(loadConfig({ JWT_SECRET: 'another-secret-of-at-least-32-characters' }).mfaSecretKey.equals(derived)).toBe(false);
  });

  it.each([
    [{ MFA_SECRET_KEY: 'ab'.repeat(16) }],
    [{ MFA_SECRET_KEY: 'zz'.repeat(32) }],
    [{ JWT_ALGORITHM: 'RS256', JWT_PUBLIC_KEY: 'pem' }],
  ])('fails at start naming MFA_SECRET_KEY for %o', (env) => {
    expect(() => loadConfig(env)).toThrow(expect.objectContaining({ variable: 'MFA_SECRET_KEY' }));
  });
});

describe('MFA_SECRET_KEY_PREVIOUS', () => {
  const CURRENT = 'ab'.repeat(32);
  const OLD = 'cd'.repeat(32);
  const OLDER = 'EF'.repeat(32);
  const hex = (keys: readonly Buffer[]) => keys.map((k) => k.toString('hex'));

  it('is empty when unset, and reads one key or several, comma separated, in order (an empty entry is no key)', () => {
    expect(loadConfig({ MFA_SECRET_KEY: CURRENT }).mfaPreviousSecretKeys).toEqual([]);
    expect(hex(loadConfig({ MFA_SECRET_KEY: CURRENT, MFA_SECRET_KEY_PREVIOUS: OLD }).mfaPreviousSecretKeys)).toEqual([OLD]);
    const config = loadConfig({ MFA_SECRET_KEY: CURRENT, MFA_SECRET_KEY_PREVIOUS: ` ${OLD} , ${OLDER},` });
    expect(hex(config.mfaPreviousSecretKeys)).toEqual([OLD, OLDER.toLowerCase()]);
    expect(Object.isFrozen(config.mfaPreviousSecretKeys)).toBe(true);
  });

  it('drops the current key and repeats: harmless, a key opens the same secrets however often it is listed', () => {
    const config = loadConfig({ MFA_SECRET_KEY: CURRENT, MFA_SECRET_KEY_PREVIOUS: `${CURRENT},${OLD},${OLD.toUpperCase()}` });
    expect(hex(config.mfaPreviousSecretKeys)).toEqual([OLD]);
    expect(config.mfaSecretKey.toString('hex')).toBe(CURRENT);
    // The key derived from JWT_SECRET is the current one too: listing it changes nothing.
    const derived = loadConfig({}).mfaSecretKey.toString('hex');
    expect(loadConfig({ MFA_SECRET_KEY_PREVIOUS: derived }).mfaPreviousSecretKeys).toEqual([]);
  });

  it('takes the key derived from JWT_SECRET as a previous key, for moving to a key of its own', () => {
    const jwtSecret = 'a-secret-of-at-least-32-characters-0123';
    const derived = loadConfig({ JWT_SECRET: jwtSecret }).mfaSecretKey.toString('hex');
    expect(hex(loadConfig({ JWT_SECRET: jwtSecret, MFA_SECRET_KEY: CURRENT, MFA_SECRET_KEY_PREVIOUS: derived }).mfaPreviousSecretKeys)).toEqual([derived]);
  });

  it.each([
    ['ab'.repeat(16), 'entry 1 of 1'],
    ['zz'.repeat(32), 'entry 1 of 1'],
    [`${OLD};${OLDER}`, 'entry 1 of 1'],
    [`${OLD}, ${'cd'.repeat(33)}`, 'entry 2 of 2'],
  ])('fails at start naming MFA_SECRET_KEY_PREVIOUS and the entry for %s, never echoing a key', (raw, entry) => {
    const error = (() => { try { loadConfig({ MFA_SECRET_KEY: CURRENT, MFA_SECRET_KEY_PREVIOUS: raw }); } catch (e) { return e; } return undefined; })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('MFA_SECRET_KEY_PREVIOUS');
    expect((error as Error).message).toMatch(/^MFA_SECRET_KEY_PREVIOUS: expected 64 hex digits .* each, comma separated/);
    expect((error as Error).message).toContain(entry);
    expect((error as Error).message).not.toContain(OLD);
  });
});

describe('AUDIT_SIGN_KEY', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nicegold-audit-key-'));
  const keys = generateTrailKeys();
  writeFileSync(path.join(dir, 'trail.key'), keys.privatePem);
  writeFileSync(path.join(dir, 'trail.pub'), keys.publicPem);
  writeFileSync(path.join(dir, 'rsa.key'), generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));

  it('leaves the audit API unsigned when unset, and reads the keygen key (relative to the working directory) when set', () => {
    expect(loadConfig({}).auditSignKey).toBeUndefined();
    const pem = loadConfig({ AUDIT_SIGN_KEY: 'trail.key' }, dir).auditSignKey;
    expect(pem).toBeDefined();
    expect(signingKey(pem!).keyId).toBe(publicKey(keys.publicPem).keyId);
  });

  it.each(['missing.key', 'trail.pub', 'rsa.key'])('stops the start naming AUDIT_SIGN_KEY for %s', (file) => {
    expect(() => loadConfig({ AUDIT_SIGN_KEY: file }, dir)).toThrow(expect.objectContaining({ variable: 'AUDIT_SIGN_KEY' }));
    expect(() => loadConfig({ AUDIT_SIGN_KEY: file }, dir)).toThrow(new RegExp(`${file.replace('.', '\\.')}.*(not readable|not an Ed25519)`));
  });
});

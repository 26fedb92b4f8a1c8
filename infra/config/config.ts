// The one module that reads the environment. It validates every variable, freezes the result and fails
// at start with a message naming the variable and what it expected. Nothing else reads process.env.
import { createHash, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export type EventStoreKind = 'pglite' | 'postgres' | 'eventstoredb';
export type Role = 'api' | 'ingest' | 'signals' | 'broker' | 'projector';
export const ALL_ROLES: readonly Role[] = ['api', 'ingest', 'signals', 'broker', 'projector'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly eventStore: EventStoreKind;
  /** PostgreSQL for the event store (EVENT_STORE=postgres) and the read models; undefined means PGlite. */
  readonly databaseUrl: string | undefined;
  readonly eventStoreUrl: string | undefined;
  /** NATS for ticks in and live events out; undefined means the in-process bus. */
  readonly natsUrl: string | undefined;
  /** Redis for cache, rate limits and idempotency; undefined means in-process. */
  readonly redisUrl: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly logLevel: LogLevel;
  readonly dataDir: string;
  readonly roles: readonly Role[];
  /** enforce: ticks outside an instrument's trading session are rejected; always-open: the session is ignored (demos on a weekend). */
  readonly marketHours: 'enforce' | 'always-open';
  /** The embedded demo desk: two accounts with limits and a small order flow, so `npm start` shows the ledger working. */
  readonly demo: boolean;
  /** Ticks per second of the synthetic XAUUSD feed the embedded ingest role runs; 0 turns it off. */
  readonly feedRate: number;
  /** Paper broker: price units of slippage on market and triggered stop fills, and report latency. */
  readonly brokerSlippageUnits: bigint;
  readonly brokerLatencyMs: number;
  /** GraphiQL at /graphiql and schema introspection: on in development, off elsewhere unless GRAPHIQL=on. */
  readonly graphiql: boolean;
  /** Champion signals to orders, off by default; qty in quantity steps of the instrument. */
  readonly autoTrader: { readonly enabled: boolean; readonly accountId: string | undefined; readonly qty: bigint };
  /** Requests one user may make to the command API per second (counted in the key-value store). */
  readonly rateLimitPerSecond: number;
  /** Events between two snapshots of an account (SNAPSHOT_EVERY); 0: no snapshots, every load folds from the first event. */
  readonly snapshotEvery: number;
  /** PEM of the Ed25519 key (`nicegold audit keygen`) that signs the trails the audit API hands out (AUDIT_SIGN_KEY); unsigned when absent. */
  readonly auditSignKey: string | undefined;
  /** Fill band per instrument, bps around the latest quote's mid (FILL_BAND_BPS); others take the default. */
  readonly fillBandBps: ReadonlyMap<string, bigint>;
  /** 32 bytes that seal the TOTP secrets of second factors in the event log (MFA_SECRET_KEY). */
  readonly mfaSecretKey: Buffer;
  /** Keys that sealed secrets before the last rotation (MFA_SECRET_KEY_PREVIOUS): they open, never seal; the current key is not among them. */
  readonly mfaPreviousSecretKeys: readonly Buffer[];
  readonly jwt: {
    readonly algorithm: 'HS256' | 'RS256';
    readonly secret: string | undefined;
    readonly jwksUrl: string | undefined;
    readonly publicKey: string | undefined;
    readonly issuer: string;
  };
}

export class ConfigError extends Error {
  constructor(readonly variable: string, expected: string, got: string | undefined) {
    super(`${variable}: expected ${expected}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`);
    this.name = 'ConfigError';
  }
}

/** Configuration variables with their meaning and default, for `nicegold config` and the README table. */
export const CONFIG_VARIABLES: ReadonlyArray<{ name: string; default: string; meaning: string }> = [
  { name: 'EVENT_STORE', default: 'pglite (postgres when DATABASE_URL is set)', meaning: 'event store backend: pglite (embedded, under DATA_DIR), postgres (DATABASE_URL) or eventstoredb (EVENTSTORE_URL)' },
  { name: 'DATABASE_URL', default: '(unset: PGlite)', meaning: 'PostgreSQL / TimescaleDB for read models, and for events when EVENT_STORE=postgres' },
  { name: 'EVENTSTORE_URL', default: '(unset)', meaning: 'EventStoreDB / KurrentDB connection string, e.g. esdb://localhost:2113?tls=false' },
  { name: 'NATS_URL', default: '(unset: in-process bus)', meaning: 'NATS with JetStream, e.g. nats://127.0.0.1:4222' },
  { name: 'REDIS_URL', default: '(unset: in-process cache)', meaning: 'Redis for cache, rate limits and idempotency, e.g. redis://127.0.0.1:6379' },
  { name: 'HOST', default: '127.0.0.1', meaning: 'address the HTTP server listens on (0.0.0.0 in containers)' },
  { name: 'PORT', default: '3000', meaning: 'HTTP port for the command API, GraphQL, health and metrics' },
  { name: 'LOG_LEVEL', default: 'info', meaning: `one of ${LOG_LEVELS.join(', ')}` },
  { name: 'DATA_DIR', default: './.data', meaning: 'where embedded PGlite data lives' },
  { name: 'ROLES', default: ALL_ROLES.join(','), meaning: 'roles this process runs, comma separated' },
  { name: 'DEMO', default: 'on in embedded development mode, else off', meaning: 'on: open two demo accounts with limits and place a small order every few seconds' },
  { name: 'MARKET_HOURS', default: 'enforce (always-open with DEMO=on)', meaning: 'enforce (ticks outside trading hours are rejected) or always-open (ignore sessions: weekend demos)' },
  { name: 'BROKER_SLIPPAGE_UNITS', default: '0', meaning: 'paper broker slippage in price units (XAUUSD: cents) on market and triggered stop fills' },
  { name: 'BROKER_LATENCY_MS', default: '0', meaning: 'paper broker delay before a fill or cancel report reaches the ledger, in ms (0 to 60000)' },
  { name: 'FEED_RATE', default: '20', meaning: 'ticks/s of the synthetic XAUUSD feed in embedded mode (no NATS_URL); 0 turns it off' },
  { name: 'RATE_LIMIT_PER_SECOND', default: '200', meaning: 'requests per user per second on the HTTP APIs, GraphQL over HTTP with a budget of its own (Redis when REDIS_URL is set); beyond it 429 RATE_LIMITED' },
  { name: 'SNAPSHOT_EVERY', default: '500', meaning: 'events between two snapshots of an account\'s state (1 to 1000000, or 0: none, every load folds the whole stream); loading an account folds fewer than this many events after its snapshot' },
  { name: 'FILL_BAND_BPS', default: '(100 for every instrument)', meaning: 'how far (bps of the latest quote\'s mid) a broker\'s fill price may lie before it is refused FILL.OUTSIDE_MARKET_BAND, per instrument: XAUUSD:100,XAGUSD:200' },
  { name: 'JWT_ALGORITHM', default: 'HS256', meaning: 'HS256 (shared secret, development) or RS256 (JWT_JWKS_URL or JWT_PUBLIC_KEY)' },
  { name: 'JWT_SECRET', default: '(development secret)', meaning: 'HS256 secret; required when NODE_ENV=production and JWT_ALGORITHM=HS256' },
  { name: 'JWT_JWKS_URL', default: '(unset)', meaning: 'JWKS endpoint for RS256 tokens' },
  { name: 'JWT_PUBLIC_KEY', default: '(unset)', meaning: 'PEM public key for RS256 tokens (instead of JWKS)' },
  { name: 'JWT_ISSUER', default: 'nicegold-ledger', meaning: 'expected iss claim' },
  { name: 'MFA_SECRET_KEY', default: '(derived from JWT_SECRET)', meaning: '64 hex digits (32 bytes, e.g. openssl rand -hex 32): the AES-256-GCM key that encrypts second-factor secrets in the event log; the same in every process; required with JWT_ALGORITHM=RS256' },
  { name: 'MFA_SECRET_KEY_PREVIOUS', default: '(unset)', meaning: 'keys MFA_SECRET_KEY had before a rotation, 64 hex digits each, comma separated: second factors sealed under them still open (new ones are sealed under MFA_SECRET_KEY); the current key listed here is ignored' },
  { name: 'AUDIT_SIGN_KEY', default: '(unset: unsigned)', meaning: 'file of the Ed25519 private key (nicegold audit keygen) that signs every trail the audit API hands out (auditTrail, GET /audit/trail); unset, those trails are unsigned' },
  { name: 'AUTO_TRADER', default: 'off', meaning: 'on: the signals role turns champion signals into orders (risk-checked like any order) on AUTO_TRADER_ACCOUNT' },
  { name: 'AUTO_TRADER_ACCOUNT', default: '(unset)', meaning: 'account the auto-trader trades; required when AUTO_TRADER=on' },
  { name: 'AUTO_TRADER_QTY', default: '1', meaning: 'auto-trader position size in quantity steps (XAUUSD: 0.01 lot each)' },
  { name: 'GRAPHIQL', default: 'on in development, off otherwise', meaning: 'on: serve GraphiQL at /graphiql and allow schema introspection; off: neither' },
  { name: 'NODE_ENV', default: 'development', meaning: 'development, production or test' },
];

export const DEVELOPMENT_JWT_SECRET = 'nicegold-development-secret-not-for-production';

type Env = Readonly<Record<string, string | undefined>>;

const optional = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value ? value : undefined;
};

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = optional(env, name) ?? fallback;
  if (!allowed.includes(value as T)) throw new ConfigError(name, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `a URL (${protocols.join(' or ')})`, value);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(name, `a URL starting with ${protocols.join(' or ')}`, value);
  return value;
}

function port(env: Env): number {
  const raw = optional(env, 'PORT') ?? '3000';
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 0 || value > 65_535) throw new ConfigError('PORT', 'a TCP port from 0 to 65535', raw);
  return value;
}

function feedRate(env: Env): number {
  const raw = optional(env, 'FEED_RATE') ?? '20';
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value > 10_000) throw new ConfigError('FEED_RATE', 'ticks per second from 0 to 10000', raw);
  return value;
}

function wholeNumber(env: Env, name: string, max: number): number {
  const raw = optional(env, name) ?? '0';
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > max) throw new ConfigError(name, `a whole number from 0 to ${max}`, raw);
  return value;
}

function rateLimitPerSecond(env: Env): number {
  const raw = optional(env, 'RATE_LIMIT_PER_SECOND') ?? '200';
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 1_000_000) throw new ConfigError('RATE_LIMIT_PER_SECOND', 'requests per second from 1 to 1000000', raw);
  return value;
}

/** The audit API's trail key, read and checked at start: a missing file or a key that is not Ed25519 stops the process. */
function auditSignKey(env: Env, cwd: string): string | undefined {
  const file = optional(env, 'AUDIT_SIGN_KEY');
  if (file === undefined) return undefined;
  const expected = 'the file of an Ed25519 private key (make one with nicegold audit keygen)';
  let pem: string;
  try {
    pem = readFileSync(path.resolve(cwd, file), 'utf8');
  } catch {
    throw new ConfigError('AUDIT_SIGN_KEY', expected, `${file} (not readable)`);
  }
  try {
    if (createPrivateKey(pem).asymmetricKeyType === 'ed25519') return pem;
  } catch { /* not a private key: refused below */ }
  throw new ConfigError('AUDIT_SIGN_KEY', expected, `${file} (not an Ed25519 private key)`);
}

function snapshotEvery(env: Env): number {
  const raw = optional(env, 'SNAPSHOT_EVERY') ?? '500';
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 1_000_000) throw new ConfigError('SNAPSHOT_EVERY', 'events between snapshots, a whole number from 0 (no snapshots) to 1000000', raw);
  return value;
}

/** FILL_BAND_BPS=XAUUSD:100,XAGUSD:200: each instrument's band, 1 to 10000 bps. */
function fillBandBps(env: Env): Map<string, bigint> {
  const raw = optional(env, 'FILL_BAND_BPS');
  const bands = new Map<string, bigint>();
  if (raw === undefined) return bands;
  for (const entry of raw.split(',').map((e) => e.trim()).filter(Boolean)) {
    const match = /^([A-Z][A-Z0-9._]{1,19}):(\d{1,5})$/.exec(entry);
    const bps = match ? Number(match[2]) : 0;
    if (!match || bps < 1 || bps > 10_000) throw new ConfigError('FILL_BAND_BPS', 'SYMBOL:bps pairs, comma separated, bps from 1 to 10000 (e.g. XAUUSD:100,XAGUSD:200)', raw);
    bands.set(match[1]!, BigInt(bps));
  }
  return bands;
}

const MFA_KEY_FORM = '64 hex digits (32 bytes; openssl rand -hex 32)';
const MFA_KEY = /^[0-9a-fA-F]{64}$/;

/**
 * MFA_SECRET_KEY, or else a key derived from the HS256 secret (so development and a JWT_SECRET-only deployment
 * work as they are). A deployment that may rotate JWT_SECRET sets a key of its own: a new derived key cannot
 * open the secrets sealed under the old one.
 */
function mfaSecretKey(env: Env, jwtSecret: string | undefined): Buffer {
  const raw = optional(env, 'MFA_SECRET_KEY');
  if (raw !== undefined) {
    if (!MFA_KEY.test(raw)) throw new ConfigError('MFA_SECRET_KEY', MFA_KEY_FORM, '(not 64 hex digits)');
    return Buffer.from(raw, 'hex');
  }
  if (jwtSecret === undefined) throw new ConfigError('MFA_SECRET_KEY', `${MFA_KEY_FORM} because JWT_ALGORITHM=RS256 leaves no secret to derive it from`, undefined);
  return createHash('sha256').update(`nicegold-mfa-secret-key/${jwtSecret}`).digest();
}

/**
 * MFA_SECRET_KEY_PREVIOUS: the keys before a rotation. The current key, a key listed twice and an empty entry
 * are dropped, not refused: during a rotation an operator may copy the whole key list into it, and a key opens
 * the same secrets however often it is listed. The value is never echoed back, only which entry is malformed.
 */
function mfaPreviousSecretKeys(env: Env, current: Buffer): Buffer[] {
  const raw = optional(env, 'MFA_SECRET_KEY_PREVIOUS');
  if (raw === undefined) return [];
  const keys: Buffer[] = [];
  const entries = raw.split(',').map((e) => e.trim()).filter(Boolean);
  entries.forEach((entry, index) => {
    if (!MFA_KEY.test(entry)) {
      throw new ConfigError('MFA_SECRET_KEY_PREVIOUS', `${MFA_KEY_FORM} each, comma separated`, `(entry ${index + 1} of ${entries.length} is not 64 hex digits)`);
    }
    const key = Buffer.from(entry, 'hex');
    if (!key.equals(current) && !keys.some((k) => k.equals(key))) keys.push(key);
  });
  return keys;
}

function roles(env: Env): Role[] {
  const raw = optional(env, 'ROLES');
  if (raw === undefined) return [...ALL_ROLES];
  const list = raw.split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = list.filter((r) => !ALL_ROLES.includes(r as Role));
  if (list.length === 0 || unknown.length > 0) throw new ConfigError('ROLES', `a comma-separated list of ${ALL_ROLES.join(', ')}`, raw);
  return [...new Set(list)] as Role[];
}

function autoTrader(env: Env): Config['autoTrader'] {
  const enabled = oneOf(env, 'AUTO_TRADER', ['off', 'on'], 'off') === 'on';
  const accountId = optional(env, 'AUTO_TRADER_ACCOUNT');
  if (enabled && !accountId) throw new ConfigError('AUTO_TRADER_ACCOUNT', 'the account to trade because AUTO_TRADER=on', undefined);
  const qty = optional(env, 'AUTO_TRADER_QTY') ?? '1';
  if (!/^[1-9]\d{0,9}$/.test(qty)) throw new ConfigError('AUTO_TRADER_QTY', 'a whole number of quantity steps from 1', qty);
  return Object.freeze({ enabled, accountId, qty: BigInt(qty) });
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'], 'development');
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const eventStore = oneOf(env, 'EVENT_STORE', ['pglite', 'postgres', 'eventstoredb'], databaseUrl ? 'postgres' : 'pglite');
  if (eventStore === 'pglite' && databaseUrl) throw new ConfigError('EVENT_STORE', 'postgres or eventstoredb when DATABASE_URL is set (PGlite is the embedded mode)', 'pglite');
  const eventStoreUrl = url(env, 'EVENTSTORE_URL', ['esdb:', 'esdb+discover:', 'kurrentdb:', 'kurrentdb+discover:', 'kdb:']);
  if (eventStore === 'postgres' && !databaseUrl) throw new ConfigError('DATABASE_URL', 'a PostgreSQL URL because EVENT_STORE=postgres', undefined);
  if (eventStore === 'eventstoredb' && !eventStoreUrl) throw new ConfigError('EVENTSTORE_URL', 'an esdb:// URL because EVENT_STORE=eventstoredb', undefined);
  const algorithm = oneOf(env, 'JWT_ALGORITHM', ['HS256', 'RS256'], 'HS256');
  const secret = optional(env, 'JWT_SECRET');
  if (algorithm === 'HS256' && nodeEnv === 'production' && (!secret || secret.length < 32)) {
    throw new ConfigError('JWT_SECRET', 'a secret of at least 32 characters in production', secret === undefined ? undefined : '(too short)');
  }
  const jwksUrl = url(env, 'JWT_JWKS_URL', ['https:', 'http:']);
  const publicKey = optional(env, 'JWT_PUBLIC_KEY');
  if (algorithm === 'RS256' && !jwksUrl && !publicKey) throw new ConfigError('JWT_JWKS_URL', 'a JWKS URL or JWT_PUBLIC_KEY because JWT_ALGORITHM=RS256', undefined);
  // Embedded mode (nothing installed) is a newcomer's first run: show the desk working, even on a weekend.
  const jwtSecret = secret ?? (algorithm === 'HS256' ? DEVELOPMENT_JWT_SECRET : undefined);
  const embedded = !databaseUrl && !optional(env, 'NATS_URL') && eventStore === 'pglite';
  const currentMfaKey = mfaSecretKey(env, jwtSecret);
  const demo = oneOf(env, 'DEMO', ['on', 'off'], embedded && nodeEnv === 'development' ? 'on' : 'off') === 'on';
  return Object.freeze({
    nodeEnv,
    eventStore,
    databaseUrl,
    eventStoreUrl,
    natsUrl: url(env, 'NATS_URL', ['nats:', 'tls:', 'ws:', 'wss:']),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    host: optional(env, 'HOST') ?? '127.0.0.1',
    port: port(env),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    dataDir: path.resolve(cwd, optional(env, 'DATA_DIR') ?? '.data'),
    roles: Object.freeze(roles(env)),
    marketHours: oneOf(env, 'MARKET_HOURS', ['enforce', 'always-open'], demo ? 'always-open' : 'enforce'),
    demo,
    feedRate: feedRate(env),
    brokerSlippageUnits: BigInt(wholeNumber(env, 'BROKER_SLIPPAGE_UNITS', 1_000_000)),
    brokerLatencyMs: wholeNumber(env, 'BROKER_LATENCY_MS', 60_000),
    graphiql: oneOf(env, 'GRAPHIQL', ['on', 'off'], nodeEnv === 'development' ? 'on' : 'off') === 'on',
    autoTrader: autoTrader(env),
    rateLimitPerSecond: rateLimitPerSecond(env),
    fillBandBps: fillBandBps(env),
    snapshotEvery: snapshotEvery(env),
    auditSignKey: auditSignKey(env, cwd),
    mfaSecretKey: currentMfaKey,
    mfaPreviousSecretKeys: Object.freeze(mfaPreviousSecretKeys(env, currentMfaKey)),
    jwt: Object.freeze({ algorithm, secret: jwtSecret, jwksUrl, publicKey, issuer: optional(env, 'JWT_ISSUER') ?? 'nicegold-ledger' }),
  });
}

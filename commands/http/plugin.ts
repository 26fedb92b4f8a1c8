// The command HTTP API as one encapsulated fastify plugin: OpenAPI at /docs (no token needed), and under
// /v1 every route authenticated, rate-limited per user, role-checked, validated without coercion (a JSON
// number never silently becomes a price) and handed to the trading service.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FastifyInstance, FastifyPluginAsync, FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import { authPlugin, type TokenVerifier } from '../../infra/auth/index.ts';
import type { TradingService } from '../trading/service.ts';
import { checkAccess } from './access.ts';
import { accountRoutes } from './routes-accounts.ts';
import { orderRoutes } from './routes-orders.ts';
import { stopRoutes } from './routes-stops.ts';
import { mfaRoutes } from './routes-mfa.ts';
import type { SecondFactor } from '../mfa/second-factor.ts';

export interface CommandApiOptions {
  readonly tradingService: TradingService;
  /** Rate-limit counters (Redis in production, in-process in embedded mode). */
  readonly keyValue: KeyValueStore;
  readonly auth: {
    readonly verifyToken: TokenVerifier;
    readonly rateLimitPerSecond: number;
    readonly clock?: () => number;
  };
  /** Second-factor enrolment, unlock and reset under /v1/mfa; the same instance the trading service checks codes with. */
  readonly secondFactor?: SecondFactor;
  /** Serve the OpenAPI document and UI at /docs (default true). */
  readonly docs?: boolean;
}

export const DEFAULT_RATE_LIMIT_PER_SECOND = 200;

const API_DESCRIPTION = [
  'Commands of the NICEGOLD ledger: accounts, risk limits, cash, orders, fills and emergency stops.',
  'Every request needs `Authorization: Bearer <JWT>` (development tokens: `npx nicegold token --role trader --account A1`).',
  'Every command needs an id: the `Idempotency-Key` header or `commandId` in the body (8-128 of A-Z a-z 0-9 _ . : -). The same id',
  'repeated returns the original answer (header `Idempotent-Replayed: true`) and applies nothing again; the same id with a different body is 409 COMMAND.ID_REUSED.',
  'Money, prices and quantities are decimal strings ("2345.67", "0.10" lots) on the instrument\'s grid; more decimals than the grid is 400 NUMBER.TOO_PRECISE.',
  'Changing an account\'s limits and approving a global stop release also need the actor\'s second factor: the current TOTP code in `X-TOTP-Code` (enrol at POST /v1/mfa/enrolment).',
  'Errors are `{code, message, details}`: 400 malformed, 401 no / bad token or second-factor code, 403 role or account not allowed, 404 unknown,',
  '409 conflict, 422 refused by a business rule, 429 RATE_LIMITED (Retry-After). A risk denial is not an error: 201 with `accepted: false` and the recorded decision.',
].join('\n');

async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'NICEGOLD Ledger command API', version: '1', description: API_DESCRIPTION },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      tags: [{ name: 'accounts' }, { name: 'orders' }, { name: 'stops' }, { name: 'mfa' }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}

/**
 * Each route's schemas compiled by TypeBox's TypeCompiler, checked as they come: no conversion pass, so a
 * JSON number never silently becomes a price, and params, headers and the query (strings in every schema
 * here) are taken as sent; a schema with a number in those parts would be refused (400), never converted.
 * TypeBox 0.34's compiler, not the type provider's (TypeBox 1.x): the latter is ~880 modules more to import
 * at every start (~0.6 s of CPU of a restart on an idle machine) for the same checks. Failures are reported
 * in fastify's shape (instancePath, message), so the 400 names the field: `body/qty Expected string ...`.
 */
const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema }) => {
  const check = TypeCompiler.Compile(schema);
  return (value: unknown) => {
    if (check.Check(value)) return { value };
    const error: FastifySchemaValidationError[] = [...check.Errors(value)].map((e) => ({
      keyword: String(e.type), instancePath: e.path, schemaPath: '', params: {}, message: e.message,
    }));
    return { error };
  };
};

export function commandApiPlugin(options: CommandApiOptions): FastifyPluginAsync {
  return async (app) => {
    if (options.docs !== false) await registerDocs(app);
    await app.register(async (v1) => {
      v1.setValidatorCompiler(validatorCompiler);
      await v1.register(authPlugin, { ...options.auth, keyValue: options.keyValue });
      v1.addHook('preValidation', checkAccess);
      await accountRoutes(v1, options.tradingService);
      await orderRoutes(v1, options.tradingService);
      await stopRoutes(v1, options.tradingService);
      if (options.secondFactor) await mfaRoutes(v1, options.secondFactor);
    }, { prefix: '/v1' });
  };
}

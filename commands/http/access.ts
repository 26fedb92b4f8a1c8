// Who may call what. Checked before the body is validated, so a caller learns "not allowed" before
// "malformed", and the actor of every command comes from the verified token, never from the body.
import type { FastifyRequest } from 'fastify';
import { LedgerError, NotFoundError, ValidationError } from '../../domain/shared/errors.ts';
import { principalOf, requireAccount, requireRole, type Principal, type PrincipalRole } from '../../infra/auth/index.ts';
import type { CommandContext } from '../trading/service.ts';
import { COMMAND_ID_PATTERN, TOTP_CODE_HEADER } from './schemas.ts';

export interface Access {
  /** Said in the 403 message: "role trader may not set risk limits". */
  readonly action: string;
  readonly roles: readonly PrincipalRole[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

const READERS: readonly PrincipalRole[] = ['trader', 'risk_officer', 'compliance', 'analyst', 'admin', 'service'];

/** The role matrix. Traders are further limited to the accounts their token names (`:accountId`). */
export const ACCESS = {
  openAccount: { action: 'open accounts', roles: ['admin'] },
  setRiskLimits: { action: 'set risk limits', roles: ['risk_officer', 'admin'] },
  setTradingState: { action: 'set an account trading state', roles: ['risk_officer', 'admin'] },
  deposit: { action: 'deposit funds', roles: ['admin'] },
  withdraw: { action: 'withdraw funds', roles: ['admin'] },
  placeOrder: { action: 'place orders', roles: ['trader', 'admin'] },
  cancelOrder: { action: 'cancel orders', roles: ['trader', 'admin'] },
  recordFill: { action: 'record fills', roles: ['service', 'admin'] },
  engageStop: { action: 'engage emergency stops', roles: ['risk_officer', 'admin'] },
  requestStopRelease: { action: 'request a stop release', roles: ['risk_officer', 'admin'] },
  approveStopRelease: { action: 'approve a stop release', roles: ['risk_officer', 'admin'] },
  readAccount: { action: 'read accounts', roles: READERS },
  readStop: { action: 'read emergency stops', roles: READERS },
  // The roles whose controls need a second factor enrol one; admins unlock and reset other users'.
  enrolSecondFactor: { action: 'enrol a second factor', roles: ['risk_officer', 'admin'] },
  manageSecondFactors: { action: 'unlock or reset second factors', roles: ['admin'] },
} as const satisfies Record<string, Access>;

/** preValidation hook: role first, then the account in the path. */
export async function checkAccess(request: FastifyRequest): Promise<void> {
  const access = request.routeOptions.config.access;
  if (!access) return;
  const principal = principalOf(request);
  requireRole(principal, access.roles, access.action);
  const accountId = (request.params as { accountId?: unknown } | undefined)?.accountId;
  if (typeof accountId === 'string') requireAccount(principal, accountId);
}

const ID = new RegExp(COMMAND_ID_PATTERN);

/**
 * The command id is required on every command: the body's `commandId` or the `Idempotency-Key` header
 * (both may be sent if they agree). A server-generated id could not make a client's retry idempotent.
 */
export function commandContext(request: FastifyRequest, body: { readonly commandId?: string | undefined }): CommandContext {
  const header = request.headers['idempotency-key'];
  const fromHeader = typeof header === 'string' ? header : undefined;
  if (fromHeader !== undefined && body.commandId !== undefined && fromHeader !== body.commandId) {
    throw new ValidationError('COMMAND.ID_MISMATCH', 'Idempotency-Key and body commandId differ; send one, or the same in both');
  }
  const commandId = body.commandId ?? fromHeader;
  if (commandId === undefined) throw new ValidationError('COMMAND.ID_REQUIRED', 'send an Idempotency-Key header (or commandId in the body): 8-128 of A-Z a-z 0-9 _ . : -');
  if (!ID.test(commandId)) throw new ValidationError('COMMAND.ID_INVALID', 'a command id is 8-128 of A-Z a-z 0-9 _ . : -');
  const principal: Principal = principalOf(request);
  const code = request.headers[TOTP_CODE_HEADER];
  return {
    commandId,
    actor: { userId: principal.userId, role: principal.role },
    correlationId: request.id,
    ...(typeof code === 'string' ? { secondFactorCode: code } : {}),
  };
}

/** An account that was never opened is, to a client, an unknown resource. */
export async function asClientSees<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof LedgerError && error.code === 'ACCOUNT.NOT_OPEN') throw new NotFoundError('ACCOUNT.NOT_FOUND', error.message, error.details);
    throw error;
  }
}

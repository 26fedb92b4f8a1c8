// Who is calling, as a verified token says, and the auth errors every edge (HTTP, GraphQL, CLI) shares.
import { LedgerError } from '../../domain/shared/errors.ts';

export const PRINCIPAL_ROLES = ['trader', 'risk_officer', 'compliance', 'analyst', 'admin', 'service'] as const;
export type PrincipalRole = (typeof PRINCIPAL_ROLES)[number];

export const isPrincipalRole = (value: unknown): value is PrincipalRole =>
  typeof value === 'string' && (PRINCIPAL_ROLES as readonly string[]).includes(value);

export interface Principal {
  readonly userId: string;
  readonly role: PrincipalRole;
  /** Accounts a trader's token names; empty for every other role (their reach comes from the role). */
  readonly accounts: readonly string[];
}

export const AUTH_CODES = {
  missingToken: 'AUTH.MISSING_TOKEN',
  invalidToken: 'AUTH.INVALID_TOKEN',
  expired: 'AUTH.EXPIRED',
  forbiddenRole: 'AUTH.FORBIDDEN_ROLE',
  forbiddenAccount: 'AUTH.FORBIDDEN_ACCOUNT',
  keysUnavailable: 'AUTH.KEYS_UNAVAILABLE',
} as const;

export class Unauthenticated extends LedgerError {
  constructor(code: typeof AUTH_CODES.missingToken | typeof AUTH_CODES.invalidToken | typeof AUTH_CODES.expired, message: string, options?: { cause?: unknown }) {
    super(code, 'unauthenticated', message, {}, options);
  }
}

export class Forbidden extends LedgerError {
  constructor(code: typeof AUTH_CODES.forbiddenRole | typeof AUTH_CODES.forbiddenAccount, message: string, details: Record<string, unknown> = {}) {
    super(code, 'forbidden', message, details);
  }
}

/** The role may not do this at all. */
export function requireRole(principal: Principal, allowed: readonly PrincipalRole[], action: string): void {
  if (!allowed.includes(principal.role)) {
    throw new Forbidden(AUTH_CODES.forbiddenRole, `role ${principal.role} may not ${action}`, { role: principal.role, allowed: [...allowed] });
  }
}

/** A trader acts only on the accounts its token names; other roles are judged by role alone. */
export function requireAccount(principal: Principal, accountId: string): void {
  if (principal.role === 'trader' && !principal.accounts.includes(accountId)) {
    throw new Forbidden(AUTH_CODES.forbiddenAccount, `this token does not name account ${accountId}`, { accountId });
  }
}

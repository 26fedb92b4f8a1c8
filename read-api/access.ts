// Who may read what: a trader sees the accounts its token names; the desk's risk, compliance, analyst
// and admin roles see every account. Services read market data and desk state, not account books.
import { AUTH_CODES, Forbidden, requireAccount, requireRole, type Principal, type PrincipalRole } from '../infra/auth/index.ts';

const SEES_EVERY_ACCOUNT = new Set(['risk_officer', 'compliance', 'analyst', 'admin']);

/** Account ids this principal may read, or `all`. */
export function readableAccounts(principal: Principal): readonly string[] | 'all' {
  if (principal.role === 'trader') return principal.accounts;
  if (SEES_EVERY_ACCOUNT.has(principal.role)) return 'all';
  return [];
}

/** Throws AUTH.FORBIDDEN_ACCOUNT unless the principal may read the account. */
export function requireReadableAccount(principal: Principal, accountId: string): void {
  requireAccount(principal, accountId);
  if (readableAccounts(principal) !== 'all' && !principal.accounts.includes(accountId)) {
    throw new Forbidden(AUTH_CODES.forbiddenAccount, `role ${principal.role} does not read account books`, { accountId });
  }
}

/** Who may put compliance's questions to the event store (the audit API): compliance and admin. */
export const AUDITORS: readonly PrincipalRole[] = ['compliance', 'admin'];

/** Throws AUTH.FORBIDDEN_ROLE unless the principal may use the audit API. */
export function requireAuditor(principal: Principal, question: string): void {
  requireRole(principal, AUDITORS, question);
}

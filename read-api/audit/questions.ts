// What both doors of the audit API (GraphQL and the HTTP download) share: who may ask, who is asking, and
// the trail range a question names, checked before anything is asked of the ledger (a malformed question
// is refused with its code and records nothing).
import type { AuditAsker, AuditReader, AuditTrailRange } from '../../domain/ports/audit-reader.ts';
import { LedgerError, ValidationError } from '../../domain/shared/errors.ts';
import { accountStreamId } from '../../domain/trading/account/index.ts';
import type { Principal } from '../../infra/auth/index.ts';
import { requireAuditor } from '../access.ts';
import { instant } from '../sql.ts';

export const AUDIT_API_CODES = {
  unavailable: 'AUDIT.UNAVAILABLE',
  streamRequired: 'AUDIT.STREAM_REQUIRED',
  badRange: 'AUDIT.BAD_RANGE',
  trailTooLarge: 'AUDIT.TRAIL_TOO_LARGE',
} as const;

/** The reader and the asker for a principal that may use the audit API; refuses every other role. */
export function auditorAsking(principal: Principal, question: string, reader: AuditReader | undefined, via: AuditAsker['via'], requestId?: string): { reader: AuditReader; asker: AuditAsker } {
  requireAuditor(principal, question);
  if (reader === undefined) throw new LedgerError(AUDIT_API_CODES.unavailable, 'unavailable', 'this server was started without the audit reader; ask an api role of the ledger');
  return { reader, asker: { actor: { userId: principal.userId, role: principal.role }, via, ...(requestId ? { requestId } : {}) } };
}

const STREAM_ID = /^[A-Za-z0-9][\w.:-]{0,199}$/;

/** One stream (streamId) or one account's stream (accountId), and an optional recorded-at range. */
export function trailRange(args: { accountId?: unknown; streamId?: unknown; from?: unknown; to?: unknown }): AuditTrailRange {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const accountId = text(args.accountId);
  const streamId = text(args.streamId);
  if ((accountId === undefined) === (streamId === undefined)) {
    throw new ValidationError(AUDIT_API_CODES.streamRequired, 'name one stream: an account (accountId) or a stream id (streamId), not both');
  }
  const stream = streamId ?? accountStreamId(accountId!);
  if (!STREAM_ID.test(stream)) throw new ValidationError(AUDIT_API_CODES.streamRequired, `${JSON.stringify(stream.slice(0, 60))} is not a stream id (letters, digits, - _ . :)`);
  const from = text(args.from) === undefined ? undefined : new Date(instant(text(args.from)!, 'from'));
  const to = text(args.to) === undefined ? undefined : new Date(instant(text(args.to)!, 'to'));
  if (from && to && from.getTime() > to.getTime()) throw new ValidationError(AUDIT_API_CODES.badRange, `from (${from.toISOString()}) is after to (${to.toISOString()}): swap them`);
  return { streamId: stream, ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

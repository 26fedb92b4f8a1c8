// Compliance reads are audited too: every question put to the audit API (an account as of an instant, the
// explanation of an order, a trail export) is recorded as AuditQueried on one stream, with who asked, what
// and when. Recorded when asked, whatever the answer (an unknown order is still a question that was put);
// a caller refused by role or a malformed question asks nothing of the ledger and records nothing.
import type { Actor, EventData } from '../ports/event-store.ts';
import type { DomainEvent } from '../shared/decider.ts';

/** The one stream of audit queries: `nicegold audit export --stream compliance-audit-log --from … --to …` exports them. */
export const AUDIT_LOG_STREAM = 'compliance-audit-log';

export const AUDIT_QUERIES = ['accountAsOf', 'explainOrder', 'trail'] as const;
export type AuditQueryName = (typeof AUDIT_QUERIES)[number];

/** How the question came in: a GraphQL query or the HTTP trail download. */
export type AuditChannel = 'graphql' | 'http';

/** The question's arguments as asked: ids and instants as text, absent ones null. */
export type AuditQueryArguments = {
  readonly accountId: string | null;
  readonly orderId: string | null;
  readonly streamId: string | null;
  readonly at: string | null;
  readonly from: string | null;
  readonly to: string | null;
};

export type AuditQueried = DomainEvent<'AuditQueried', {
  readonly query: AuditQueryName;
  readonly arguments: AuditQueryArguments;
  readonly via: AuditChannel;
  readonly askedBy: { readonly userId: string; readonly role: string };
  /** ISO instant the question was received. */
  readonly askedAt: string;
}>;

const NO_ARGUMENTS: AuditQueryArguments = { accountId: null, orderId: null, streamId: null, at: null, from: null, to: null };

export function auditQueried(query: AuditQueryName, args: Partial<AuditQueryArguments>, via: AuditChannel, askedBy: Actor, askedAt: Date): AuditQueried {
  return {
    type: 'AuditQueried',
    data: { query, arguments: { ...NO_ARGUMENTS, ...args }, via, askedBy: { userId: askedBy.userId, role: askedBy.role }, askedAt: askedAt.toISOString() },
  };
}

// Compile-time proof that the event's data can be appended to the event store unchanged.
type AppendableData<E extends AuditQueried> = E['data'] extends EventData ? true : never;
const _auditQueriedIsAppendable: AppendableData<AuditQueried> = true;

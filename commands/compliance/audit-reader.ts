// The audit port's adapter: compliance's questions answered from the event store with the same functions
// `nicegold audit` runs, each question recorded (AuditQueried on the compliance audit log) before it is
// answered. A question that cannot be recorded is not answered: an unaudited compliance read is the
// thing this exists to prevent.
import { randomUUID } from 'node:crypto';
import { AUDIT_LOG_STREAM, auditQueried, type AuditQueryArguments, type AuditQueryName } from '../../domain/compliance/index.ts';
import type { AuditAsker, AuditReader } from '../../domain/ports/audit-reader.ts';
import type { EventStore } from '../../domain/ports/event-store.ts';
import { LedgerError } from '../../domain/shared/errors.ts';
import { accountStreamId } from '../../domain/trading/account/index.ts';
import { accountAsOf } from './account-as-of.ts';
import { exportTrail, type TrailKey } from './audit-trail.ts';
import { explainOrder } from './explain-order.ts';
import { presentAccountAsOf, presentExplanation } from './present.ts';

export interface AuditReaderDeps {
  readonly eventStore: EventStore;
  readonly clock?: () => Date;
  /** Signs every trail the API exports (the key `nicegold audit keygen` made); unsigned without it. */
  readonly signer?: TrailKey;
}

export const AUDIT_NOT_RECORDED = 'AUDIT.NOT_RECORDED';

export function createAuditReader(deps: AuditReaderDeps): AuditReader {
  const store = deps.eventStore;
  const now = deps.clock ?? (() => new Date());

  const record = async (asker: AuditAsker, query: AuditQueryName, args: Partial<AuditQueryArguments>): Promise<void> => {
    const askedAt = now();
    const event = auditQueried(query, args, asker.via, asker.actor, askedAt);
    const metadata = { actor: event.data.askedBy, source: `audit-api/${asker.via}`, ...(asker.requestId ? { correlationId: asker.requestId } : {}) };
    try {
      await store.append(AUDIT_LOG_STREAM, [{ eventId: randomUUID(), type: event.type, data: event.data, occurredAt: askedAt, metadata }], 'any');
    } catch (error) {
      throw new LedgerError(AUDIT_NOT_RECORDED, 'unavailable', 'the audit query could not be recorded in the compliance audit log, so it was not answered; retry when the event store is back', { query }, { cause: error });
    }
  };

  return {
    async accountAsOf(asker, accountId, at) {
      await record(asker, 'accountAsOf', { accountId, streamId: accountStreamId(accountId), at: at.toISOString() });
      return presentAccountAsOf(await accountAsOf(store, accountId, at));
    },
    async explainOrder(asker, accountId, orderId) {
      await record(asker, 'explainOrder', { accountId, orderId, streamId: accountStreamId(accountId) });
      return presentExplanation(await explainOrder(store, accountId, orderId));
    },
    async exportTrail(asker, range, write) {
      await record(asker, 'trail', { streamId: range.streamId, from: range.from?.toISOString() ?? null, to: range.to?.toISOString() ?? null });
      const summary = await exportTrail(store, range, now(), write, undefined, deps.signer);
      return { ...summary, keyId: deps.signer?.keyId ?? null };
    },
  };
}

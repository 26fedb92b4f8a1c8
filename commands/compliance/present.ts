// Compliance's answers as JSON: what `nicegold audit replay | explain` print and what the audit API
// returns, from one function each, so the CLI and the API cannot drift apart.
import type { AccountAsOfReport, JsonObject, OrderExplanationReport } from '../../domain/ports/audit-reader.ts';
import { jsonSafe, presentAccount } from '../http/present.ts';
import type { AccountAsOf } from './account-as-of.ts';
import type { OrderExplanation } from './explain-order.ts';

export const presentAccountAsOf = (asOf: AccountAsOf): AccountAsOfReport => ({
  asOf: {
    at: asOf.at.toISOString(), revision: asOf.revision.toString(), lastEventRecordedAt: asOf.lastRecordedAt.toISOString(),
    eventsFolded: asOf.events, eventsRecordedLater: asOf.laterEvents,
  },
  account: jsonSafe(presentAccount(asOf.view)) as JsonObject,
});

/** Integers as text, times as ISO text, absent members dropped: the explanation as JSON carries it. */
export const presentExplanation = (explanation: OrderExplanation): OrderExplanationReport =>
  jsonSafe(explanation) as unknown as OrderExplanationReport;

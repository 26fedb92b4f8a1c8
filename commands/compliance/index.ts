// Compliance's questions of the ledger, answered from the event streams themselves (not the read models):
// an account as of an instant, why an order was decided as it was, and a tamper-evident export of a stream;
// for the CLI directly, for the read API through the audit port (domain/ports/audit-reader.ts).
export { accountAsOf, streamEvents, type AccountAsOf, type ReadProgress } from './account-as-of.ts';
export { explainOrder, type DecisionContext, type OrderExplanation, type OrderStep } from './explain-order.ts';
export {
  exportTrail, generateTrailKeys, publicKey, signingKey, TRAIL_FORMAT, trailRecord, verifyTrail,
  type ExportSummary, type TrailHeader, type TrailKey, type TrailRange, type TrailSignature, type VerifyResult,
} from './audit-trail.ts';
export { AUDIT_NOT_RECORDED, createAuditReader, type AuditReaderDeps } from './audit-reader.ts';
export { presentAccountAsOf, presentExplanation } from './present.ts';

// Compliance: the record of questions put to the audit API. Pure; no I/O, no clock.
export {
  AUDIT_LOG_STREAM, AUDIT_QUERIES, auditQueried,
  type AuditChannel, type AuditQueried, type AuditQueryArguments, type AuditQueryName,
} from './audit-queried.ts';

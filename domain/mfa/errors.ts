// The second factor's error codes: the contract with clients. Status per category, mapped at the edge:
// a missing, wrong or reused code is 401 (the caller has not proved who they are), a locked or absent
// factor 403 (nothing the caller sends now helps: enrol, or ask an admin).
import { LedgerError, type ErrorCategory, type ErrorDetails } from '../shared/errors.ts';

export const MFA_CODES = {
  required: 'MFA.REQUIRED',
  invalidCode: 'MFA.INVALID_CODE',
  codeReused: 'MFA.CODE_REUSED',
  locked: 'MFA.LOCKED',
  notEnrolled: 'MFA.NOT_ENROLLED',
  alreadyEnrolled: 'MFA.ALREADY_ENROLLED',
  enrolmentChanged: 'MFA.ENROLMENT_CHANGED',
  forbidden: 'MFA.FORBIDDEN',
  selfService: 'MFA.SELF_SERVICE',
  notLocked: 'MFA.NOT_LOCKED',
  nothingToReset: 'MFA.NOTHING_TO_RESET',
  reasonRequired: 'MFA.REASON_REQUIRED',
  secretUnreadable: 'MFA.SECRET_UNREADABLE',
  notConfigured: 'MFA.NOT_CONFIGURED',
} as const;

export type MfaCode = (typeof MFA_CODES)[keyof typeof MFA_CODES];

const CATEGORY: Record<MfaCode, ErrorCategory> = {
  'MFA.REQUIRED': 'unauthenticated',
  'MFA.INVALID_CODE': 'unauthenticated',
  'MFA.CODE_REUSED': 'unauthenticated',
  'MFA.LOCKED': 'forbidden',
  'MFA.NOT_ENROLLED': 'forbidden',
  'MFA.ALREADY_ENROLLED': 'conflict',
  'MFA.ENROLMENT_CHANGED': 'conflict',
  'MFA.FORBIDDEN': 'forbidden',
  'MFA.SELF_SERVICE': 'forbidden',
  'MFA.NOT_LOCKED': 'domain',
  'MFA.NOTHING_TO_RESET': 'domain',
  'MFA.REASON_REQUIRED': 'validation',
  'MFA.SECRET_UNREADABLE': 'internal',
  'MFA.NOT_CONFIGURED': 'internal',
};

export class MfaError extends LedgerError {
  constructor(code: MfaCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(code, CATEGORY[code], message, details, options);
  }
}

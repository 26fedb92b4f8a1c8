// Typed errors with stable string codes. Codes are the contract with clients (HTTP body `code`,
// GraphQL `extensions.code`); messages are for humans and may change. HTTP status is mapped once, at
// the edge, from the code's category (see infra/http/errors.ts).

export type ErrorCategory =
  | 'validation' // 400: the request itself is malformed
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409: concurrency or idempotency clash
  | 'domain' // 422: well-formed but refused by a business rule
  | 'unavailable' // 503: a backend is down; retry later
  | 'internal'; // 500

export type ErrorDetails = Readonly<Record<string, unknown>>;

export class LedgerError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly details: ErrorDetails;

  constructor(code: string, category: ErrorCategory, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.category = category;
    this.details = details;
  }

  toJSON(): { code: string; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** Input that can never be valid: a wrong shape, a missing field, an out-of-range value. */
export class ValidationError extends LedgerError {
  constructor(code: string, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(code, 'validation', message, details, options);
  }
}

/** A well-formed command refused by a business rule (an invalid order transition, an unknown account state). */
export class DomainError extends LedgerError {
  constructor(code: string, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(code, 'domain', message, details, options);
  }
}

export class NotFoundError extends LedgerError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, 'not_found', message, details);
  }
}

export const isLedgerError = (value: unknown): value is LedgerError => value instanceof LedgerError;

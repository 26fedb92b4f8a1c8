// The edge: error codes become HTTP statuses here and only here. Bodies are always { code, message, details }.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { LedgerError, type ErrorCategory } from '../../domain/shared/errors.ts';

export const STATUS_BY_CATEGORY: Record<ErrorCategory, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  domain: 422,
  unavailable: 503,
  internal: 500,
};

export interface ErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof LedgerError) {
    return { status: STATUS_BY_CATEGORY[error.category], body: { code: error.code, message: error.message, details: { ...error.details } } };
  }
  const fastifyError = error as Partial<FastifyError> & { validation?: unknown };
  if (fastifyError.validation) {
    return { status: 400, body: { code: 'REQUEST.INVALID', message: fastifyError.message ?? 'invalid request', details: { validation: fastifyError.validation } } };
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return { status, body: { code: `REQUEST.${fastifyError.code ?? 'INVALID'}`, message: fastifyError.message ?? 'invalid request', details: {} } };
  }
  return { status: 500, body: { code: 'INTERNAL', message: 'internal error; it has been logged', details: {} } };
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorResponse(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  void reply.status(status).send(body);
}

// GraphQL errors at the edge: every error leaves with extensions.code, ledger errors keep their stable
// code and details, anything unexpected is logged and answered as INTERNAL without its message.
import type { ExecutionResult, GraphQLError as GraphQLErrorType } from 'graphql';
import { GraphQLError } from './graphql-js.ts';
import type { MercuriusContext } from 'mercurius';
import { LedgerError, type ErrorCategory } from '../domain/shared/errors.ts';

const STATUS: Record<ErrorCategory, number> = { validation: 400, unauthenticated: 401, forbidden: 403, not_found: 404, conflict: 409, domain: 422, unavailable: 503, internal: 500 };

export interface FormattedError {
  message: string;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  path?: ReadonlyArray<string | number>;
  extensions: { code: string; [key: string]: unknown };
}

function flatten(errors: readonly GraphQLErrorType[]): GraphQLErrorType[] {
  return errors.flatMap((error) => {
    const nested = (error.originalError as { errors?: unknown } | undefined)?.errors;
    return Array.isArray(nested) ? flatten(nested.map((e) => (e instanceof GraphQLError ? e : new GraphQLError((e as Error).message, { originalError: e as Error })))) : [error];
  });
}

/** The code and status of one error; `internal` is true for errors whose message must not leave the server. */
export function classify(error: GraphQLErrorType): { code: string; status: number; details?: Record<string, unknown>; internal: boolean } {
  const original = error.originalError;
  if (original instanceof LedgerError) return { code: original.code, status: STATUS[original.category], details: { ...original.details }, internal: false };
  const existing = error.extensions?.code;
  if (typeof existing === 'string') return { code: existing, status: 400, internal: false };
  if (original === undefined || original instanceof GraphQLError) {
    return { code: error.message.startsWith('Syntax Error') ? 'GRAPHQL.PARSE_FAILED' : 'GRAPHQL.VALIDATION_FAILED', status: 400, internal: false };
  }
  const mercuriusCode = (original as { code?: unknown }).code;
  if (typeof mercuriusCode === 'string' && mercuriusCode.startsWith('MER_ERR_GQL')) return { code: 'GRAPHQL.VALIDATION_FAILED', status: 400, internal: false };
  return { code: 'INTERNAL', status: 500, internal: true };
}

/** extensions of an error that leaves the API: its code, and its details when it has any. */
export const extensionsOf = (code: string, details?: Record<string, unknown>): FormattedError['extensions'] =>
  (details && Object.keys(details).length > 0 ? { code, details } : { code });

export function formatError(error: GraphQLErrorType, log?: { error(details: object, message: string): void }): { body: FormattedError; status: number } {
  const { code, status, details, internal } = classify(error);
  if (internal) log?.error({ err: error.originalError ?? error, path: error.path }, 'GraphQL resolver failed');
  const json = error.toJSON();
  const extensions = extensionsOf(code, details);
  return {
    status,
    body: { message: internal ? 'internal error; it has been logged' : error.message, ...(json.locations ? { locations: json.locations } : {}), ...(json.path ? { path: json.path } : {}), extensions },
  };
}

/** mercurius errorFormatter: partial data answers 200; a request refused as a whole answers its error's status. */
export function errorFormatter(execution: ExecutionResult & { errors: readonly GraphQLErrorType[] }, context: MercuriusContext): { statusCode: number; response: ExecutionResult } {
  const log = context.reply?.log ?? context.app?.log;
  const formatted = flatten(execution.errors).map((e) => formatError(e, log));
  const statusCode = execution.data ? 200 : (formatted[0]?.status ?? 200);
  return { statusCode, response: { data: execution.data ?? null, errors: formatted.map((f) => f.body) as unknown as GraphQLErrorType[] } };
}

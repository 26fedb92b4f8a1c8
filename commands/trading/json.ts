// Bigint-safe JSON for what the trading service keeps outside the event store (idempotency records, the
// broker's checkpoint): a bigint is written as {"$bigint":"<digits>"} and read back as a bigint.
import { createHash } from 'node:crypto';

import { BIGINT_TAG, decodeJson, encodeJson } from '../../domain/shared/json.ts';

export const toJson = encodeJson;
export const fromJson = <T>(text: string): T => decodeJson<T>(text);

/** Key order does not change the digest, so the same body sent twice by different clients still matches. */
function canonical(value: unknown): unknown {
  if (typeof value === 'bigint') return { [BIGINT_TAG]: value.toString() };
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

export const digestOf = (value: unknown): string => createHash('sha256').update(JSON.stringify(canonical(value))).digest('base64url');

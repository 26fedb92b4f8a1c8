// Bigint-safe JSON, the one codec for everything the ledger serializes (event payloads, idempotency
// records, checkpoints): a bigint is written as {"$bigint":"<digits>"} and read back as a bigint.
export const BIGINT_TAG = '$bigint';

const replacer = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? { [BIGINT_TAG]: value.toString() } : value);

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const tagged = (value as Record<string, unknown>)[BIGINT_TAG];
    if (typeof tagged === 'string' && Object.keys(value).length === 1) return BigInt(tagged);
  }
  return value;
}

export const encodeJson = (value: unknown): string => JSON.stringify(value, replacer);
export const decodeJson = <T = unknown>(text: string): T => JSON.parse(text, reviver) as T;

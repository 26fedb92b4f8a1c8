// Bigint-safe JSON for event payloads. A bigint is written as {"$bigint":"<digits>"} and read back as a
// bigint; any other number must be finite and, if integral, a safe integer, so nothing silently loses
// precision on the way through JSON, jsonb or the network.
import { ValidationError } from '../../domain/shared/errors.ts';
import type { JsonValue } from '../../domain/ports/event-store.ts';
import { BIGINT_TAG, decodeJson as decodeSharedJson } from '../../domain/shared/json.ts';

export class NotSerializable extends ValidationError {
  constructor(path: string, reason: string) {
    super('EVENT_STORE.NOT_SERIALIZABLE', `event payload is not serializable at ${path}: ${reason}`, { path, reason });
  }
}

/** Checks a value is plain JSON (plus bigint), without cycles; throws NotSerializable naming the path. */
export function assertSerializable(value: unknown, path = '$', seen: Set<object> = new Set()): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new NotSerializable(path, `${value} is not a finite number`);
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) throw new NotSerializable(path, `${value} is beyond the safe integer range: use a bigint`);
      return;
    case 'object': {
      if (value === null) return;
      if (seen.has(value)) throw new NotSerializable(path, 'circular reference');
      const proto: unknown = Object.getPrototypeOf(value);
      if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
        throw new NotSerializable(path, `${value.constructor?.name ?? 'object'} is not a plain object (convert dates to ISO strings)`);
      }
      seen.add(value);
      if (Array.isArray(value)) value.forEach((item, i) => assertSerializable(item, `${path}[${i}]`, seen));
      else for (const [key, item] of Object.entries(value)) {
        if (key === BIGINT_TAG) throw new NotSerializable(path, `the key ${BIGINT_TAG} is reserved`);
        assertSerializable(item, `${path}.${key}`, seen);
      }
      seen.delete(value);
      return;
    }
    default:
      throw new NotSerializable(path, `${typeof value} is not JSON`);
  }
}

export { encodeJson } from '../../domain/shared/json.ts';
export const decodeJson = <T = JsonValue>(text: string): T => decodeSharedJson<T>(text);

/** Thrown inside JSON.stringify to stop at the first value that is not plain JSON. */
class Refused extends Error {}

function checkingReplacer(this: unknown, key: string, value: unknown): unknown {
  // toJSON has run before the replacer (a Date is a string by now): what the holder has is what counts
  const original = (this as Record<string, unknown>)[key];
  if (original !== value && typeof original === 'object' && original !== null) throw new Refused();
  switch (typeof value) {
    case 'bigint':
      return { [BIGINT_TAG]: value.toString() };
    case 'number':
      if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) throw new Refused();
      return value;
    case 'string':
    case 'boolean':
      return value;
    case 'object': {
      if (value === null || Array.isArray(value)) return value;
      const proto: unknown = Object.getPrototypeOf(value);
      if ((proto !== Object.prototype && proto !== null) || BIGINT_TAG in value) throw new Refused();
      return value;
    }
    default:
      throw new Refused();
  }
}

const MAX_PLAIN_DEPTH = 32;

/**
 * True when `value` is plain JSON without a bigint: JSON.stringify alone then writes what the checking
 * replacer would, several times faster (a replacer turns off V8's fast serializer). Anything else, and
 * anything nested deeper than MAX_PLAIN_DEPTH (a cycle, say), is left to the replacer.
 */
function plainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value));
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_PLAIN_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i += 1) if (!plainJson(value[i], depth + 1)) return false;
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if ((proto !== Object.prototype && proto !== null) || BIGINT_TAG in value) return false;
      for (const key in value) if (!plainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

/**
 * Encodes and checks in one walk: the hot path of an append (a payload without bigints in a check walk
 * and the plain encoder). On a refusal the slow, precise check runs to name the path and the reason.
 */
export function encodeCheckedJson(value: unknown, path: string): string {
  try {
    if (plainJson(value, 0)) return JSON.stringify(value);
    return JSON.stringify(value, checkingReplacer);
  } catch (error) {
    assertSerializable(value, path);
    throw new NotSerializable(path, error instanceof Refused ? 'not plain JSON' : (error as Error).message);
  }
}

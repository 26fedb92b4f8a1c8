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
const REFUSED = Symbol('refused');

/**
 * `value` as plain JSON that JSON.stringify alone writes as the checking replacer would: bigints tagged,
 * copying only the objects and arrays on the way to one (a payload without bigints comes back as it
 * is). REFUSED for anything the replacer would refuse, and for anything nested deeper than
 * MAX_PLAIN_DEPTH (a cycle, say): those are left to the replacer. A replacer turns off V8's fast
 * serializer, so this walk and the plain encoder take about half the time.
 */
function plainForm(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'bigint':
      return { [BIGINT_TAG]: value.toString() };
    case 'number':
      return Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value)) ? value : REFUSED;
    case 'object': {
      if (value === null) return value;
      if (depth >= MAX_PLAIN_DEPTH) return REFUSED;
      if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let i = 0; i < value.length; i += 1) {
          const item: unknown = value[i];
          const plain = plainForm(item, depth + 1);
          if (plain === REFUSED) return REFUSED;
          if (plain !== item) copy ??= value.slice(0, i);
          copy?.push(plain);
        }
        return copy ?? value;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if ((proto !== Object.prototype && proto !== null) || BIGINT_TAG in value) return REFUSED;
      const source = value as Record<string, unknown>;
      let copy: Record<string, unknown> | undefined;
      for (const key in source) {
        const item = source[key];
        const plain = plainForm(item, depth + 1);
        if (plain === REFUSED) return REFUSED;
        if (plain !== item && copy === undefined) {
          copy = Object.create(null) as Record<string, unknown>; // a "__proto__" key stays a key
          for (const earlier in source) {
            if (earlier === key) break;
            copy[earlier] = source[earlier];
          }
        }
        if (copy !== undefined) copy[key] = plain;
      }
      return copy ?? value;
    }
    default:
      return REFUSED;
  }
}

/**
 * Encodes and checks in one walk: the hot path of an append (see plainForm). On a refusal the slow,
 * precise check runs to name the path and the reason.
 */
export function encodeCheckedJson(value: unknown, path: string): string {
  try {
    const plain = plainForm(value, 0);
    return plain === REFUSED ? JSON.stringify(value, checkingReplacer) : JSON.stringify(plain);
  } catch (error) {
    assertSerializable(value, path);
    throw new NotSerializable(path, error instanceof Refused ? 'not plain JSON' : (error as Error).message);
  }
}

// validateAppend reads event ids by hand and checks a type once per run of events sharing it: it must
// accept and refuse exactly what the regular expression and the per-event checks did.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateAppend } from '../../../infra/event-store/validation.ts';
import type { ValidationError } from '../../../domain/shared/errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const code = (run: () => void): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as ValidationError).code;
  }
};

describe('validateAppend', () => {
  it('takes as an event id exactly what the uuid regular expression takes', () => {
    const chars = fc.constantFrom(...'0123456789abcdefABCDEFgG-xz '.split(''));
    const nearUuid = fc.tuple(fc.uuid(), fc.nat({ max: 35 }), chars).map(([id, at, char]) => id.slice(0, at) + char + id.slice(at + 1));
    const anyText = fc.array(chars, { minLength: 30, maxLength: 40 }).map((c) => c.join(''));
    fc.assert(fc.property(fc.oneof(fc.uuid(), fc.uuid().map((id) => id.toUpperCase()), nearUuid, anyText), (eventId) => {
      const refused = code(() => validateAppend('s-1', [{ eventId, type: 'T', data: {} }], 'any'));
      expect(refused).toBe(UUID.test(eventId) ? undefined : 'EVENT_STORE.INVALID_EVENT_ID');
    }), { numRuns: 30_000 });
  });

  it('checks the type of every event, whichever event of a run of the same type comes first', () => {
    const id = () => crypto.randomUUID();
    const event = (type: unknown) => ({ eventId: id(), type, data: {} });
    expect(code(() => validateAppend('s-1', [event('T'), event('T'), event('T\u0000')], 'any'))).toBe('EVENT_STORE.INVALID_EVENT_TYPE');
    expect(code(() => validateAppend('s-1', [event('T'), event('T'), event('')], 'any'))).toBe('EVENT_STORE.MISSING_EVENT_TYPE');
    expect(code(() => validateAppend('s-1', [event('T'), event(undefined)], 'any'))).toBe('EVENT_STORE.MISSING_EVENT_TYPE');
    expect(code(() => validateAppend('s-1', [event(undefined), event('T')], 'any'))).toBe('EVENT_STORE.MISSING_EVENT_TYPE');
    expect(code(() => validateAppend('s-1', [event('T'), event('U'), event('T'), event('x'.repeat(201))], 'any'))).toBe('EVENT_STORE.INVALID_EVENT_TYPE');
    expect(code(() => validateAppend('s-1', [event('T'), event('U'), event('T')], 'any'))).toBeUndefined();
  });
});

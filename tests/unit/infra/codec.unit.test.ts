import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertSerializable, decodeJson, encodeCheckedJson, encodeJson } from '../../../infra/event-store/codec.ts';

class Money { constructor(readonly cents: bigint) {} toJSON() { return String(this.cents); } }

describe('payload codec', () => {
  it.each([
    ['a function', { f: () => 1 }],
    ['undefined', { u: undefined }],
    ['a symbol', { s: Symbol('x') }],
    ['NaN', { n: Number.NaN }],
    ['Infinity', { n: Number.POSITIVE_INFINITY }],
    ['an unsafe integer', { n: 2 ** 60 }],
    ['a Date', { d: new Date(0) }],
    ['a Map', { m: new Map([[1, 2]]) }],
    ['a class with toJSON', { m: new Money(5n) }],
    ['the reserved $bigint key', { x: { $bigint: '1' } }],
    ['a Date inside an array', { list: [1, new Date(0)] }],
  ])('refuses %s while encoding, naming the path, as the full check does', (_label, value) => {
    expect(() => assertSerializable(value, '$')).toThrow();
    expect(() => encodeCheckedJson(value, 'events[0].data')).toThrow(expect.objectContaining({ code: 'EVENT_STORE.NOT_SERIALIZABLE' }) as Error);
  });

  it('refuses a circular structure', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => encodeCheckedJson(loop, '$')).toThrow(expect.objectContaining({ code: 'EVENT_STORE.NOT_SERIALIZABLE' }) as Error);
  });

  it('encodes exactly what the plain encoder does for any valid payload, and round-trips it', () => {
    const payload = fc.jsonValue().map((v) => ({ v, n: 12_345_678_901_234_567_890n, nested: [1n, -2n, { x: 'ü' }] }));
    fc.assert(fc.property(payload, (value) => {
      let plainOk = true;
      try { assertSerializable(value); } catch { plainOk = false; }
      if (!plainOk) return; // fc.jsonValue may produce -0 or keys the full check refuses; both must agree then
      const checked = encodeCheckedJson(value, '$');
      expect(checked).toBe(encodeJson(value));
      expect(encodeJson(decodeJson(checked))).toBe(checked); // -0 becomes 0 in any JSON, so compare encodings
    }), { numRuns: 300 });
  });

  it('encodes payloads without bigints as the plain encoder does, deep ones included', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
      let plainOk = true;
      try { assertSerializable(value); } catch { plainOk = false; }
      if (!plainOk) return;
      expect(encodeCheckedJson(value, '$')).toBe(JSON.stringify(value));
    }), { numRuns: 500 });
    let deep: unknown = { leaf: 'x' };
    for (let i = 0; i < 100; i += 1) deep = i % 2 === 0 ? [deep] : { d: deep };
    expect(encodeCheckedJson(deep, '$')).toBe(JSON.stringify(deep));
    let deepBig: unknown = { leaf: 7n };
    for (let i = 0; i < 100; i += 1) deepBig = { d: deepBig };
    expect(decodeJson(encodeCheckedJson(deepBig, '$'))).toEqual(deepBig);
  });

  it('tags bigints at any depth exactly as a tagging replacer does', () => {
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' },
        fc.bigInt(), fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
        fc.array(tie('tree'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('tree'), { maxKeys: 4 })),
    }));
    const tagging = (_key: string, x: unknown) => (typeof x === 'bigint' ? { $bigint: x.toString() } : x);
    fc.assert(fc.property(tree, (value) => {
      let plainOk = true;
      try { assertSerializable(value); } catch { plainOk = false; }
      if (!plainOk) return;
      expect(encodeCheckedJson(value, '$')).toBe(JSON.stringify(value, tagging));
    }), { numRuns: 1_000 });
    const awkward = JSON.parse('{"b":1,"__proto__":{"x":2},"2":3,"1":[4]}') as Record<string, unknown>;
    awkward.big = 5n;
    expect(encodeCheckedJson(awkward, '$')).toBe('{"1":[4],"2":3,"b":1,"__proto__":{"x":2},"big":{"$bigint":"5"}}');
  });

  it('writes a flat payload (a tick\'s) as the tagging replacer does, keys in the same order, and refuses what it must', () => {
    const scalar = fc.oneof(fc.bigInt(), fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
    const key = fc.oneof(fc.string(), fc.constantFrom('0', '10', '2', '__proto__', 'a"b', 'ü\n'));
    const tagging = (_key: string, x: unknown) => (typeof x === 'bigint' ? { $bigint: x.toString() } : x);
    fc.assert(fc.property(fc.dictionary(key, scalar, { maxKeys: 8 }), (value) => {
      let plainOk = true;
      try { assertSerializable(value); } catch { plainOk = false; }
      if (!plainOk) return;
      expect(encodeCheckedJson(value, '$')).toBe(JSON.stringify(value, tagging));
    }), { numRuns: 1_000 });
    const tick = { symbol: 'XAUUSD', source: 'csv:a.csv#0123456789ab', sequence: 7n, bid: 212_000n, ask: 212_030n, timestamp: '2026-11-23T22:30:00.000Z', volume: 3n, history: true };
    expect(encodeCheckedJson(tick, '$')).toBe(
      '{"symbol":"XAUUSD","source":"csv:a.csv#0123456789ab","sequence":{"$bigint":"7"},"bid":{"$bigint":"212000"},"ask":{"$bigint":"212030"},"timestamp":"2026-11-23T22:30:00.000Z","volume":{"$bigint":"3"},"history":true}',
    );
    expect(encodeCheckedJson({}, '$')).toBe('{}');
    for (const refused of [{ a: 1, u: undefined }, { n: 2 ** 60 }, { $bigint: '1' }, { d: new Date(0) }]) {
      expect(() => encodeCheckedJson(refused, '$')).toThrow(expect.objectContaining({ code: 'EVENT_STORE.NOT_SERIALIZABLE' }) as Error);
    }
  });

  it('turns tagged bigints back at any depth, and leaves an object with other keys beside the tag alone', () => {
    expect(decodeJson('[{"a":[{"$bigint":"-5"},{"b":{"$bigint":"12345678901234567890"}}]},{"$bigint":"1","c":1},{"$bigint":2}]')).toEqual([
      { a: [-5n, { b: 12_345_678_901_234_567_890n }] }, { $bigint: '1', c: 1 }, { $bigint: 2 },
    ]);
    const own = decodeJson<object>('{"__proto__":{"$bigint":"3"}}');
    expect(Object.getOwnPropertyDescriptor(own, '__proto__')?.value).toBe(3n);
    expect(Object.getPrototypeOf(own)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(decodeJson('{"__proto__":{"x":1}}'))).toBe(Object.prototype);
  });
});

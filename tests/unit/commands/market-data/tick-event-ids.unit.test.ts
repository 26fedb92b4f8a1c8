// A tick's event id must never change between releases: a redelivered tick is recognised by it. The
// hand-written SHA-1 behind uuidV5 is checked here against node:crypto.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uuidV5 } from '../../../../commands/handling/event-ids.ts';
import { tickEventId } from '../../../../commands/market-data/tick-event-id.ts';
import { tickContentIdentity } from '../../../../commands/market-data/importers/tick-identity.ts';
import { tickIdempotencyKey } from '../../../../domain/market-data/index.ts';

const NICEGOLD_NAMESPACE = '6f1f7f4e-5d0b-4c55-9a55-1c3e2b9d4a10';

function referenceUuidV5(name: string, namespace = NICEGOLD_NAMESPACE): string {
  const hash = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

describe('tick event ids', () => {
  it('match the RFC 9562 uuid v5 example for the DNS namespace', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('equal the node:crypto uuid v5 of the tick idempotency key', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), (source, sequence) => {
      const key = tickIdempotencyKey('XAUUSD', source, sequence);
      expect(uuidV5(key)).toBe(referenceUuidV5(key));
    }), { numRuns: 2_000 });
  });

  it('equal the node:crypto uuid v5 for any text, across SHA-1 block boundaries', () => {
    for (let length = 0; length <= 200; length += 1) expect(uuidV5('x'.repeat(length))).toBe(referenceUuidV5('x'.repeat(length)));
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (name) => {
      expect(uuidV5(name)).toBe(referenceUuidV5(name));
    }), { numRuns: 2_000 });
    expect(uuidV5('\ud800 lone surrogate')).toBe(referenceUuidV5('\ud800 lone surrogate'));
  });

  it('are the same by node:crypto\'s one-shot hash (tickEventId) as by uuidV5: a tick recorded before keeps its id', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (name) => {
      expect(tickEventId(name)).toBe(uuidV5(name));
    }), { numRuns: 5_000 });
    fc.assert(fc.property(
      fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
      fc.integer({ min: 1, max: 9_999_999 }), fc.integer({ min: 0, max: 500 }), fc.nat({ max: 9 }),
      (timestamp, bidUnits, spread, occurrence) => {
        const price = (units: number) => `${Math.floor(units / 100)}.${String(units % 100).padStart(2, '0')}`;
        const name = tickContentIdentity({ symbol: 'XAUUSD', timestamp, bid: price(bidUnits), ask: price(bidUnits + spread), volume: String(occurrence) }, occurrence);
        expect(tickEventId(name)).toBe(uuidV5(name));
      },
    ), { numRuns: 5_000 });
    expect(tickEventId('\ud800 lone surrogate')).toBe(uuidV5('\ud800 lone surrogate'));
    expect(tickEventId('')).toBe(uuidV5(''));
    // Longer than the reused buffer, then short again: the buffer grows and keeps the namespace.
    for (const name of ['\u20ac'.repeat(2_000), 'x'.repeat(5_000), 'short']) expect(tickEventId(name)).toBe(uuidV5(name));
  });
});

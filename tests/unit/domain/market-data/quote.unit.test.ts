import { describe, expect, it } from 'vitest';
import { isQuoteFresh, newerQuote, quoteAge, quoteFromTick, type LatestQuote } from '../../../../domain/market-data/index.ts';

const AT = new Date('2026-11-23T10:00:00.000Z');
const later = (ms: number): Date => new Date(AT.getTime() + ms);
const quote: LatestQuote = quoteFromTick({ symbol: 'XAUUSD', source: 'lp-a', sequence: 9n, bid: 240_000n, ask: 240_031n, timestamp: AT });

describe('latest quote', () => {
  it('carries bid, ask, the rounded mid and where the price came from', () => {
    expect(quote).toEqual({ symbol: 'XAUUSD', bid: 240_000n, ask: 240_031n, mid: 240_016n, timestamp: AT, source: 'lp-a', sequence: 9n });
  });

  it('ages with the time it is read at', () => {
    expect(quoteAge(quote, AT)).toBe(0);
    expect(quoteAge(quote, later(1_500))).toBe(1_500);
  });

  it('a tick stamped slightly ahead of now (allowed skew) reads as age 0, not negative', () => {
    expect(quoteAge(quote, later(-300))).toBe(0);
  });

  it('is fresh up to the maximum age and stale one millisecond after', () => {
    expect(isQuoteFresh(quote, later(5_000), 5_000)).toBe(true);
    expect(isQuoteFresh(quote, later(5_001), 5_000)).toBe(false);
  });

  it('never fails open: no quote, or an invalid now, is not fresh', () => {
    expect(isQuoteFresh(undefined, AT, 60_000)).toBe(false);
    expect(isQuoteFresh(quote, new Date(Number.NaN), 60_000)).toBe(false);
  });

  it('only moves forward in tick time: an older tick from a slower source does not replace a newer price', () => {
    const older = { ...quote, source: 'lp-b', timestamp: later(-200), bid: 239_000n };
    const newer = { ...quote, source: 'lp-b', timestamp: later(200), bid: 241_000n };
    expect(newerQuote(undefined, quote)).toBe(quote);
    expect(newerQuote(quote, older)).toBe(quote);
    expect(newerQuote(quote, newer)).toBe(newer);
  });
});

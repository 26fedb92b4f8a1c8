// Integer fixed-point numbers for the ledger. Every price, quantity, cash amount and P&L is a bigint
// count of the smallest unit (price units, quantity steps, minor currency units). Decimal text is
// converted here and nowhere else; floats never enter ledger math.
import { ValidationError } from './errors.ts';

export type Rounding = 'exact' | 'half_even' | 'half_up' | 'down' | 'up' | 'floor' | 'ceil';

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;
/** Guard against absurd inputs; far above any price, quantity or balance a desk will see. */
export const MAX_DECIMAL_DIGITS = 30;

/**
 * Parses decimal text ("2345.67", "-0.5") into an integer count of 10^-scale units.
 * With rounding 'exact' (the default) more fractional digits than `scale` is a validation error.
 */
export function parseUnits(text: string, scale: number, rounding: Rounding = 'exact'): bigint {
  assertScale(scale);
  const plain = typeof text === 'string' ? plainUnits(text, scale) : undefined;
  if (plain !== undefined) return plain;
  const match = typeof text === 'string' ? DECIMAL.exec(text.trim()) : null;
  if (!match) throw new ValidationError('NUMBER.MALFORMED', `not a decimal number: ${JSON.stringify(text)}`);
  const [, sign, whole = '', fraction = ''] = match;
  if (whole.length + fraction.length > MAX_DECIMAL_DIGITS) throw new ValidationError('NUMBER.TOO_LARGE', `too many digits: ${text}`);
  const digits = BigInt(whole + fraction.padEnd(scale, '0').slice(0, Math.max(scale, 0)) || '0');
  const extra = fraction.length > scale ? fraction.slice(scale) : '';
  let units = digits;
  if (/[1-9]/.test(extra)) {
    if (rounding === 'exact') throw new ValidationError('NUMBER.TOO_PRECISE', `${text} has more than ${scale} decimal places`, { scale });
    const divisor = 10n ** BigInt(extra.length);
    units = roundQuotient(digits * divisor + BigInt(extra), divisor, rounding, sign === '-');
  }
  return sign === '-' ? -units : units;
}

/**
 * The common case read by hand (every tick's bid and ask): digits, then optionally a point and at most
 * `scale` digits, 15 digits in all with the scale's zeros, so the count is a safe integer and exact.
 * Undefined for anything else (a sign, spaces, more decimals, more digits): parseUnits reads it the general way.
 */
function plainUnits(text: string, scale: number): bigint | undefined {
  const length = text.length;
  if (length === 0 || length > 16) return undefined;
  let units = 0;
  let point = -1;
  for (let i = 0; i < length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 46 && point < 0 && i > 0 && i < length - 1) {
      point = i;
      continue;
    }
    const digit = code - 48;
    if (digit < 0 || digit > 9) return undefined;
    units = units * 10 + digit;
  }
  const decimals = point < 0 ? 0 : length - point - 1;
  const digits = point < 0 ? length : length - 1;
  if (decimals > scale || digits + scale - decimals > 15) return undefined;
  return BigInt(units * 10 ** (scale - decimals));
}

/** Formats an integer count of 10^-scale units as decimal text with exactly `scale` places. */
export function formatUnits(units: bigint, scale: number): string {
  assertScale(scale);
  const negative = units < 0n;
  const abs = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${abs.slice(0, -scale)}.${abs.slice(-scale)}` : abs;
  return negative ? `-${text}` : text;
}

// A scale is a property of an instrument or currency, never user input; a bad one is a programming error,
// and without this check a negative or fractional scale silently misreads the digits.
function assertScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 0 || scale > MAX_DECIMAL_DIGITS) {
    throw new RangeError(`scale must be an integer from 0 to ${MAX_DECIMAL_DIGITS}, got ${scale}`);
  }
}

/** a * b / c with explicit rounding; c must be non-zero. The one place ledger division happens. */
export function mulDiv(a: bigint, b: bigint, c: bigint, rounding: Rounding = 'half_even'): bigint {
  if (c === 0n) throw new RangeError('division by zero');
  const numerator = a * b;
  const negative = numerator < 0n !== c < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = c < 0n ? -c : c;
  if (rounding === 'exact' && n % d !== 0n) throw new ValidationError('NUMBER.INEXACT', `${a} * ${b} / ${c} is not an integer`);
  const q = roundQuotient(n, d, rounding, negative);
  return negative ? -q : q;
}

/** Rounds n / d (both >= 0) for a result whose sign is `negative`. */
function roundQuotient(n: bigint, d: bigint, rounding: Rounding, negative: boolean): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  switch (rounding) {
    case 'exact':
    case 'down':
      return q;
    case 'up':
      return q + 1n;
    case 'floor':
      return negative ? q + 1n : q;
    case 'ceil':
      return negative ? q : q + 1n;
    case 'half_up':
      return 2n * r >= d ? q + 1n : q;
    case 'half_even':
      return 2n * r > d || (2n * r === d && q % 2n === 1n) ? q + 1n : q;
  }
}

export const absBig = (x: bigint): bigint => (x < 0n ? -x : x);
export const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);

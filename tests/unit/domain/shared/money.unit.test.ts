import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUnits, MAX_DECIMAL_DIGITS, mulDiv, parseUnits, type Rounding } from '../../../../domain/shared/money.ts';
import { ValidationError } from '../../../../domain/shared/errors.ts';

const LIMIT = 10n ** BigInt(MAX_DECIMAL_DIGITS); // every magnitude below this has at most MAX_DECIMAL_DIGITS digits
const units = fc.bigInt({ min: -LIMIT + 1n, max: LIMIT - 1n });
const scale = fc.integer({ min: 0, max: 8 });
const INEXACT_MODES: readonly Exclude<Rounding, 'exact'>[] = ['half_even', 'half_up', 'down', 'up', 'floor', 'ceil'];
const roundingMode = fc.constantFrom(...INEXACT_MODES);

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.code;
    throw error;
  }
  return 'accepted';
}

/** Decimal text written independently of formatUnits: sign, integer part, then exactly `s` places. */
function referenceText(x: bigint, s: number): string {
  const magnitude = x < 0n ? -x : x;
  const one = 10n ** BigInt(s);
  const fraction = s > 0 ? `.${(magnitude % one).toString().padStart(s, '0')}` : '';
  return `${x < 0n ? '-' : ''}${magnitude / one}${fraction}`;
}

/**
 * Checks that r is n / d rounded by `mode`, by exact rational comparison (integers only, no division):
 * r is the right neighbour of n / d and, for half modes, ties go the right way.
 */
function isRoundedQuotient(r: bigint, n: bigint, d: bigint, mode: Rounding): boolean {
  if (d < 0n) return isRoundedQuotient(r, -n, -d, mode);
  const below = r * d <= n && n < (r + 1n) * d; // r = floor(n / d)
  const above = (r - 1n) * d < n && n <= r * d; // r = ceil(n / d)
  const twiceGap = 2n * (n - r * d); // 2 * (n/d - r) * d, signed
  const nearest = -d <= twiceGap && twiceGap <= d;
  const tie = twiceGap === d || twiceGap === -d;
  switch (mode) {
    case 'exact':
      return r * d === n;
    case 'floor':
      return below;
    case 'ceil':
      return above;
    case 'down':
      return n >= 0n ? below : above;
    case 'up':
      return n >= 0n ? above : below;
    case 'half_up':
      return nearest && (!tie || (n >= 0n ? r * d > n : r * d < n));
    case 'half_even':
      return nearest && (!tie || r % 2n === 0n);
  }
}

describe('formatUnits / parseUnits round trip', () => {
  it('parse(format(x)) = x for every amount within the digit bound and scale 0..8', () => {
    fc.assert(
      fc.property(units, scale, (x, s) => {
        expect(parseUnits(formatUnits(x, s), s)).toBe(x);
      }),
      { numRuns: 3_000 },
    );
  });

  it('format writes the sign, the integer part and exactly `scale` places', () => {
    fc.assert(
      fc.property(units, scale, (x, s) => {
        expect(formatUnits(x, s)).toBe(referenceText(x, s));
      }),
      { numRuns: 3_000 },
    );
  });

  it.each([
    [234_567n, 2, '2345.67'],
    [-5n, 2, '-0.05'],
    [0n, 2, '0.00'],
    [7n, 0, '7'],
    [-1n, 8, '-0.00000001'],
  ])('formatUnits(%s, %s) = %s', (x, s, text) => {
    expect(formatUnits(x, s)).toBe(text);
    expect(parseUnits(text, s)).toBe(x);
  });

  it('accepts an explicit plus sign, leading zeros, trailing zeros and surrounding spaces', () => {
    expect(parseUnits('+0012.50', 2)).toBe(1_250n);
    expect(parseUnits('  2345.670000 ', 2)).toBe(234_567n);
  });
});

describe('sign conventions', () => {
  const unsignedText = fc
    .tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 12 }))
    .map(([digits, places]) => referenceText(digits, places));

  it('parse(-t) = -parse(t) for every symmetric rounding mode', () => {
    fc.assert(
      fc.property(unsignedText, scale, fc.constantFrom<Rounding>('half_even', 'half_up', 'down', 'up'), (t, s, mode) => {
        expect(parseUnits(`-${t}`, s, mode)).toBe(-parseUnits(t, s, mode));
      }),
    );
  });

  it('floor of -t is minus the ceiling of t', () => {
    fc.assert(
      fc.property(unsignedText, scale, (t, s) => {
        expect(parseUnits(`-${t}`, s, 'floor')).toBe(-parseUnits(t, s, 'ceil'));
        expect(parseUnits(`-${t}`, s, 'ceil')).toBe(-parseUnits(t, s, 'floor'));
      }),
    );
  });

  it('minus zero is zero', () => {
    expect(parseUnits('-0.00', 2)).toBe(0n);
    expect(formatUnits(parseUnits('-0', 2), 2)).toBe('0.00');
  });

  it('mulDiv flips its sign with any one operand', () => {
    fc.assert(
      fc.property(units, units, units.filter((c) => c !== 0n), fc.constantFrom<Rounding>('half_even', 'half_up', 'down', 'up'), (a, b, c, mode) => {
        const r = mulDiv(a, b, c, mode);
        expect(mulDiv(-a, b, c, mode)).toBe(-r);
        expect(mulDiv(a, b, -c, mode)).toBe(-r);
      }),
    );
  });
});

describe('rounding', () => {
  it('mulDiv agrees with exact rational comparison in every mode', () => {
    fc.assert(
      fc.property(units, fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }), units.filter((c) => c !== 0n), roundingMode, (a, b, c, mode) => {
        expect(isRoundedQuotient(mulDiv(a, b, c, mode), a * b, c, mode)).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it('mulDiv agrees on small operands, where ties are frequent', () => {
    const small = fc.bigInt({ min: -40n, max: 40n });
    fc.assert(
      fc.property(small, small, small.filter((c) => c !== 0n), roundingMode, (a, b, c, mode) => {
        expect(isRoundedQuotient(mulDiv(a, b, c, mode), a * b, c, mode)).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it('parseUnits rounds extra places like the exact quotient of the digits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 1, max: 9 }), scale, roundingMode, (n, places, s, mode) => {
        fc.pre(places > s);
        const r = parseUnits(referenceText(n, places), s, mode);
        expect(isRoundedQuotient(r, n, 10n ** BigInt(places - s), mode)).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it.each<[string, Rounding, string]>([
    ['2.5', 'half_even', '2'],
    ['3.5', 'half_even', '4'],
    ['-2.5', 'half_even', '-2'],
    ['-3.5', 'half_even', '-4'],
    ['2.5', 'half_up', '3'],
    ['-2.5', 'half_up', '-3'],
    ['2.51', 'half_even', '3'],
    ['2.49', 'half_up', '2'],
    ['-2.7', 'down', '-2'],
    ['-2.1', 'up', '-3'],
    ['-2.1', 'floor', '-3'],
    ['-2.9', 'ceil', '-2'],
    ['2.1', 'ceil', '3'],
    ['2.9', 'floor', '2'],
  ])('%s rounded %s to a whole unit is %s', (text, mode, expected) => {
    expect(parseUnits(text, 0, mode)).toBe(BigInt(expected));
  });

  it('half_even sends exact ties to the even neighbour in mulDiv', () => {
    expect([1n, 3n, 5n, 7n, -1n, -3n].map((n) => mulDiv(n, 1n, 2n, 'half_even'))).toEqual([0n, 2n, 2n, 4n, 0n, -2n]);
    expect(mulDiv(2_345_675n, 1n, 10n)).toBe(234_568n); // the default mode is half_even
    expect(mulDiv(2_345_665n, 1n, 10n)).toBe(234_566n);
  });
});

describe("'exact' refuses to lose precision", () => {
  it('extra non-zero places are NUMBER.TOO_PRECISE; extra zeros are fine', () => {
    expect(codeOf(() => parseUnits('2345.671', 2))).toBe('NUMBER.TOO_PRECISE');
    expect(codeOf(() => parseUnits('0.5', 0, 'exact'))).toBe('NUMBER.TOO_PRECISE');
    expect(parseUnits('2345.6700', 2)).toBe(234_567n);
  });

  it('for any amount with more places than the scale, exact parse refuses unless the extra digits are zero', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.integer({ min: 1, max: 10 }), scale, (n, places, s) => {
        fc.pre(places > s);
        const lost = n % 10n ** BigInt(places - s) !== 0n;
        expect(codeOf(() => parseUnits(referenceText(n, places), s, 'exact'))).toBe(lost ? 'NUMBER.TOO_PRECISE' : 'accepted');
      }),
    );
  });

  it('mulDiv exact refuses a remainder with NUMBER.INEXACT and returns an exact quotient', () => {
    expect(codeOf(() => mulDiv(10n, 1n, 3n, 'exact'))).toBe('NUMBER.INEXACT');
    expect(mulDiv(-12n, 5n, 4n, 'exact')).toBe(-15n);
  });

  it('mulDiv refuses division by zero', () => {
    expect(() => mulDiv(1n, 1n, 0n)).toThrow(RangeError);
  });
});

describe('malformed and oversized text', () => {
  it.each(['', ' ', '1e5', '1.2.3', 'NaN', '--1', '+-1', '.5', '5.', '1,000', '0x10', 'Infinity', '1 000', '٣', '-', '12a'])(
    '%j is NUMBER.MALFORMED',
    (text) => {
      expect(codeOf(() => parseUnits(text, 2))).toBe('NUMBER.MALFORMED');
    },
  );

  it('a value that is not text is NUMBER.MALFORMED', () => {
    expect(codeOf(() => parseUnits(12 as unknown as string, 2))).toBe('NUMBER.MALFORMED');
    expect(codeOf(() => parseUnits(null as unknown as string, 2))).toBe('NUMBER.MALFORMED');
  });

  it('more digits than the bound is NUMBER.TOO_LARGE, however they are split', () => {
    expect(codeOf(() => parseUnits('9'.repeat(MAX_DECIMAL_DIGITS), 0))).toBe('accepted');
    expect(codeOf(() => parseUnits('9'.repeat(MAX_DECIMAL_DIGITS + 1), 0))).toBe('NUMBER.TOO_LARGE');
    expect(codeOf(() => parseUnits(`1.${'0'.repeat(MAX_DECIMAL_DIGITS)}`, 2))).toBe('NUMBER.TOO_LARGE');
    expect(codeOf(() => parseUnits(`-${'1'.repeat(100_000)}`, 2))).toBe('NUMBER.TOO_LARGE');
  });

  it('any text at all is either a number or a typed validation refusal, never a crash', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[-+ .0-9eE]{0,40}$/)), scale, roundingMode, (text, s, mode) => {
        const code = codeOf(() => parseUnits(text, s, mode));
        expect(['accepted', 'NUMBER.MALFORMED', 'NUMBER.TOO_LARGE']).toContain(code);
        if (/[^-+ .0-9]/.test(text.trim())) expect(code).toBe('NUMBER.MALFORMED');
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('scale', () => {
  it.each([-1, 1.5, Number.NaN, MAX_DECIMAL_DIGITS + 1])('an impossible scale %s is a programming error, not a silent misreading', (s) => {
    expect(() => parseUnits('1.25', s, 'down')).toThrow(RangeError);
    expect(() => formatUnits(125n, s)).toThrow(RangeError);
  });
});

describe('parseUnits on plain decimals (the hand-read common case)', () => {
  /** The general reading (the regular expression), which every text went through before the plain case was read by hand. */
  function generalReading(text: string, scale: number): bigint | string {
    const match = /^([+-])?(\d+)(?:\.(\d+))?$/.exec(text.trim());
    if (!match) return 'NUMBER.MALFORMED';
    const [, sign, whole = '', fraction = ''] = match;
    if (whole.length + fraction.length > MAX_DECIMAL_DIGITS) return 'NUMBER.TOO_LARGE';
    if (/[1-9]/.test(fraction.slice(scale))) return 'NUMBER.TOO_PRECISE';
    const units = BigInt(whole + fraction.padEnd(scale, '0').slice(0, scale) || '0');
    return sign === '-' ? -units : units;
  }
  const outcome = (text: string, scale: number): bigint | string => {
    try {
      return parseUnits(text, scale);
    } catch (error) {
      return (error as ValidationError).code;
    }
  };

  it('reads every text of digits and points as the general reading does, at every scale', () => {
    const text = fc.array(fc.constantFrom('0', '1', '2', '5', '9', '.'), { minLength: 0, maxLength: 18 }).map((chars) => chars.join(''));
    fc.assert(fc.property(text, fc.integer({ min: 0, max: 8 }), (value, scale) => {
      expect(outcome(value, scale)).toEqual(generalReading(value, scale));
    }), { numRuns: 100_000 });
  });

  it('reads prices of every size up to and past the safe-integer bound exactly', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 8 }), (units, places, scale) => {
      const digits = units.toString().padStart(places + 1, '0');
      const value = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
      expect(outcome(value, scale)).toEqual(generalReading(value, scale));
    }), { numRuns: 50_000 });
    expect(parseUnits('99999999999999.9', 1)).toBe(999_999_999_999_999n);
    expect(parseUnits('999999999999999.9', 1)).toBe(9_999_999_999_999_999n);
  });
});

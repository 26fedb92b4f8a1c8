// Integers from the read models become exact decimal text here, with the instrument's own scales.
import { DEFAULT_INSTRUMENTS, priceToText, stepsToLots, type InstrumentSpec } from '../domain/market-data/index.ts';
import { formatUnits } from '../domain/shared/money.ts';

export interface InstrumentScales {
  readonly symbol: string;
  readonly priceScale: number;
  readonly qtyScale: number;
  readonly quoteCurrencyScale: number;
}

/** Specs by symbol; instruments listed later (seen only in the read models) are added with their scales. */
export class Instruments {
  private readonly specs = new Map<string, InstrumentSpec>(DEFAULT_INSTRUMENTS.map((s) => [s.symbol, s]));
  private readonly extra = new Map<string, InstrumentScales>();

  list(): readonly InstrumentSpec[] {
    return [...this.specs.values()];
  }

  spec(symbol: string): InstrumentSpec | undefined {
    return this.specs.get(symbol);
  }

  learn(scales: InstrumentScales): void {
    if (!this.specs.has(scales.symbol)) this.extra.set(scales.symbol, scales);
  }

  scales(symbol: string): InstrumentScales {
    return this.specs.get(symbol) ?? this.extra.get(symbol) ?? { symbol, priceScale: 2, qtyScale: 2, quoteCurrencyScale: 2 };
  }

  /** Minor-unit scale of a currency, from the instruments quoted in it (USD: 2). */
  currencyScale(currency: string): number {
    return [...this.specs.values()].find((s) => s.quoteCurrency === currency)?.quoteCurrencyScale ?? 2;
  }
}

type Integer = string | bigint;
const big = (v: Integer): bigint => (typeof v === 'bigint' ? v : BigInt(v));

export const price = (i: Instruments, symbol: string, units: Integer): string => {
  const spec = i.spec(symbol);
  return spec ? priceToText(spec, big(units)) : formatUnits(big(units), i.scales(symbol).priceScale);
};
export const lots = (i: Instruments, symbol: string, steps: Integer): string => {
  const spec = i.spec(symbol);
  return spec ? stepsToLots(spec, big(steps)) : formatUnits(big(steps), i.scales(symbol).qtyScale);
};
export const cash = (scale: number, minor: Integer): string => formatUnits(big(minor), scale);

/**
 * formatUnits for an integer PostgreSQL printed (`bigint::text`: canonical, no leading zeros), without a
 * round trip through BigInt: a page of candles formats over a thousand of them per request.
 */
export function unitsText(text: string, scale: number): string {
  if (scale === 0) return text;
  const negative = text.startsWith('-');
  const digits = (negative ? text.slice(1) : text).padStart(scale + 1, '0');
  const out = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${out}` : out;
}

/** `price` for one symbol, its scale looked up once: for pages of rows of the same instrument. */
export const priceFormat = (i: Instruments, symbol: string): ((units: string) => string) => {
  const scale = i.scales(symbol).priceScale;
  return (units) => unitsText(units, scale);
};
export const optional = <T, R>(value: T | null | undefined, format: (v: T) => R): R | null => (value === null || value === undefined ? null : format(value));
export const iso = (value: unknown): string => (value instanceof Date ? value : new Date(value as string)).toISOString();

/** A numeric(…) column as text, without float rounding; trailing zeros after the point are dropped. */
export function decimalText(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

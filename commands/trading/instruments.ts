// Instrument facts an order is judged on, taken from the desk's instrument specs.
import { DEFAULT_INSTRUMENTS, type InstrumentSpec } from '../../domain/market-data/index.ts';
import { DomainError } from '../../domain/shared/errors.ts';
import type { InstrumentFacts } from '../../domain/trading/orders/index.ts';

export interface InstrumentRegistry {
  /** Throws DomainError INSTRUMENT.UNKNOWN (422) for a symbol the desk does not trade. */
  facts(symbol: string): InstrumentFacts;
}

export const factsOfSpec = (spec: InstrumentSpec): InstrumentFacts => ({
  symbol: spec.symbol,
  contractSize: spec.contractSize,
  priceScale: spec.priceScale,
  qtyScale: spec.qtyScale,
  quoteCurrencyScale: spec.quoteCurrencyScale,
  minOrderQty: spec.minOrderQty,
  maxOrderQty: spec.maxOrderQty,
  qtyStep: 1n,
});

export function instrumentRegistry(specs: readonly InstrumentSpec[] = DEFAULT_INSTRUMENTS): InstrumentRegistry {
  const bySymbol = new Map(specs.map((spec) => [spec.symbol, factsOfSpec(spec)]));
  return {
    facts(symbol) {
      const facts = bySymbol.get(symbol);
      if (!facts) throw new DomainError('INSTRUMENT.UNKNOWN', `the desk does not trade ${String(symbol)}`, { symbol: String(symbol) });
      return facts;
    },
  };
}

// Wiring shared by the ingest role and the CLI: list the instruments, load them, and build the ingester
// over the configured stores.
import type { EventStore } from '../../domain/ports/event-store.ts';
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import { ensureInstrumentsListed, InstrumentRegistry, marketHoursOptions } from './instruments.ts';
import { createQuoteBook, type QuoteBook } from './quote-book.ts';
import { TickIngester, type TickIngesterDeps } from './tick-ingester.ts';

export interface MarketDataDeps {
  readonly eventStore: EventStore;
  readonly keyValue: KeyValueStore;
  readonly marketHours: 'enforce' | 'always-open';
  readonly onOutcomes?: TickIngesterDeps['onOutcomes'];
  readonly writer?: string;
}

export interface MarketData {
  readonly instruments: InstrumentRegistry;
  readonly quotes: QuoteBook;
  readonly ingester: TickIngester;
}

export async function openMarketData(deps: MarketDataDeps): Promise<MarketData> {
  await ensureInstrumentsListed(deps.eventStore);
  const instruments = await InstrumentRegistry.load(deps.eventStore, marketHoursOptions(deps.marketHours));
  const quotes = createQuoteBook(deps.keyValue);
  const ingester = new TickIngester({ eventStore: deps.eventStore, instruments, quotes, onOutcomes: deps.onOutcomes, writer: deps.writer });
  await ingester.recover();
  return { instruments, quotes, ingester };
}

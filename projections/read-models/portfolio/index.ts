// The portfolio projection: positions, equity curve, daily closes and KPIs per account. One projection
// because they share the fold: equity needs the positions and the marks at the same instant.
import type { Projection } from '../../engine/types.ts';
import { INSTRUMENT_EVENT_TYPES } from '../../../domain/market-data/instrument.ts';
import { foldPortfolio } from './fold.ts';
import { PORTFOLIO_TABLES, portfolioSchema, roundTripSchema } from './schema.ts';
import { loadPortfolio, savePortfolio } from './store.ts';

export const portfolioProjection: Projection = {
  name: 'portfolio',
  // 2: trades are round trips (flat to flat), not closing fills; a stored checkpoint of 1 needs a rebuild.
  version: 2,
  eventTypes: ['TickReceived', ...INSTRUMENT_EVENT_TYPES, 'AccountOpened', 'FundsDeposited', 'FundsWithdrawn', 'OrderPlaced', 'OrderFilled'],
  tables: PORTFOLIO_TABLES,
  migrations: [
    { version: 1, description: 'positions, equity curve, daily equity, KPIs', up: portfolioSchema },
    { version: 2, description: 'KPIs per round trip: open round trip per position, breakeven, closing fills, average win and loss', up: roundTripSchema },
  ],
  async apply(batch, tx, target) {
    const state = await loadPortfolio(tx, target);
    foldPortfolio(state, batch);
    await savePortfolio(tx, target, state);
  },
};

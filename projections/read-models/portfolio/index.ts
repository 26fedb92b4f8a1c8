// The portfolio projection: positions, equity curve, daily closes and KPIs per account. One projection
// because they share the fold: equity needs the positions and the marks at the same instant.
import type { Projection } from '../../engine/types.ts';
import { INSTRUMENT_EVENT_TYPES } from '../../../domain/market-data/instrument.ts';
import { foldPortfolio } from './fold.ts';
import { PORTFOLIO_TABLES, portfolioSchema } from './schema.ts';
import { loadPortfolio, savePortfolio } from './store.ts';

export const portfolioProjection: Projection = {
  name: 'portfolio',
  version: 1,
  eventTypes: ['TickReceived', ...INSTRUMENT_EVENT_TYPES, 'AccountOpened', 'FundsDeposited', 'FundsWithdrawn', 'OrderPlaced', 'OrderFilled'],
  tables: PORTFOLIO_TABLES,
  migrations: [{ version: 1, description: 'positions, equity curve, daily equity, KPIs', up: portfolioSchema }],
  async apply(batch, tx, target) {
    const state = await loadPortfolio(tx, target);
    foldPortfolio(state, batch);
    await savePortfolio(tx, target, state);
  },
};

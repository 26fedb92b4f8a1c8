// The projections: the engine (checkpoints, batching, locks, rebuild) and one module per read model.
import type { Projection } from './engine/types.ts';
import { auditProjection } from './read-models/audit.ts';
import { candlesProjection } from './read-models/candles.ts';
import { controlProjection } from './read-models/control.ts';
import { fillsProjection } from './read-models/fills.ts';
import { ordersProjection } from './read-models/orders.ts';
import { portfolioProjection } from './read-models/portfolio/index.ts';
import { refusedFillsProjection } from './read-models/refused-fills.ts';
import { riskDecisionsProjection } from './read-models/risk-decisions.ts';
import { ticksProjection } from './read-models/ticks.ts';
import { signalsProjection } from './read-models/signals.ts';

export * from './engine/index.ts';
export { auditProjection, candlesProjection, controlProjection, fillsProjection, ordersProjection, portfolioProjection, refusedFillsProjection, riskDecisionsProjection, ticksProjection };
export { TIMEFRAMES, type Timeframe } from './read-models/candles.ts';
export * as kpi from './read-models/portfolio/kpi.ts';

export const ALL_PROJECTIONS: readonly Projection[] = [
  ticksProjection, candlesProjection, ordersProjection, fillsProjection, refusedFillsProjection, portfolioProjection, riskDecisionsProjection, controlProjection, auditProjection,
  signalsProjection,
];

/** `all`, or one projection by name; throws naming the known ones. */
export function selectProjections(name: string): readonly Projection[] {
  if (name === 'all') return ALL_PROJECTIONS;
  const found = ALL_PROJECTIONS.find((p) => p.name === name);
  if (!found) throw new Error(`unknown projection ${JSON.stringify(name)}; known: ${ALL_PROJECTIONS.map((p) => p.name).join(', ')}, all`);
  return [found];
}

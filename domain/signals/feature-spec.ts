// The feature spec: which features, in which order, over which windows. Training writes it into the model's
// sidecar and registration; live scoring refuses a model whose spec digest differs from the one it computes
// with, so a model never scores features it was not trained on. The digest is sha256 of canonicalJson(spec),
// computed outside domain/ (commands/signals/digest.ts) to keep this folder free of node:*.
import { ValidationError } from '../shared/errors.ts';

export interface FeatureWindow {
  /** Ticks kept per symbol; features are computed only once the window is full. */
  readonly ticks: number;
  /** Log-return horizons in ticks (ret_{n}t). */
  readonly returnTicks: readonly number[];
  /** Log-return horizon in seconds of tick time (ret_{n}s). */
  readonly returnSeconds: number;
  /** Realized volatility over this many one-tick returns (rvol_{n}t). */
  readonly volatilityTicks: number;
  /** Up-minus-down mid moves over this many ticks, divided by it (imbalance_{n}t). */
  readonly imbalanceTicks: number;
}

export interface FeatureSpec {
  readonly name: string;
  readonly version: number;
  readonly features: readonly string[];
  readonly window: FeatureWindow;
}

/** Feature names in the order the model's input columns take them, derived from the window. */
export function featureNames(window: FeatureWindow): string[] {
  return [
    ...window.returnTicks.map((n) => `ret_${n}t`),
    `ret_${window.returnSeconds}s`,
    `rvol_${window.volatilityTicks}t`,
    'spread_bps',
    `imbalance_${window.imbalanceTicks}t`,
  ];
}

export function featureSpec(name: string, version: number, window: FeatureWindow): FeatureSpec {
  assertValidWindow(window);
  return { name, version, features: featureNames(window), window };
}

export const TICK_FEATURES_V1: FeatureSpec = featureSpec('tick-features', 1, {
  ticks: 64,
  returnTicks: [1, 5, 20],
  returnSeconds: 60,
  volatilityTicks: 20,
  imbalanceTicks: 20,
});

function assertValidWindow(window: FeatureWindow): void {
  const lookbacks = [...window.returnTicks, window.volatilityTicks, window.imbalanceTicks];
  const bad = lookbacks.find((n) => !Number.isSafeInteger(n) || n < 1 || n >= window.ticks);
  if (bad !== undefined || !Number.isSafeInteger(window.ticks) || window.ticks < 2) {
    throw new ValidationError('FEATURES.WINDOW_INVALID', `every tick lookback must be a whole number from 1 to ${window.ticks - 1} (window ${window.ticks} ticks)`, { window });
  }
  if (!(window.returnSeconds > 0)) throw new ValidationError('FEATURES.WINDOW_INVALID', 'returnSeconds must be positive', { window });
}

/** Reads a spec back from a sidecar or event, checking its feature list is the one its window implies. */
export function parseFeatureSpec(value: unknown): FeatureSpec {
  const raw = value as Partial<FeatureSpec> | null;
  if (!raw || typeof raw.name !== 'string' || typeof raw.version !== 'number' || !raw.window || !Array.isArray(raw.features)) {
    throw new ValidationError('FEATURES.SPEC_INVALID', 'a feature spec needs name, version, features and window');
  }
  const spec = featureSpec(raw.name, raw.version, raw.window);
  if (spec.features.join(',') !== raw.features.join(',')) {
    throw new ValidationError('FEATURES.SPEC_INVALID', `feature list ${raw.features.join(',')} does not match its window (${spec.features.join(',')})`);
  }
  return spec;
}

/** JSON with object keys sorted at every level: the same spec always gives the same text and digest. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  return JSON.stringify(value);
}

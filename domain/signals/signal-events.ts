// SignalGenerated, stream `signals-{model}-{yyyymmdd}` (the UTC day of the tick that produced it). Every
// signal names the model version that scored it, the feature spec digest it was scored on, the features
// themselves and the tick, so the desk can say what lay behind any order the auto-trader placed.
import type { DomainEvent } from '../shared/decider.ts';
import { ValidationError } from '../shared/errors.ts';

export type SignalDirection = 'long' | 'short' | 'flat';

// A type alias, not an interface: it must satisfy the event store's EventData index signature.
export type SignalGeneratedData = {
  readonly model: string;
  readonly version: number;
  readonly symbol: string;
  /** Probability that the mid is higher `horizonTicks` ticks ahead. */
  readonly score: number;
  readonly direction: SignalDirection;
  /** Challenger signals: recorded for comparison, never traded. */
  readonly shadow: boolean;
  readonly featureSpecDigest: string;
  /** sha256 of the canonical feature values: two signals on the same features share it. */
  readonly featuresDigest: string;
  readonly features: readonly number[];
  readonly inferenceMicros: number;
  readonly tick: { readonly eventId: string; readonly streamId: string; readonly position: string; readonly timestamp: string; readonly mid: string };
};

export type SignalGenerated = DomainEvent<'SignalGenerated', SignalGeneratedData>;

/** Scores within the band around one half say nothing: no trade either way. */
export interface DirectionBand {
  readonly longAbove: number;
  readonly shortBelow: number;
}

export const DEFAULT_DIRECTION_BAND: DirectionBand = { longAbove: 0.55, shortBelow: 0.45 };

export function directionOf(score: number, band: DirectionBand = DEFAULT_DIRECTION_BAND): SignalDirection {
  if (score > band.longAbove) return 'long';
  if (score < band.shortBelow) return 'short';
  return 'flat';
}

export function signalStreamId(model: string, tickTime: Date): string {
  if (Number.isNaN(tickTime.getTime())) throw new ValidationError('SIGNAL.TIME_INVALID', 'cannot name a signal stream for an invalid date');
  return `signals-${model}-${tickTime.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** Features as text with fixed precision for the digest: float noise below 1e-9 does not change it. */
export const canonicalFeatures = (features: readonly number[]): string => features.map((x) => x.toPrecision(12)).join(',');

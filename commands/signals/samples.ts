// Labelled samples for training: features at each tick (the same TickWindow path live scoring uses) and
// whether the mid is higher `horizon` ticks later. Unchanged mids carry no direction and are left out.
// The split is by time: the first share of ticks trains, the rest tests, and a training sample whose label
// would look into the test period is dropped, so nothing the test judges leaked into training.
import { featureSeries, type FeatureSpec, type FeatureTick } from '../../domain/signals/index.ts';

export interface LabelledSample {
  readonly tickIndex: number;
  readonly features: readonly number[];
  readonly label: 0 | 1;
}

export function labelledSamples(ticks: readonly FeatureTick[], spec: FeatureSpec, horizon: number): LabelledSample[] {
  const features = featureSeries(ticks, spec);
  const mid = (i: number) => ticks[i]!.bid + ticks[i]!.ask; // twice the mid: comparisons need no division
  const samples: LabelledSample[] = [];
  for (let i = 0; i + horizon < ticks.length; i += 1) {
    const row = features[i];
    const now = mid(i);
    const later = mid(i + horizon);
    if (row === undefined || later === now) continue;
    samples.push({ tickIndex: i, features: row, label: later > now ? 1 : 0 });
  }
  return samples;
}

export interface TimeSplit {
  readonly train: LabelledSample[];
  readonly test: LabelledSample[];
  /** Index of the first test tick. */
  readonly splitTick: number;
  readonly dropped: number;
}

export function splitByTime(samples: readonly LabelledSample[], tickCount: number, horizon: number, trainShare = 0.7): TimeSplit {
  const splitTick = Math.floor(tickCount * trainShare);
  const train = samples.filter((s) => s.tickIndex + horizon < splitTick);
  const test = samples.filter((s) => s.tickIndex >= splitTick);
  return { train, test, splitTick, dropped: samples.length - train.length - test.length };
}

// Watches one model version's live features: keeps the last `window` rows and, every `every` rows once the
// window is full, computes the PSI of each feature against the version's training reference. Crossing the
// threshold reports drift once; it is reported again only after the index has fallen back below half the
// threshold, so a model hovering at the line does not flood its stream.
import { PSI_DRIFT_THRESHOLD, featureDrift, type FeatureReference } from '../../domain/signals/index.ts';

export interface DriftSettings {
  readonly window: number;
  readonly every: number;
  readonly threshold: number;
}

export const DEFAULT_DRIFT: DriftSettings = { window: 500, every: 100, threshold: PSI_DRIFT_THRESHOLD };

export interface DriftReading {
  readonly features: Array<{ name: string; psi: number }>;
  readonly maxPsi: number;
  /** True when this reading crossed the threshold and should be recorded. */
  readonly crossed: boolean;
  readonly liveSamples: number;
}

export class DriftMonitor {
  private readonly rows: Array<readonly number[]> = [];
  private sinceCheck = 0;
  private armed = true;

  constructor(private readonly reference: readonly FeatureReference[], private readonly settings: DriftSettings = DEFAULT_DRIFT) {}

  /** Adds a live row; returns a reading when one was due. */
  observe(features: readonly number[]): DriftReading | undefined {
    this.rows.push(features);
    if (this.rows.length > this.settings.window) this.rows.shift();
    this.sinceCheck += 1;
    if (this.rows.length < this.settings.window || this.sinceCheck < this.settings.every || this.reference.length === 0) return undefined;
    this.sinceCheck = 0;
    const drift = featureDrift(this.reference, this.rows);
    const maxPsi = Math.max(...drift.map((d) => d.psi));
    const crossed = this.armed && maxPsi > this.settings.threshold;
    if (crossed) this.armed = false;
    else if (maxPsi < this.settings.threshold / 2) this.armed = true;
    return { features: drift, maxPsi, crossed, liveSamples: this.rows.length };
  }
}

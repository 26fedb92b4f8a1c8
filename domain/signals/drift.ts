// Population stability index per feature: how far the live distribution of a feature has moved from the
// training sample. Bins are the training sample's deciles, stored with the model, so live and reference
// are always cut at the same edges. PSI = sum over bins of (live - ref) * ln(live / ref).
export interface FeatureReference {
  readonly name: string;
  /** Interior cut points, ascending and distinct; bin i holds x with edges[i-1] < x <= edges[i]. */
  readonly edges: readonly number[];
  /** Share of the training sample in each bin (edges.length + 1 bins). */
  readonly proportions: readonly number[];
}

/** Proportions below this are floored so an empty bin gives a large but finite index. */
const FLOOR = 1e-4;

export const PSI_DRIFT_THRESHOLD = 0.25;

export function binOf(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function quantileEdges(values: readonly number[], bins: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const edges: number[] = [];
  for (let q = 1; q < bins; q += 1) {
    const edge = sorted[Math.min(sorted.length - 1, Math.floor((q * sorted.length) / bins))]!;
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  // The largest value must not be an edge, or the top bin would always be empty.
  if (edges.length > 0 && edges[edges.length - 1]! >= sorted[sorted.length - 1]!) edges.pop();
  return edges;
}

export function proportionsOf(edges: readonly number[], values: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const x of values) counts[binOf(edges, x)]! += 1;
  return counts.map((c) => (values.length === 0 ? 0 : c / values.length));
}

/** The drift reference of each feature column from the training sample (rows of features). */
export function driftReference(names: readonly string[], rows: readonly (readonly number[])[], bins = 10): FeatureReference[] {
  return names.map((name, column) => {
    const values = rows.map((row) => row[column]!);
    const edges = quantileEdges(values, bins);
    return { name, edges, proportions: proportionsOf(edges, values) };
  });
}

export function populationStabilityIndex(reference: readonly number[], live: readonly number[]): number {
  let psi = 0;
  for (let i = 0; i < reference.length; i += 1) {
    const expected = Math.max(reference[i]!, FLOOR);
    const actual = Math.max(live[i] ?? 0, FLOOR);
    psi += (actual - expected) * Math.log(actual / expected);
  }
  return psi;
}

/** PSI of every feature of a live sample (rows in the spec's order) against the reference. */
export function featureDrift(reference: readonly FeatureReference[], rows: readonly (readonly number[])[]): Array<{ name: string; psi: number }> {
  return reference.map((ref, column) => ({
    name: ref.name,
    psi: populationStabilityIndex(ref.proportions, proportionsOf(ref.edges, rows.map((row) => row[column]!))),
  }));
}

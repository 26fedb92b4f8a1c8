// Logistic regression by batch gradient descent on standardized features, in plain TypeScript. The
// standardization is folded back into the weights at the end, so the exported model takes raw features and
// the ONNX graph stays MatMul + Add + Sigmoid.
export interface LogisticModel {
  /** Weights on raw features, in the feature spec's order. */
  readonly weights: readonly number[];
  readonly bias: number;
}

export interface FitOptions {
  readonly epochs?: number;
  readonly learningRate?: number;
  /** L2 penalty on the standardized weights. */
  readonly l2?: number;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

function columnStats(rows: readonly (readonly number[])[], width: number): { mean: number[]; scale: number[] } {
  const mean = new Array<number>(width).fill(0);
  const scale = new Array<number>(width).fill(0);
  for (const row of rows) for (let j = 0; j < width; j += 1) mean[j]! += row[j]! / rows.length;
  for (const row of rows) for (let j = 0; j < width; j += 1) scale[j]! += (row[j]! - mean[j]!) ** 2 / rows.length;
  // A constant column carries no information; scale 1 keeps it harmless instead of dividing by zero.
  return { mean, scale: scale.map((v) => (v > 1e-18 ? Math.sqrt(v) : 1)) };
}

export function fitLogistic(rows: readonly (readonly number[])[], labels: readonly number[], options: FitOptions = {}): LogisticModel {
  const width = rows[0]?.length ?? 0;
  const { epochs = 400, learningRate = 0.5, l2 = 1e-4 } = options;
  const { mean, scale } = columnStats(rows, width);
  const x = rows.map((row) => row.map((v, j) => (v - mean[j]!) / scale[j]!));
  const w = new Array<number>(width).fill(0);
  let b = 0;
  const gradient = new Float64Array(width);
  for (let epoch = 0; epoch < epochs; epoch += 1) {
    gradient.fill(0);
    let gradientB = 0;
    for (let i = 0; i < x.length; i += 1) {
      const row = x[i]!;
      let z = b;
      for (let j = 0; j < width; j += 1) z += w[j]! * row[j]!;
      const error = sigmoid(z) - labels[i]!;
      for (let j = 0; j < width; j += 1) gradient[j] = gradient[j]! + error * row[j]!;
      gradientB += error;
    }
    for (let j = 0; j < width; j += 1) w[j]! -= learningRate * (gradient[j]! / x.length + l2 * w[j]!);
    b -= learningRate * (gradientB / x.length);
  }
  const weights = w.map((wj, j) => wj / scale[j]!);
  return { weights, bias: b - weights.reduce((sum, wj, j) => sum + wj * mean[j]!, 0) };
}

/** The model's probability for one row, as the exported float32 model computes it up to float rounding. */
export function predictProbability(model: LogisticModel, row: readonly number[]): number {
  let z = model.bias;
  for (let j = 0; j < model.weights.length; j += 1) z += model.weights[j]! * row[j]!;
  return sigmoid(z);
}

/** The same model with its parameters rounded to float32, the precision the ONNX file stores. */
export const asFloat32 = (model: LogisticModel): LogisticModel => ({ weights: model.weights.map(Math.fround), bias: Math.fround(model.bias) });

export interface ClassificationMetrics {
  readonly accuracy: number;
  readonly logLoss: number;
  readonly auc: number;
}

/** Area under the ROC curve by ranks (Mann-Whitney), ties sharing their average rank. 0.5 when one class is missing. */
export function areaUnderCurve(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(scores.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j += 1;
    for (let k = i; k <= j; k += 1) ranks[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const positives = labels.filter((l) => l === 1).length;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return 0.5;
  const rankSum = labels.reduce((sum, l, i) => sum + (l === 1 ? ranks[i]! : 0), 0);
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function classificationMetrics(scores: readonly number[], labels: readonly number[]): ClassificationMetrics {
  if (scores.length === 0) return { accuracy: 0, logLoss: 0, auc: 0.5 };
  let correct = 0;
  let loss = 0;
  for (let i = 0; i < scores.length; i += 1) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, scores[i]!));
    if ((p >= 0.5 ? 1 : 0) === labels[i]) correct += 1;
    loss -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return { accuracy: correct / scores.length, logLoss: loss / scores.length, auc: areaUnderCurve(scores, labels) };
}

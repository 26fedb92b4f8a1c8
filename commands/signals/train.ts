// Trains the direction model: labelled samples from ticks, a time split, logistic regression, metrics on
// the later window, a drift reference from the training sample; then writes the ONNX file and its JSON
// sidecar (everything registration needs besides the file itself).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../../domain/shared/errors.ts';
import {
  driftReference, type FeatureReference, type FeatureSpec, type FeatureTick, type ModelMetrics, type TensorSignature, type TrainingWindow,
} from '../../domain/signals/index.ts';
import { featureSpecDigest, sha256Hex } from './digest.ts';
import { classificationMetrics, fitLogistic, predictProbability, type FitOptions, type LogisticModel } from './logistic.ts';
import { labelledSamples, splitByTime } from './samples.ts';

export interface TrainRequest {
  readonly name: string;
  readonly spec: FeatureSpec;
  readonly ticks: readonly FeatureTick[];
  readonly horizonTicks: number;
  readonly window: Omit<TrainingWindow, 'ticks' | 'horizonTicks'>;
  readonly fit?: FitOptions;
}

export interface ModelSidecar {
  readonly name: string;
  readonly format: 'onnx';
  readonly file: string;
  readonly sha256: string;
  readonly featureSpec: FeatureSpec;
  readonly featureSpecDigest: string;
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
  readonly trainingWindow: TrainingWindow;
  readonly metrics: ModelMetrics;
  readonly driftReference: readonly FeatureReference[];
  /** The trained parameters on raw features, for audit and for comparing ONNX output with the trainer's own. */
  readonly parameters: LogisticModel;
  readonly command?: string;
}

export interface TrainedModel {
  readonly model: LogisticModel;
  readonly metrics: ModelMetrics;
  readonly trainingWindow: TrainingWindow;
  readonly driftReference: FeatureReference[];
  /** The test window's feature rows, to check an exported model against the trainer's predictions. */
  readonly testRows: ReadonlyArray<readonly number[]>;
}

const MIN_SAMPLES = 50;

export function trainDirectionModel(request: TrainRequest): TrainedModel {
  const { spec, ticks, horizonTicks } = request;
  if (!Number.isSafeInteger(horizonTicks) || horizonTicks < 1) throw new ValidationError('TRAINING.HORIZON_INVALID', '--horizon must be a whole number of ticks, at least 1');
  const split = splitByTime(labelledSamples(ticks, spec, horizonTicks), ticks.length, horizonTicks);
  if (split.train.length < MIN_SAMPLES || split.test.length < MIN_SAMPLES) {
    throw new ValidationError('TRAINING.TOO_FEW_SAMPLES', `${ticks.length} ticks gave ${split.train.length} training and ${split.test.length} test samples; need ${MIN_SAMPLES} of each: widen --from/--to`, { ticks: ticks.length });
  }
  const trainRows = split.train.map((s) => s.features);
  const model = fitLogistic(trainRows, split.train.map((s) => s.label), request.fit);
  const testRows = split.test.map((s) => s.features);
  const scores = testRows.map((row) => predictProbability(model, row));
  const metrics = { ...classificationMetrics(scores, split.test.map((s) => s.label)), trainSamples: split.train.length, testSamples: split.test.length };
  return {
    model,
    metrics,
    trainingWindow: { ...request.window, ticks: ticks.length, horizonTicks },
    driftReference: driftReference(spec.features, trainRows),
    testRows,
  };
}

export interface WrittenModel {
  readonly modelPath: string;
  readonly sidecarPath: string;
  readonly sidecar: ModelSidecar;
}

export const sidecarPathOf = (modelPath: string): string => modelPath.replace(/\.onnx$/i, '') + '.json';

/** Writes `<out>/<name>-<first 12 of sha256>.onnx` and its sidecar; returns both paths. */
export async function writeModelFiles(
  request: TrainRequest, trained: TrainedModel, outDir: string, onnx: Uint8Array, signature: { inputs: TensorSignature[]; outputs: TensorSignature[] }, command?: string,
): Promise<WrittenModel> {
  const sha256 = sha256Hex(onnx);
  const file = `${request.name}-${sha256.slice(0, 12)}.onnx`;
  const sidecar: ModelSidecar = {
    name: request.name, format: 'onnx', file, sha256,
    featureSpec: request.spec, featureSpecDigest: featureSpecDigest(request.spec),
    inputs: signature.inputs, outputs: signature.outputs,
    trainingWindow: trained.trainingWindow, metrics: trained.metrics, driftReference: trained.driftReference,
    parameters: trained.model,
    ...(command ? { command } : {}),
  };
  await mkdir(outDir, { recursive: true });
  const modelPath = path.join(outDir, file);
  await writeFile(modelPath, onnx);
  await writeFile(sidecarPathOf(modelPath), `${JSON.stringify(sidecar, null, 2)}\n`);
  return { modelPath, sidecarPath: sidecarPathOf(modelPath), sidecar };
}

import { describe, expect, it } from 'vitest';
import { TICK_FEATURES_V1, featureSeries } from '../../../../domain/signals/index.ts';
import { areaUnderCurve, asFloat32, classificationMetrics, fitLogistic, predictProbability } from '../../../../commands/signals/logistic.ts';
import { labelledSamples, splitByTime } from '../../../../commands/signals/samples.ts';
import { syntheticTicks } from '../../../../commands/signals/synthetic-ticks.ts';
import { trainDirectionModel } from '../../../../commands/signals/train.ts';
import { logisticRegressionOnnx } from '../../../../infra/onnx/export.ts';
import { onnxRuntime } from '../../../../infra/onnx/runtime.ts';

/** Stated tolerance between the ONNX model's probabilities and the trainer's own (float32 storage and arithmetic). */
const ONNX_TOLERANCE = 1e-5;
const ticks = syntheticTicks({ seed: 3, ticks: 3_000 });
const request = { name: 'unit', spec: TICK_FEATURES_V1, ticks, horizonTicks: 5, window: { symbol: 'XAUUSD', from: 'a', to: 'b', source: 'synthetic' } };

describe('training', () => {
  it('labels the direction of the mid horizon ticks ahead and leaves unchanged mids out', () => {
    const samples = labelledSamples(ticks, TICK_FEATURES_V1, 5);
    const mid = (i: number) => ticks[i]!.bid + ticks[i]!.ask;
    for (const s of samples) expect(s.label).toBe(mid(s.tickIndex + 5) > mid(s.tickIndex) ? 1 : 0);
    expect(samples.every((s) => mid(s.tickIndex + 5) !== mid(s.tickIndex))).toBe(true);
    expect(samples[0]!.tickIndex).toBeGreaterThanOrEqual(63);
  });

  it('splits by time: no training label looks into the test window', () => {
    const split = splitByTime(labelledSamples(ticks, TICK_FEATURES_V1, 5), ticks.length, 5);
    expect(split.splitTick).toBe(2_100);
    expect(Math.max(...split.train.map((s) => s.tickIndex + 5))).toBeLessThan(split.splitTick);
    expect(Math.min(...split.test.map((s) => s.tickIndex))).toBeGreaterThanOrEqual(split.splitTick);
    expect(split.dropped).toBeGreaterThan(0);
  });

  it('learns a separable rule and measures it', () => {
    const rows = Array.from({ length: 200 }, (_, i) => [(i % 20) - 10, 1000 + i]);
    const labels = rows.map(([x]) => (x! > 0 ? 1 : 0));
    const model = fitLogistic(rows, labels);
    const metrics = classificationMetrics(rows.map((r) => predictProbability(model, r)), labels);
    expect(metrics.accuracy).toBeGreaterThan(0.9);
    expect(metrics.auc).toBeGreaterThan(0.95);
  });

  it('computes AUC by ranks with ties at half credit', () => {
    expect(areaUnderCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(areaUnderCurve([0.5, 0.5], [0, 1])).toBe(0.5);
  });

  it('exports an ONNX model whose probabilities match the trainer within 1e-5', async () => {
    const trained = trainDirectionModel({ ...request, fit: { epochs: 150 } });
    const scorer = await onnxRuntime.open(logisticRegressionOnnx({ weights: trained.model.weights, bias: trained.model.bias, graphName: 'parity' }));
    const rows = trained.testRows;
    const onnx = await scorer.score(Float32Array.from(rows.flat()), rows.length);
    const float32 = asFloat32(trained.model);
    let worst = 0;
    rows.forEach((row, i) => { worst = Math.max(worst, Math.abs(onnx[i]! - predictProbability(float32, row.map(Math.fround)))); });
    expect(rows.length).toBeGreaterThan(500);
    expect(worst).toBeLessThan(ONNX_TOLERANCE);
    rows.forEach((row, i) => expect(Math.abs(onnx[i]! - predictProbability(trained.model, row))).toBeLessThan(ONNX_TOLERANCE));
    await scorer.close();
  });

  it('gives the same features tick by tick as for the whole series at once', () => {
    const whole = featureSeries(ticks, TICK_FEATURES_V1);
    const prefix = featureSeries(ticks.slice(0, 1_000), TICK_FEATURES_V1);
    expect(prefix).toEqual(whole.slice(0, 1_000));
  });
});

// Writes a logistic regression as an ONNX model (IR version 7, default-domain opset 13):
//   probability = Sigmoid(MatMul(features, W) + B)
// with input "features" float32 [N, F] and output "probability" float32 [N, 1]. The ModelProto is built
// with protobufjs from the subset of onnx.proto in this folder.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const ONNX_IR_VERSION = 7;
export const ONNX_OPSET = 13;
export const INPUT_NAME = 'features';
export const OUTPUT_NAME = 'probability';
const FLOAT = 1; // TensorProto.DataType.FLOAT

export interface LogisticOnnxModel {
  /** One weight per feature, applied to raw (unscaled) features. */
  readonly weights: readonly number[];
  readonly bias: number;
  readonly graphName: string;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

let modelType: protobuf.Type | undefined;
function modelProto(): protobuf.Type {
  modelType ??= protobuf.loadSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'onnx.proto')).lookupType('onnx.ModelProto');
  return modelType;
}

const tensorInfo = (name: string, dims: ReadonlyArray<number | string>) => ({
  name,
  type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

export function logisticRegressionOnnx(model: LogisticOnnxModel): Uint8Array {
  const features = model.weights.length;
  const graph = {
    name: model.graphName,
    node: [
      { opType: 'MatMul', name: 'linear', input: [INPUT_NAME, 'W'], output: ['xw'] },
      { opType: 'Add', name: 'intercept', input: ['xw', 'B'], output: ['logit'] },
      { opType: 'Sigmoid', name: 'link', input: ['logit'], output: [OUTPUT_NAME] },
    ],
    initializer: [
      { name: 'W', dims: [features, 1], dataType: FLOAT, floatData: [...model.weights] },
      { name: 'B', dims: [1], dataType: FLOAT, floatData: [model.bias] },
    ],
    input: [tensorInfo(INPUT_NAME, ['N', features])],
    output: [tensorInfo(OUTPUT_NAME, ['N', 1])],
  };
  const type = modelProto();
  const message = type.fromObject({
    irVersion: ONNX_IR_VERSION,
    producerName: 'nicegold-ledger',
    producerVersion: '1',
    docString: model.docString ?? '',
    graph,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    metadataProps: Object.entries(model.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return type.encode(message).finish();
}

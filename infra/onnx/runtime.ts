// ONNX Runtime (CPU) behind the ModelRuntime port. One session per loaded model version; a session is
// created from the bytes whose sha256 was checked, never re-read from disk behind the check's back.
import * as ort from 'onnxruntime-node';
import { ValidationError } from '../../domain/shared/errors.ts';
import type { TensorSignature } from '../../domain/signals/index.ts';
import type { ModelRuntime, ModelSignature, Scorer } from '../../commands/signals/ports.ts';

function signatureOf(values: readonly ort.InferenceSession.ValueMetadata[]): TensorSignature[] {
  return values.map((value) => {
    if (!value.isTensor) throw new ValidationError('MODEL.SIGNATURE_UNSUPPORTED', `model value ${value.name} is not a tensor`);
    if (value.type !== 'float32') throw new ValidationError('MODEL.SIGNATURE_UNSUPPORTED', `model value ${value.name} is ${value.type}, expected float32`, { name: value.name, type: value.type });
    return { name: value.name, type: 'float32', shape: [...value.shape] };
  });
}

class OnnxScorer implements Scorer {
  private readonly inputName: string;
  private readonly outputName: string;
  private readonly width: number;

  constructor(private readonly session: ort.InferenceSession, readonly signature: ModelSignature) {
    this.inputName = signature.inputs[0]!.name;
    this.outputName = signature.outputs[0]!.name;
    const width = signature.inputs[0]!.shape[1];
    this.width = typeof width === 'number' ? width : 0;
  }

  async score(rows: Float32Array, count: number): Promise<Float32Array> {
    const input = new ort.Tensor('float32', rows.length === count * this.width ? rows : rows.subarray(0, count * this.width), [count, this.width]);
    const output = await this.session.run({ [this.inputName]: input });
    return output[this.outputName]!.data as Float32Array;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

export const onnxRuntime: ModelRuntime = {
  async open(bytes) {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    } catch (error) {
      throw new ValidationError('MODEL.NOT_ONNX', `the file is not an ONNX model ONNX Runtime can load: ${(error as Error).message.split('\n')[0]}`, {}, { cause: error });
    }
    const signature = { inputs: signatureOf(session.inputMetadata), outputs: signatureOf(session.outputMetadata) };
    if (signature.inputs.length !== 1 || signature.outputs.length !== 1) {
      await session.release();
      throw new ValidationError('MODEL.SIGNATURE_UNSUPPORTED', `expected one input and one output, found ${signature.inputs.length} and ${signature.outputs.length}`);
    }
    return new OnnxScorer(session, signature);
  },
};

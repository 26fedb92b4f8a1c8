// What the signal side needs from a model runtime (ONNX Runtime in infra/onnx/runtime.ts). The engine
// and the registry depend on this, not on onnxruntime-node, so they run on any runtime that passes the tests.
import type { TensorSignature } from '../../domain/signals/index.ts';

export interface ModelSignature {
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
}

export interface Scorer {
  readonly signature: ModelSignature;
  /** Scores `count` rows of features (row-major, float32); returns one probability per row. */
  score(rows: Float32Array, count: number): Promise<Float32Array>;
  close(): Promise<void>;
}

export interface ModelRuntime {
  /** Loads a model from its bytes. Throws MODEL.NOT_ONNX (validation) when the bytes are not a model it can run. */
  open(bytes: Uint8Array): Promise<Scorer>;
}

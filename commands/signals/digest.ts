// sha256 digests: of model files, of feature specs (canonical JSON) and of feature vectors.
import { createHash } from 'node:crypto';
import { canonicalFeatures, canonicalJson, type FeatureSpec } from '../../domain/signals/index.ts';

export const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
export const featureSpecDigest = (spec: FeatureSpec): string => sha256Hex(canonicalJson(spec));
export const featuresDigest = (features: readonly number[]): string => sha256Hex(canonicalFeatures(features));

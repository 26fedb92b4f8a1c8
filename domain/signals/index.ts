// Signals and models: features from ticks, the feature spec, drift (PSI), the model registry decider and
// signal events. Pure; no I/O, no clock.
export { TICK_FEATURES_V1, canonicalJson, featureNames, featureSpec, parseFeatureSpec, type FeatureSpec, type FeatureWindow } from './feature-spec.ts';
export { TickWindow, featureSeries, featuresOf, newWindow, type FeatureTick } from './features.ts';
export { PSI_DRIFT_THRESHOLD, binOf, driftReference, featureDrift, populationStabilityIndex, proportionsOf, type FeatureReference } from './drift.ts';
export {
  MODEL_EVENT_TYPES, decideModel, evolveModel, initialModelState, modelRegistryDecider, modelStreamId,
  type ModelCommand, type ModelDriftDetected, type ModelEvent, type ModelMetrics, type ModelState, type ModelVersionPromoted,
  type ModelVersionRegistered, type ModelVersionRegisteredData, type ModelVersionRetired, type ModelVersionState, type ModelVersionStatus,
  type PromoteModelVersion, type RecordModelDrift, type RegisterModelVersion, type RetireModelVersion, type ShadowStarted, type StartShadow,
  type TensorSignature, type TrainingWindow,
} from './model-registry.ts';
export {
  DEFAULT_DIRECTION_BAND, canonicalFeatures, directionOf, signalStreamId,
  type DirectionBand, type SignalDirection, type SignalGenerated, type SignalGeneratedData,
} from './signal-events.ts';

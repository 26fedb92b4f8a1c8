// Model versions as events in `model-{name}`: registered, promoted to champion, started as challenger
// (shadow), retired, and drift found in live features. One stream per model name means at most one champion
// and one challenger at any time, decided serially.
import type { Command, Decider, DomainEvent } from '../shared/decider.ts';
import { assertNever } from '../shared/decider.ts';
import { DomainError, ValidationError } from '../shared/errors.ts';
import type { FeatureReference } from './drift.ts';
import type { FeatureSpec } from './feature-spec.ts';

export interface TensorSignature {
  readonly name: string;
  readonly type: 'float32';
  /** A string is a symbolic dimension (the batch size, "N"). */
  readonly shape: ReadonlyArray<number | string>;
}

export interface TrainingWindow {
  readonly symbol: string;
  readonly from: string;
  readonly to: string;
  readonly source: string;
  readonly ticks: number;
  readonly horizonTicks: number;
}

export interface ModelMetrics {
  readonly accuracy: number;
  readonly logLoss: number;
  readonly auc: number;
  readonly trainSamples: number;
  readonly testSamples: number;
}

export interface ModelVersionRegisteredData {
  readonly name: string;
  readonly version: number;
  readonly sha256: string;
  readonly featureSpec: FeatureSpec;
  readonly featureSpecDigest: string;
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
  readonly trainingWindow: TrainingWindow;
  readonly metrics: ModelMetrics;
  readonly artefact: { readonly location: string; readonly bytes: number };
  readonly driftReference: readonly FeatureReference[];
}

export type ModelVersionRegistered = DomainEvent<'ModelVersionRegistered', ModelVersionRegisteredData>;
export type ModelVersionPromoted = DomainEvent<'ModelVersionPromoted', { readonly name: string; readonly version: number; readonly previousChampion: number | null; readonly reason: string }>;
export type ShadowStarted = DomainEvent<'ShadowStarted', { readonly name: string; readonly version: number; readonly previousChallenger: number | null }>;
export type ModelVersionRetired = DomainEvent<'ModelVersionRetired', { readonly name: string; readonly version: number; readonly reason: string }>;
export type ModelDriftDetected = DomainEvent<'ModelDriftDetected', {
  readonly name: string;
  readonly version: number;
  readonly features: ReadonlyArray<{ readonly name: string; readonly psi: number }>;
  readonly maxPsi: number;
  readonly threshold: number;
  readonly liveSamples: number;
  /** The tick at which the live window crossed the threshold. */
  readonly tickEventId: string;
}>;
export type ModelEvent = ModelVersionRegistered | ModelVersionPromoted | ShadowStarted | ModelVersionRetired | ModelDriftDetected;
export const MODEL_EVENT_TYPES = ['ModelVersionRegistered', 'ModelVersionPromoted', 'ShadowStarted', 'ModelVersionRetired', 'ModelDriftDetected'] as const;

export type RegisterModelVersion = Command<'RegisterModelVersion', Omit<ModelVersionRegisteredData, 'version'>>;
export type PromoteModelVersion = Command<'PromoteModelVersion', { readonly name: string; readonly version: number; readonly reason?: string }>;
export type StartShadow = Command<'StartShadow', { readonly name: string; readonly version: number }>;
export type RetireModelVersion = Command<'RetireModelVersion', { readonly name: string; readonly version: number; readonly reason: string }>;
export type RecordModelDrift = Command<'RecordModelDrift', ModelDriftDetected['data']>;
export type ModelCommand = RegisterModelVersion | PromoteModelVersion | StartShadow | RetireModelVersion | RecordModelDrift;

export type ModelVersionStatus = 'registered' | 'champion' | 'challenger' | 'retired';

export interface ModelVersionState {
  readonly registration: ModelVersionRegisteredData;
  readonly status: ModelVersionStatus;
  readonly driftDetections: number;
}

export interface ModelState {
  readonly versions: ReadonlyMap<number, ModelVersionState>;
  readonly champion: number | undefined;
  readonly challenger: number | undefined;
}

const MODEL_NAME = /^[a-z0-9][a-z0-9_.]{0,47}$/;

/** `model-xauusd_direction`; names are lower case without dashes so `signals-{model}-{day}` reads back unambiguously. */
export function modelStreamId(name: string): string {
  if (!MODEL_NAME.test(name)) throw new ValidationError('MODEL.NAME_INVALID', `model name ${JSON.stringify(name)} must be 1-48 of a-z 0-9 _ . starting with a letter or digit`);
  return `model-${name}`;
}

export const initialModelState = (): ModelState => ({ versions: new Map(), champion: undefined, challenger: undefined });

function withStatus(state: ModelState, version: number, status: ModelVersionStatus): Map<number, ModelVersionState> {
  const versions = new Map(state.versions);
  const current = versions.get(version);
  if (current) versions.set(version, { ...current, status });
  return versions;
}

export function evolveModel(state: ModelState, event: ModelEvent): ModelState {
  switch (event.type) {
    case 'ModelVersionRegistered': {
      const versions = new Map(state.versions);
      versions.set(event.data.version, { registration: event.data, status: 'registered', driftDetections: 0 });
      return { ...state, versions };
    }
    case 'ModelVersionPromoted': {
      const { version } = event.data;
      let versions = state.champion === undefined ? new Map(state.versions) : withStatus(state, state.champion, 'registered');
      versions = withStatus({ ...state, versions }, version, 'champion');
      return { versions, champion: version, challenger: state.challenger === version ? undefined : state.challenger };
    }
    case 'ShadowStarted': {
      const cleared = state.challenger === undefined ? new Map(state.versions) : withStatus(state, state.challenger, 'registered');
      return { ...state, versions: withStatus({ ...state, versions: cleared }, event.data.version, 'challenger'), challenger: event.data.version };
    }
    case 'ModelVersionRetired': {
      const { version } = event.data;
      return { versions: withStatus(state, version, 'retired'), champion: state.champion === version ? undefined : state.champion, challenger: state.challenger === version ? undefined : state.challenger };
    }
    case 'ModelDriftDetected': {
      const versions = new Map(state.versions);
      const current = versions.get(event.data.version);
      if (current) versions.set(event.data.version, { ...current, driftDetections: current.driftDetections + 1 });
      return { ...state, versions };
    }
    default:
      return assertNever(event, 'model event');
  }
}

function liveVersion(state: ModelState, name: string, version: number): ModelVersionState {
  const found = state.versions.get(version);
  if (!found) throw new DomainError('MODEL.VERSION_UNKNOWN', `model ${name} has no version ${version}`, { name, version });
  if (found.status === 'retired') throw new DomainError('MODEL.VERSION_RETIRED', `model ${name} version ${version} is retired`, { name, version });
  return found;
}

function decideRegister(command: RegisterModelVersion, state: ModelState): ModelEvent[] {
  const data = command.data;
  modelStreamId(data.name);
  if (!/^[0-9a-f]{64}$/.test(data.sha256)) throw new ValidationError('MODEL.SHA256_INVALID', 'sha256 must be 64 lower-case hex digits');
  // Registering the same file again names the version it already has: nothing new is recorded.
  const same = [...state.versions.values()].find((v) => v.registration.sha256 === data.sha256 && v.status !== 'retired');
  if (same) return [];
  return [{ type: 'ModelVersionRegistered', data: { ...data, version: state.versions.size + 1 } }];
}

export function decideModel(command: ModelCommand, state: ModelState): ModelEvent[] {
  switch (command.type) {
    case 'RegisterModelVersion':
      return decideRegister(command, state);
    case 'PromoteModelVersion': {
      const { name, version } = command.data;
      liveVersion(state, name, version);
      if (state.champion === version) return [];
      return [{ type: 'ModelVersionPromoted', data: { name, version, previousChampion: state.champion ?? null, reason: command.data.reason ?? '' } }];
    }
    case 'StartShadow': {
      const { name, version } = command.data;
      liveVersion(state, name, version);
      if (state.champion === version) throw new DomainError('MODEL.SHADOW_CHAMPION', `model ${name} version ${version} is the champion; a challenger must be another version`, { name, version });
      if (state.challenger === version) return [];
      return [{ type: 'ShadowStarted', data: { name, version, previousChallenger: state.challenger ?? null } }];
    }
    case 'RetireModelVersion': {
      const { name, version, reason } = command.data;
      liveVersion(state, name, version);
      if (state.champion === version) throw new DomainError('MODEL.RETIRE_CHAMPION', `model ${name} version ${version} is the champion: promote another version before retiring it`, { name, version });
      if (reason.trim() === '') throw new ValidationError('MODEL.REASON_REQUIRED', 'retiring a model version needs a reason');
      return [{ type: 'ModelVersionRetired', data: { name, version, reason } }];
    }
    case 'RecordModelDrift': {
      const found = state.versions.get(command.data.version);
      if (!found) throw new DomainError('MODEL.VERSION_UNKNOWN', `model ${command.data.name} has no version ${command.data.version}`);
      return [{ type: 'ModelDriftDetected', data: command.data }];
    }
    default:
      return assertNever(command, 'model command');
  }
}

export const modelRegistryDecider: Decider<ModelCommand, ModelEvent, ModelState> = {
  initialState: initialModelState,
  evolve: evolveModel,
  decide: decideModel,
};

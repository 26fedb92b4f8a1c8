// The model registry: model versions as events in `model-{name}`, written through the command loop.
// Registering reads the file and its sidecar, loads the file in the model runtime and checks its one
// input takes exactly the feature spec's columns. Loading a version for scoring re-checks the file's sha256
// against the registered one, so a file swapped on disk is refused instead of silently scoring.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Actor, EventStore } from '../../domain/ports/event-store.ts';
import { LedgerError, ValidationError } from '../../domain/shared/errors.ts';
import {
  modelRegistryDecider, modelStreamId, parseFeatureSpec,
  type ModelCommand, type ModelEvent, type ModelState, type ModelVersionRegisteredData, type TensorSignature,
} from '../../domain/signals/index.ts';
import { handleCommand } from '../handling/handle-command.ts';
import { uuidV5 } from '../handling/event-ids.ts';
import { featureSpecDigest, sha256Hex } from './digest.ts';
import type { ModelRuntime, ModelSignature, Scorer } from './ports.ts';
import { sidecarPathOf, type ModelSidecar } from './train.ts';

export class ModelArtefactRefused extends LedgerError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(code, 'domain', message, details);
  }
}

export interface RegistryDeps {
  readonly eventStore: EventStore;
  readonly runtime: ModelRuntime;
  /** Relative artefact locations resolve against this folder (the repository root by default). */
  readonly baseDir?: string;
  readonly clock?: () => Date;
  readonly source?: string;
}

export interface RegisterRequest {
  readonly name: string;
  readonly file: string;
}

/** The input must be float32 [N, F] with F the spec's feature count; the output float32 [N, 1]. */
export function checkSignature(signature: ModelSignature, featureCount: number): void {
  const [input] = signature.inputs;
  const [output] = signature.outputs;
  const matrix = (t: TensorSignature | undefined, width: number) => t !== undefined && t.shape.length === 2 && typeof t.shape[0] !== 'number' && t.shape[1] === width;
  if (signature.inputs.length !== 1 || !matrix(input, featureCount)) {
    throw new ModelArtefactRefused('MODEL.INPUTS_MISMATCH', `the model's input must be one float32 tensor [N, ${featureCount}] (the feature spec's columns); it has ${JSON.stringify(signature.inputs)}`, { inputs: signature.inputs, featureCount });
  }
  if (signature.outputs.length !== 1 || !matrix(output, 1)) {
    throw new ModelArtefactRefused('MODEL.OUTPUTS_MISMATCH', `the model's output must be one float32 tensor [N, 1] (a probability); it has ${JSON.stringify(signature.outputs)}`, { outputs: signature.outputs });
  }
}

export class ModelRegistry {
  private readonly baseDir: string;
  constructor(private readonly deps: RegistryDeps) {
    this.baseDir = deps.baseDir ?? process.cwd();
  }

  async state(name: string): Promise<ModelState> {
    const events = await this.deps.eventStore.readStream(modelStreamId(name));
    return events.map((e) => ({ type: e.type, data: e.data }) as unknown as ModelEvent).reduce(modelRegistryDecider.evolve, modelRegistryDecider.initialState());
  }

  async register(actor: Actor, request: RegisterRequest): Promise<{ version: number; recorded: boolean }> {
    const absolute = path.resolve(this.baseDir, request.file);
    const bytes = await readArtefact(absolute);
    const sidecar = await readSidecar(absolute);
    const spec = parseFeatureSpec(sidecar.featureSpec);
    if (sidecar.featureSpecDigest !== featureSpecDigest(spec)) {
      throw new ModelArtefactRefused('MODEL.SPEC_DIGEST_MISMATCH', `${sidecarPathOf(absolute)} states feature spec digest ${sidecar.featureSpecDigest} but its spec digests to ${featureSpecDigest(spec)}`);
    }
    const scorer = await this.deps.runtime.open(bytes);
    const signature = scorer.signature;
    await scorer.close();
    checkSignature(signature, spec.features.length);
    const sha256 = sha256Hex(bytes);
    const relative = path.relative(this.baseDir, absolute);
    const data: Omit<ModelVersionRegisteredData, 'version'> = {
      name: request.name, sha256, featureSpec: spec, featureSpecDigest: sidecar.featureSpecDigest,
      inputs: signature.inputs, outputs: signature.outputs, trainingWindow: sidecar.trainingWindow, metrics: sidecar.metrics,
      artefact: { location: relative.startsWith('..') ? absolute : relative, bytes: bytes.length }, driftReference: sidecar.driftReference,
    };
    const result = await this.handle(actor, { type: 'RegisterModelVersion', data }, `register/${request.name}/${sha256}`);
    const state = await this.state(request.name);
    const version = [...state.versions.values()].find((v) => v.registration.sha256 === sha256 && v.status !== 'retired')!.registration.version;
    return { version, recorded: result.events.length > 0 && result.applied };
  }

  promote(actor: Actor, name: string, version: number, reason = '', commandId?: string) {
    return this.handle(actor, { type: 'PromoteModelVersion', data: { name, version, reason } }, commandId);
  }

  shadow(actor: Actor, name: string, version: number, commandId?: string) {
    return this.handle(actor, { type: 'StartShadow', data: { name, version } }, commandId);
  }

  retire(actor: Actor, name: string, version: number, reason: string, commandId?: string) {
    return this.handle(actor, { type: 'RetireModelVersion', data: { name, version, reason } }, commandId);
  }

  recordDrift(actor: Actor, data: Extract<ModelCommand, { type: 'RecordModelDrift' }>['data']) {
    return this.handle(actor, { type: 'RecordModelDrift', data }, `drift/${data.name}/${data.version}/${data.tickEventId}`);
  }

  /** Opens a registered version for scoring, refusing a file whose bytes are not the ones registered. */
  async load(registration: ModelVersionRegisteredData): Promise<Scorer> {
    const absolute = path.resolve(this.baseDir, registration.artefact.location);
    const bytes = await readArtefact(absolute);
    const actual = sha256Hex(bytes);
    if (actual !== registration.sha256) {
      throw new ModelArtefactRefused(
        'MODEL.SHA256_MISMATCH',
        `model ${registration.name} version ${registration.version}: ${absolute} has sha256 ${actual} but the version was registered with ${registration.sha256}; ` +
          'restore the registered file, or register the changed file as a new version (npx nicegold model register) and promote it',
        { name: registration.name, version: registration.version, file: absolute, expected: registration.sha256, actual },
      );
    }
    const scorer = await this.deps.runtime.open(bytes);
    checkSignature(scorer.signature, registration.featureSpec.features.length);
    return scorer;
  }

  private handle(actor: Actor, command: Omit<ModelCommand, 'metadata'>, idempotencyKey?: string) {
    const now = (this.deps.clock ?? (() => new Date()))();
    const commandId = idempotencyKey ? uuidV5(`model-registry/${idempotencyKey}`) : crypto.randomUUID();
    const full = { ...command, metadata: { commandId, now, actor } } as ModelCommand;
    return handleCommand({ eventStore: this.deps.eventStore, ...(this.deps.source ? { source: this.deps.source } : {}) }, modelRegistryDecider, modelStreamId(command.data.name), full);
  }
}

async function readArtefact(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new ModelArtefactRefused('MODEL.ARTEFACT_MISSING', `cannot read model file ${file}: ${(error as Error).message}`, { file });
  }
}

async function readSidecar(modelFile: string): Promise<ModelSidecar> {
  const file = sidecarPathOf(modelFile);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ValidationError('MODEL.SIDECAR_MISSING', `registration needs the training sidecar ${file} next to the model (written by npx nicegold model train)`, { file });
  }
  try {
    return JSON.parse(text) as ModelSidecar;
  } catch (error) {
    throw new ValidationError('MODEL.SIDECAR_INVALID', `${file} is not JSON: ${(error as Error).message}`, { file });
  }
}

// `nicegold model train|register|promote|shadow|retire|list`: train the direction model and manage its
// versions as events in `model-{name}`.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Actor } from '../../../domain/ports/event-store.ts';
import { ValidationError } from '../../../domain/shared/errors.ts';
import { XAUUSD_SPEC, DEFAULT_INSTRUMENTS } from '../../../domain/market-data/index.ts';
import { TICK_FEATURES_V1, type FeatureTick } from '../../../domain/signals/index.ts';
import { ModelRegistry } from '../../../commands/signals/registry.ts';
import { syntheticTicks } from '../../../commands/signals/synthetic-ticks.ts';
import { ticksFromStore, ticksFromText } from '../../../commands/signals/training-data.ts';
import { trainDirectionModel, writeModelFiles } from '../../../commands/signals/train.ts';
import { loadConfig } from '../../config/config.ts';
import { createLogger } from '../../logging/logger.ts';
import { INPUT_NAME, OUTPUT_NAME, logisticRegressionOnnx } from '../../onnx/export.ts';
import { onnxRuntime } from '../../onnx/runtime.ts';
import { openBackends, type Backends } from '../../runtime/backends.ts';
import { flag, parseArgs, requireFlag, type ParsedArgs } from '../args.ts';
import type { CliCommand } from '../commands.ts';

export const DEFAULT_MODEL_NAME = 'xauusd_direction';
const USAGE = 'usage: nicegold model train|register|promote|shadow|retire|list [options] (see models/README.md)';
const out = (line: string) => process.stdout.write(`${line}\n`);

function actorOf(parsed: ParsedArgs): Actor {
  return { userId: flag(parsed, 'user') ?? 'cli', role: flag(parsed, 'role') ?? 'analyst' };
}

function isoFlag(parsed: ParsedArgs, name: string, fallback?: string): Date {
  const text = flag(parsed, name) ?? fallback;
  const date = text === undefined ? new Date(Number.NaN) : new Date(text);
  if (Number.isNaN(date.getTime())) throw new ValidationError('CLI.TIME_INVALID', `--${name} must be an ISO time, e.g. 2026-01-05T00:00:00Z`);
  return date;
}

function wholeFlag(parsed: ParsedArgs, name: string, fallback: number): number {
  const text = flag(parsed, name);
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new ValidationError('CLI.NUMBER_INVALID', `--${name} must be a whole number`);
  return value;
}

async function withBackends<T>(work: (backends: Backends) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const backends = await openBackends(config, createLogger('warn'));
  try {
    return await work(backends);
  } finally {
    await backends.close();
  }
}

async function trainingTicks(parsed: ParsedArgs, symbol: string): Promise<{ ticks: FeatureTick[]; from: Date; to: Date; source: string }> {
  const source = flag(parsed, 'source') ?? 'store';
  if (source === 'synthetic') {
    const from = isoFlag(parsed, 'from', '2026-01-05T00:00:00Z');
    const seed = wholeFlag(parsed, 'seed', 1);
    const ticks = syntheticTicks({ seed, ticks: wholeFlag(parsed, 'ticks', 20_000), start: from });
    return { ticks, from, to: new Date(ticks[ticks.length - 1]!.timeMs + 1), source: `synthetic seed ${seed}` };
  }
  const from = isoFlag(parsed, 'from');
  const to = isoFlag(parsed, 'to');
  if (source === 'file') {
    const file = requireFlag(parsed, 'file', 'the tick file to train on');
    const spec = DEFAULT_INSTRUMENTS.find((s) => s.symbol === symbol) ?? XAUUSD_SPEC;
    return { ticks: ticksFromText(await readFile(file, 'utf8'), spec, from, to), from, to, source: `file ${path.basename(file)}` };
  }
  if (source !== 'store') throw new ValidationError('CLI.SOURCE_INVALID', '--source must be store, file or synthetic');
  return { ticks: await withBackends((b) => ticksFromStore(b.eventStore, symbol, from, to)), from, to, source: 'event store' };
}

async function train(parsed: ParsedArgs, args: readonly string[]): Promise<number> {
  const symbol = flag(parsed, 'symbol') ?? 'XAUUSD';
  const name = flag(parsed, 'name') ?? DEFAULT_MODEL_NAME;
  const { ticks, from, to, source } = await trainingTicks(parsed, symbol);
  const request = {
    name, spec: TICK_FEATURES_V1, ticks, horizonTicks: wholeFlag(parsed, 'horizon', 5),
    window: { symbol, from: from.toISOString(), to: to.toISOString(), source },
  };
  const trained = trainDirectionModel(request);
  const features = TICK_FEATURES_V1.features.length;
  const onnx = logisticRegressionOnnx({ weights: trained.model.weights, bias: trained.model.bias, graphName: name, docString: `${name}: P(mid up ${request.horizonTicks} ticks ahead)` });
  const signature = { inputs: [{ name: INPUT_NAME, type: 'float32' as const, shape: ['N', features] }], outputs: [{ name: OUTPUT_NAME, type: 'float32' as const, shape: ['N', 1] }] };
  const written = await writeModelFiles(request, trained, requireFlag(parsed, 'out', 'the folder to write the model to'), onnx, signature, `npx nicegold model ${args.join(' ')}`);
  const m = trained.metrics;
  out(`trained ${name} on ${ticks.length} ticks (${m.trainSamples} train / ${m.testSamples} test samples)`);
  out(`test window: accuracy ${m.accuracy.toFixed(4)}  log loss ${m.logLoss.toFixed(4)}  AUC ${m.auc.toFixed(4)}`);
  out(`wrote ${written.modelPath} (sha256 ${written.sidecar.sha256}) and ${written.sidecarPath}`);
  return 0;
}

function versionArg(parsed: ParsedArgs): number {
  const text = flag(parsed, 'version') ?? parsed.positional[1];
  const version = Number(text);
  if (!Number.isSafeInteger(version) || version < 1) throw new ValidationError('CLI.VERSION_INVALID', '--version must be a registered version number (see nicegold model list)');
  return version;
}

async function manage(sub: string, parsed: ParsedArgs): Promise<number> {
  const name = flag(parsed, 'name') ?? DEFAULT_MODEL_NAME;
  const actor = actorOf(parsed);
  return withBackends(async ({ eventStore }) => {
    const registry = new ModelRegistry({ eventStore, runtime: onnxRuntime, source: 'cli' });
    switch (sub) {
      case 'register': {
        const result = await registry.register(actor, { name, file: requireFlag(parsed, 'file', 'the .onnx file (its .json sidecar next to it)') });
        out(result.recorded ? `registered ${name} version ${result.version}` : `${name} version ${result.version} already holds this file; nothing recorded`);
        break;
      }
      case 'promote': await registry.promote(actor, name, versionArg(parsed), flag(parsed, 'reason')); out(`${name} version ${versionArg(parsed)} is the champion`); break;
      case 'shadow': await registry.shadow(actor, name, versionArg(parsed)); out(`${name} version ${versionArg(parsed)} runs in shadow`); break;
      case 'retire': await registry.retire(actor, name, versionArg(parsed), requireFlag(parsed, 'reason', 'why the version is retired')); out(`${name} version ${versionArg(parsed)} retired`); break;
      default: {
        const state = await registry.state(name);
        if (state.versions.size === 0) out(`no versions of ${name}`);
        for (const v of state.versions.values()) {
          const r = v.registration;
          out(`${name} v${r.version}  ${v.status.padEnd(10)}  auc ${r.metrics.auc.toFixed(3)}  acc ${r.metrics.accuracy.toFixed(3)}  sha256 ${r.sha256.slice(0, 12)}  ${r.artefact.location}${v.driftDetections ? `  drift x${v.driftDetections}` : ''}`);
        }
      }
    }
    return 0;
  });
}

export const command: CliCommand = {
  name: 'model',
  summary: 'train the direction model (ONNX) and register / promote / shadow / retire / list its versions',
  async run(args) {
    const parsed = parseArgs(args);
    const sub = parsed.positional[0];
    if (sub === 'train') return train(parsed, args);
    if (sub === 'register' || sub === 'promote' || sub === 'shadow' || sub === 'retire' || sub === 'list') return manage(sub, parsed);
    process.stderr.write(`${USAGE}\n`);
    return 2;
  },
};

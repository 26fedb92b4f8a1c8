// The shipped demo model: registered and promoted on start in embedded mode so the demo produces signals.
// Idempotent: registering the same file names its existing version, and an existing champion (perhaps one
// an analyst promoted) is left in place.
import type { ModelRegistry } from './registry.ts';

export const DEMO_MODEL = { name: 'xauusd_direction', file: 'models/xauusd_direction-3fa47769e36f.onnx' } as const;
const DEMO_ACTOR = { userId: 'demo-setup', role: 'service' } as const;

export async function ensureDemoModel(registry: ModelRegistry, model: { name: string; file: string } = DEMO_MODEL): Promise<{ version: number; champion: number | undefined }> {
  const { version } = await registry.register(DEMO_ACTOR, model);
  const state = await registry.state(model.name);
  if (state.champion !== undefined) return { version, champion: state.champion };
  await registry.promote(DEMO_ACTOR, model.name, version, 'demo model shipped with the repository', undefined);
  return { version, champion: version };
}

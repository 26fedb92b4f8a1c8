// The repository's folder (the one holding package.json) above a module, the same whether the module runs
// from the sources or from the compiled tree under dist/, which has no package.json of its own: paths
// recorded relative to it (model artefacts under models/) mean the same file either way.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function repositoryRootAbove(moduleUrl: string): string {
  for (let dir = path.dirname(fileURLToPath(moduleUrl)); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${fileURLToPath(moduleUrl)}: run nicegold from its repository or image`);
  }
}

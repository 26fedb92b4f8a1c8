// Every file in infra/runtime/roles/ registers its role starters when imported. Features add a file
// there; nobody edits a shared list. The files are this module's kind: `.ts` run from the sources, `.js`
// run from the compiled tree (dist/, see bin/nicegold.mjs).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let loaded: Promise<void> | undefined;

export function loadRoleModules(): Promise<void> {
  loaded ??= (async () => {
    const self = fileURLToPath(import.meta.url);
    const dir = path.join(path.dirname(self), 'roles');
    for (const file of readdirSync(dir).filter((f) => f.endsWith(path.extname(self))).sort()) {
      await import(pathToFileURL(path.join(dir, file)).href);
    }
  })();
  return loaded;
}

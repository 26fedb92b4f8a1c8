// Every file in infra/runtime/roles/ registers its role starters when imported. Features add a file
// there; nobody edits a shared list.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let loaded: Promise<void> | undefined;

export function loadRoleModules(): Promise<void> {
  loaded ??= (async () => {
    const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'roles');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
      await import(pathToFileURL(path.join(dir, file)).href);
    }
  })();
  return loaded;
}

// Which code `nicegold` runs: the compiled tree (dist/, built by `npm run build`) when it is complete and
// newer than every source, else the TypeScript sources through tsx. Importing the compiled modules costs
// about half the CPU of transforming the same modules on load, which is most of a restart's time; a
// stale tree is never run (an edited, added or removed source makes it stale), so `npm ci && npm start`
// and editing the sources keep working without a build step.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The folders compiled into dist/ (tsconfig.build.json) and the files that change what is emitted. */
export const SOURCE_DIRS = ['domain', 'commands', 'projections', 'read-api', 'infra'];
const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.build.json'];
/** Written last by bin/build.mjs: the instant the build read its sources. */
export const BUILD_STAMP = '.build.json';

/** The newest modification time under a folder, the folders' own included (an added or removed file changes its folder's). */
function newestUnder(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** The newest modification time of anything the build reads. */
export function newestSource(root) {
  let newest = 0;
  for (const dir of SOURCE_DIRS) newest = Math.max(newest, newestUnder(path.join(root, dir)));
  for (const file of BUILD_INPUTS) newest = Math.max(newest, statSync(path.join(root, file)).mtimeMs);
  return newest;
}

/**
 * Why dist/ under `root` cannot be run (no build, an unfinished one, or sources changed since), or
 * undefined when it can.
 */
export function compiledStaleness(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(root, 'dist', BUILD_STAMP), 'utf8'));
  } catch {
    return 'no complete build';
  }
  if (typeof stamp?.sourcesAsOf !== 'number') return 'no complete build';
  return newestSource(root) >= stamp.sourcesAsOf ? 'the sources changed after the build' : undefined;
}

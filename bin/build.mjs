// `npm run build`: compiles the sources into dist/ (tsc -p tsconfig.build.json), copies the files they
// read beside themselves (GraphiQL's page assets, the ONNX schema), then writes dist/.build.json with the
// instant the sources were read. bin/nicegold.mjs runs dist/ only while that stamp is newer than every
// source (bin/compiled.mjs), so a failed or interrupted build, or an edit after it, is never run.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_STAMP, SOURCE_DIRS } from './compiled.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

/** Files other than TypeScript and notes under a source folder, as paths relative to the root. */
function assetsUnder(dir) {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return assetsUnder(relative);
    return entry.name.endsWith('.ts') || entry.name.endsWith('.md') ? [] : [relative];
  });
}

// One millisecond back: a source saved in the same millisecond as the build started counts as newer.
const sourcesAsOf = Date.now() - 1;
const writeStamp = () => writeFileSync(path.join(dist, BUILD_STAMP), `${JSON.stringify({ sourcesAsOf, builtAt: new Date().toISOString() })}\n`);
if (process.argv.includes('--stamp-only')) {
  // The Docker image copies the sources and a dist/ built from the same ones in another stage: copying
  // gives them new times, so the image says once, at build time, that this dist/ is theirs.
  writeStamp();
  process.stderr.write('build: dist/ stamped as built from the sources beside it\n');
  process.exit(0);
}
rmSync(dist, { recursive: true, force: true }); // removed sources must not survive in the tree
process.stderr.write('build: compiling the sources into dist/ (tsc -p tsconfig.build.json)\n');
const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) {
  process.stderr.write('build: tsc failed (above); dist/ is incomplete and will not be run. Fix the errors and run npm run build again.\n');
  process.exit(1);
}
const assets = SOURCE_DIRS.flatMap(assetsUnder);
for (const asset of assets) {
  mkdirSync(path.dirname(path.join(dist, asset)), { recursive: true });
  cpSync(path.join(root, asset), path.join(dist, asset));
}
writeStamp();
process.stderr.write(`build: dist/ complete (${assets.length} assets copied); nicegold runs it until a source changes\n`);

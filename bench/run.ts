// `npm run bench -- <name>`: runs one benchmark from bench/<name>.ts; without a name, lists them.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <name>\navailable: ${available.join(', ')}\n`);
  process.exit(name ? 2 : 0);
}
const module = (await import(pathToFileURL(path.join(here, `${name}.bench.ts`)).href)) as { run(args: string[]): Promise<void> };
await module.run(process.argv.slice(3));

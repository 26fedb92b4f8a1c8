// The CLI's command table: every file in infra/cli/commands/ is named after the command it exports as
// `command` (its name and runner). Features add a file there; nobody edits a shared list. Running one
// command imports only its file, so `nicegold token` does not load ONNX, NATS or the projections.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  run(args: readonly string[]): Promise<number>;
}

const self = fileURLToPath(import.meta.url);
const dir = path.join(path.dirname(self), 'commands');
// `.ts` when run from the sources, `.js` from the compiled tree (dist/, see bin/nicegold.mjs).
const extension = path.extname(self);

const importCommand = async (name: string): Promise<CliCommand | undefined> =>
  ((await import(pathToFileURL(path.join(dir, `${name}${extension}`)).href)) as { command?: CliCommand }).command;

/** The names of the commands there are, from the folder, without importing any of them. */
export const commandNames = (): string[] =>
  readdirSync(dir).filter((f) => f.endsWith(extension)).map((f) => f.slice(0, -extension.length)).sort();

/** One command, importing only its module; undefined for an unknown name. */
export async function loadCommand(name: string): Promise<CliCommand | undefined> {
  return commandNames().includes(name) ? importCommand(name) : undefined;
}

/** Every command, for the usage listing. */
export async function loadCommands(): Promise<Map<string, CliCommand>> {
  const commands = new Map<string, CliCommand>();
  for (const name of commandNames()) {
    const command = await importCommand(name);
    if (command) commands.set(command.name, command);
  }
  return commands;
}

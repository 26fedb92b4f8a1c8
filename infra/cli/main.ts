// `nicegold <command>`: one CLI for every role and tool. Commands register in infra/cli/commands.ts.
import { loadCommand, loadCommands } from './commands.ts';

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? await loadCommand(name) : undefined;
  if (!command) {
    const commands = await loadCommands();
    const width = Math.max(...[...commands.keys()].map((k) => k.length));
    process.stderr.write(`usage: nicegold <command> [options]\n\n${[...commands].map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`).join('\n')}\n`);
    return name && name !== 'help' && name !== '--help' ? 2 : 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    const code = (error as { code?: string }).code;
    process.stderr.write(`nicegold ${name}: ${(error as Error).message}${code ? ` [${code}]` : ''}\n`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) process.exitCode = await main(process.argv.slice(2));

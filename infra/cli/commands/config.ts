import { CONFIG_VARIABLES, loadConfig } from '../../config/config.ts';
import type { CliCommand } from '../commands.ts';

export const command: CliCommand = {
  name: 'config',
  summary: 'print the configuration variables, their defaults, and the values in effect',
  async run() {
    const config = loadConfig();
    for (const variable of CONFIG_VARIABLES) process.stdout.write(`${variable.name.padEnd(16)} ${variable.default.padEnd(28)} ${variable.meaning}\n`);
    process.stdout.write(`\nin effect: event store ${config.eventStore}, roles ${config.roles.join(',')}, port ${config.port}\n`);
    return 0;
  },
};

import type { Config } from '../../config/config.ts';
import { loadConfig } from '../../config/config.ts';
import { mintToken, PRINCIPAL_ROLES } from '../../auth/index.ts';
import { startLedger } from '../../runtime/start.ts';
import { parseArgs } from '../args.ts';
import type { CliCommand } from '../commands.ts';

export const command: CliCommand = {
  name: 'start',
  summary: 'run the ledger (every role by default; ROLES picks some); --fresh resets embedded data',
  async run(args) {
    const parsed = parseArgs(args, ['fresh']);
    const config = loadConfig();
    const ledger = await startLedger(config, { fresh: parsed.flags.has('fresh') });
    if (ledger.url) process.stdout.write(await banner(config, ledger.url));
    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        ledger.logger.info({ signal }, 'shutting down');
        void ledger.stop().then(resolve, (error: unknown) => { ledger.logger.error({ err: error }, 'shutdown failed'); resolve(); });
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    });
    return 0;
  },
};

/** What a newcomer needs to look around: where things are, and a development token per role. */
async function banner(config: Config, url: string): Promise<string> {
  const lines = [
    '',
    `NICEGOLD Ledger is running (${config.roles.join(', ')}; event store ${config.eventStore})`,
    `  GraphiQL   ${url}/graphiql${config.graphiql ? '' : '  (off: GRAPHIQL=on to enable)'}`,
    `  API docs   ${url}/docs`,
    `  metrics    ${url}/metrics`,
    `  health     ${url}/healthz  ${url}/readyz`,
  ];
  if (config.demo) lines.push('  demo desk  accounts DEMO-1 and DEMO-2, a small market order every 5 s');
  if (config.nodeEnv === 'development' && config.jwt.algorithm === 'HS256') {
    lines.push('', 'Development tokens (8 h; `npx nicegold token` mints more):');
    for (const role of PRINCIPAL_ROLES) {
      const accounts = role === 'trader' ? ['DEMO-1', 'DEMO-2'] : undefined;
      const token = await mintToken({ role, userId: `dev-${role}`, accounts, ttl: '8h' }, config.jwt);
      lines.push(`  ${role.padEnd(12)} ${token}`);
    }
  }
  lines.push('', 'Ctrl-C stops it in order; data stays under DATA_DIR (npm start -- --fresh resets it).', '');
  return `${lines.join('\n')}\n`;
}

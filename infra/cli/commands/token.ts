// `nicegold token --role trader --account A1 [--account A2] [--user u1] [--ttl 8h]`: a development token
// signed with the configured HS256 secret, printed on stdout so it can go straight into a header.
import { ValidationError } from '../../../domain/shared/errors.ts';
import { PRINCIPAL_ROLES, isPrincipalRole, mintToken } from '../../auth/index.ts';
import { loadConfig } from '../../config/config.ts';
import { flag, parseArgs, requireFlag } from '../args.ts';
import type { CliCommand } from '../commands.ts';

/** Every `--account X` / `--account=X` (the shared parser keeps only the last value of a flag); commas split too. */
export function accountFlags(args: readonly string[]): string[] {
  const accounts: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--account' && args[i + 1] !== undefined) accounts.push(args[i + 1]!);
    else if (arg.startsWith('--account=')) accounts.push(arg.slice('--account='.length));
  }
  return [...new Set(accounts.flatMap((a) => a.split(',')).map((a) => a.trim()).filter(Boolean))];
}

export const command: CliCommand = {
  name: 'token',
  summary: 'mint a development JWT: --role <role> [--account A1 ...] [--user u1] [--ttl 8h]',
  async run(args) {
    const parsed = parseArgs(args);
    const role = requireFlag(parsed, 'role', PRINCIPAL_ROLES.join(' | '));
    if (!isPrincipalRole(role)) throw new ValidationError('AUTH.BAD_ROLE', `--role must be one of ${PRINCIPAL_ROLES.join(', ')}`);
    const config = loadConfig();
    if (config.jwt.algorithm !== 'HS256') {
      throw new ValidationError('AUTH.NOT_CONFIGURED', 'JWT_ALGORITHM is RS256: tokens come from the identity provider, not this command');
    }
    const token = await mintToken(
      { role, accounts: accountFlags(args), userId: flag(parsed, 'user') ?? `dev-${role}`, ttl: flag(parsed, 'ttl') ?? '8h' },
      config.jwt,
    );
    process.stdout.write(`${token}\n`);
    return 0;
  },
};

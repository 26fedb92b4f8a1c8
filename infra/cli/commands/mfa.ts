// `nicegold mfa code --secret <base32> [--at <ISO time>]`: the TOTP code (SHA-1, 30 s, 6 digits) an
// authenticator app would show for the secret an enrolment returned, for the README's tour, scripts
// and drills. It reads no configuration and opens no store. The secret is a credential: on a shared
// machine pass it from a file (--secret "$(cat secret.txt)"), not typed where the shell history keeps it.
import { ValidationError } from '../../../domain/shared/errors.ts';
import { base32Decode, timeStep, totp } from '../../../commands/mfa/totp.ts';
import { flag, parseArgs, requireFlag } from '../args.ts';
import type { CliCommand } from '../commands.ts';

const PERIOD_SECONDS = 30;

export const command: CliCommand = {
  name: 'mfa',
  summary: 'second factor: `mfa code --secret <base32> [--at <ISO time>]` prints the current TOTP code',
  async run(args) {
    const parsed = parseArgs(args);
    const [action] = parsed.positional;
    if (action !== 'code') throw new ValidationError('CLI.UNKNOWN_ACTION', 'usage: nicegold mfa code --secret <base32 secret from POST /v1/mfa/enrolment> [--at <ISO time>]');
    let secret: Buffer;
    try {
      secret = base32Decode(requireFlag(parsed, 'secret', 'the base32 secret your enrolment returned'));
    } catch (error) {
      if (error instanceof RangeError) throw new ValidationError('MFA.SECRET_INVALID', `--secret: ${error.message}`);
      throw error;
    }
    const atText = flag(parsed, 'at');
    const at = atText === undefined ? new Date() : new Date(atText);
    if (Number.isNaN(at.getTime())) throw new ValidationError('CLI.BAD_TIME', `--at must be an ISO time, got ${atText}`);
    process.stdout.write(`${totp(secret, at, { periodSeconds: PERIOD_SECONDS })}\n`);
    const left = PERIOD_SECONDS - (Math.floor(at.getTime() / 1000) % PERIOD_SECONDS);
    process.stderr.write(`valid for ${left} s more (step ${timeStep(at, PERIOD_SECONDS)}); the ledger also takes it during the next step, once\n`);
    return 0;
  },
};

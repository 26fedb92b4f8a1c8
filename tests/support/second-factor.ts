// Second-factor codes in tests, as an authenticator app gives them: the enrolled user's TOTP codes, never
// the same step twice (the ledger refuses a spent step). A test on the real clock gets up to three codes
// per 30 s (the steps before, at and after now) and then waits for the next step; a test whose ledger
// runs its second factor on a test clock moves that clock on instead (testClock).
import { randomUUID } from 'node:crypto';
import { base32Decode, hotp, timeStep } from '../../commands/mfa/totp.ts';
import type { SecondFactor } from '../../commands/mfa/second-factor.ts';
import type { CommandContext } from '../../commands/trading/service.ts';

/** 32 bytes for the tests' MFA_SECRET_KEY. */
export const TEST_MFA_SECRET_KEY = Buffer.alloc(32, 0x5a);

/** A clock under the test's control: `now` for the ledger's second factor, `nextStep` moves it 30 s. */
export function testClock(start = Date.now()) {
  let at = start;
  return { now: () => new Date(at), nextStep: async () => { at += 30_000; } };
}

export class Authenticator {
  private lastStep = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly secret: Buffer,
    private readonly now: () => Date = () => new Date(),
    private readonly wait: () => Promise<void> = () => new Promise((resolve) => setTimeout(resolve, 1_000)),
  ) {}

  static of(base32Secret: string, clock?: { now: () => Date; nextStep: () => Promise<void> }): Authenticator {
    return new Authenticator(base32Decode(base32Secret), clock?.now, clock?.nextStep);
  }

  /** The code of the earliest step the ledger takes now that this test has not used. */
  async nextCode(): Promise<string> {
    for (;;) {
      const current = timeStep(this.now());
      const step = Math.max(current - 1, this.lastStep + 1);
      if (step <= current + 1) {
        this.lastStep = step;
        return hotp(this.secret, step);
      }
      await this.wait();
    }
  }

  /** A code of a step already used: what a replay sends. */
  lastCode(): string {
    return hotp(this.secret, this.lastStep);
  }
}

/** Users enrolled on a service-level second factor (the trading fixtures), each with their authenticator. */
export function enrolledUsers(secondFactor: SecondFactor, clock: { now: () => Date; nextStep: () => Promise<void> }) {
  const devices = new Map<string, Promise<Authenticator>>();
  const deviceOf = (actor: CommandContext['actor']): Promise<Authenticator> => {
    let device = devices.get(actor.userId);
    if (!device) {
      device = secondFactor.enrol({ commandId: randomUUID(), actor }).then((enrolment) => Authenticator.of(enrolment.secret, clock));
      devices.set(actor.userId, device);
    }
    return device;
  };
  /** The command context with a fresh code of its actor, enrolling the actor on first use. */
  const withCode = async (ctx: CommandContext): Promise<CommandContext> => ({ ...ctx, secondFactorCode: await (await deviceOf(ctx.actor)).nextCode() });
  return { withCode, device: deviceOf };
}

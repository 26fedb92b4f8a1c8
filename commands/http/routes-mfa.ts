// The second factor: a risk officer or admin enrols one (the secret is shown once), an admin unlocks a
// locked one or resets a lost one (never their own), and reads where a user's factor stands.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { SecondFactor } from '../mfa/second-factor.ts';
import { ACCESS, commandContext } from './access.ts';
import { commandDoc, tagged } from './routes-accounts.ts';
import { EnrolmentResponse, ErrorResponse, IdempotencyHeaders, MfaAdminBody, MfaStatusResponse, MfaUserParams } from './schemas.ts';

const withErrors = <T>(ok: T) => ({ 200: ok, '4xx': ErrorResponse, '5xx': ErrorResponse });

export async function mfaRoutes(app: FastifyInstance, secondFactor: SecondFactor): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post('/mfa/enrolment', {
    config: { access: ACCESS.enrolSecondFactor },
    schema: {
      ...commandDoc('mfa', 'Enrol a second factor for yourself', 'risk_officer, admin. 201 with the otpauth:// URI and the base32 secret, shown this once (the ledger records the secret encrypted). '
        + 'Add it to an authenticator app; its codes go in X-TOTP-Code for changing limits and approving a global stop release. 409 MFA.ALREADY_ENROLLED if you have one: an admin resets it first.'),
      headers: IdempotencyHeaders,
      response: { 201: EnrolmentResponse, '4xx': ErrorResponse, '5xx': ErrorResponse },
    },
  }, async (request, reply) => {
    const enrolment = await secondFactor.enrol(commandContext(request, {}));
    return reply.status(201).header('cache-control', 'no-store').send(enrolment);
  });

  type AdminAction = (ctx: ReturnType<typeof commandContext>, input: { userId: string; reason: string }) => Promise<void>;
  const adminActions: ReadonlyArray<readonly [string, string, string, AdminAction]> = [
    ['unlock', 'Unlock a locked second factor', 'admin, for another user (not yourself), with a reason. 422 MFA.NOT_LOCKED if it is not locked.', (ctx, input) => secondFactor.unlock(ctx, input)],
    ['reset', 'Reset a second factor (lost device)', 'admin, for another user (not yourself), with a reason. The user enrols again.', (ctx, input) => secondFactor.reset(ctx, input)],
  ];
  for (const [action, summary, description, run] of adminActions) {
    api.post(`/mfa/users/:userId/${action}`, {
      config: { access: ACCESS.manageSecondFactors },
      schema: { ...commandDoc('mfa', summary, description), params: MfaUserParams, body: MfaAdminBody, headers: IdempotencyHeaders, response: withErrors(MfaStatusResponse) },
    }, async (request, reply) => {
      await run(commandContext(request, request.body), { userId: request.params.userId, reason: request.body.reason });
      return reply.status(200).send(await secondFactor.status(request.params.userId));
    });
  }

  api.get('/mfa/users/:userId', {
    config: { access: ACCESS.manageSecondFactors },
    schema: { ...tagged('mfa', 'Whether a user has a second factor, and whether it is locked'), params: MfaUserParams },
  }, async (request) => secondFactor.status(request.params.userId));
}

// Emergency stops at global, instrument and account scope. Engaging cancels working orders in scope;
// releasing the global stop needs a request and an approval by a different officer.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../domain/shared/errors.ts';
import type { ControlScope } from '../../domain/trading/control/index.ts';
import type { CommandContext, CommandOutcome, StopInput, TradingService } from '../trading/service.ts';
import { ACCESS, commandContext, type Access } from './access.ts';
import { presentOutcome, presentStop } from './present.ts';
import { answer, commandDoc, tagged } from './routes-accounts.ts';
import { IdempotencyHeaders, SecondFactorHeaders, StopBody, StopQuery } from './schemas.ts';

function scopeOf(query: StopQuery): ControlScope {
  if (query.kind === 'global') return { kind: 'global' };
  if (query.kind === 'instrument' && query.symbol) return { kind: 'instrument', symbol: query.symbol };
  if (query.kind === 'account' && query.accountId) return { kind: 'account', accountId: query.accountId };
  throw new ValidationError('CONTROL.SCOPE_INVALID', 'an instrument stop needs symbol; an account stop needs accountId', { field: 'scope' });
}

export async function stopRoutes(app: FastifyInstance, service: TradingService): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  type Run = (ctx: CommandContext, input: StopInput) => Promise<CommandOutcome>;
  const commands: ReadonlyArray<readonly [string, Access, string, string, Run, typeof IdempotencyHeaders | typeof SecondFactorHeaders]> = [
    ['/stops/engage', ACCESS.engageStop, 'Engage an emergency stop', 'risk_officer, admin. Denies new risk and cancels working orders in scope.', (ctx, input) => service.engageStop(ctx, input), IdempotencyHeaders],
    ['/stops/release-requests', ACCESS.requestStopRelease, 'Request a stop release', 'risk_officer, admin. Instrument and account stops release at once; the global stop waits for an approval.', (ctx, input) => service.requestStopRelease(ctx, input), IdempotencyHeaders],
    ['/stops/release-approvals', ACCESS.approveStopRelease, 'Approve a global stop release', 'risk_officer, admin; the approver must differ from the requester and sends a code of their second factor: X-TOTP-Code.', (ctx, input) => service.approveStopRelease(ctx, input), SecondFactorHeaders],
  ];
  for (const [url, access, summary, description, run, headers] of commands) {
    api.post(url, {
      config: { access },
      schema: { ...commandDoc('stops', summary, description), body: StopBody, headers },
    }, async (request, reply) => {
      const ctx = commandContext(request, request.body);
      const outcome = await run(ctx, { scope: request.body.scope, reason: request.body.reason });
      return answer(reply, 200, outcome, presentOutcome(outcome));
    });
  }

  api.get('/stops', {
    config: { access: ACCESS.readStop },
    schema: { ...tagged('stops', 'Whether a stop is engaged at a scope'), querystring: StopQuery },
  }, async (request) => presentStop(await service.stop(scopeOf(request.query))));
}

// Accounts: open, risk limits, deposits and withdrawals, and the account's current state.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { NotFoundError } from '../../domain/shared/errors.ts';
import type { CommandOutcome, TradingService } from '../trading/service.ts';
import { ACCESS, asClientSees, commandContext } from './access.ts';
import { fundsInput, openAccountInput, setLimitsInput } from './convert.ts';
import { presentAccount, presentOutcome } from './present.ts';
import { AccountParams, ErrorResponse, FundsBody, IdempotencyHeaders, OpenAccountBody, SecondFactorHeaders, SetLimitsBody, TradingStateBody } from './schemas.ts';

export const ERRORS = { '4xx': ErrorResponse, '5xx': ErrorResponse };
/** Reads answer plain JSON; commands document their error body (reads would need a schema per shape to type their answers). */
export const tagged = (tag: string, summary: string, description?: string) =>
  ({ tags: [tag], summary, ...(description ? { description } : {}), security: [{ bearer: [] }] });
export const commandDoc = (tag: string, summary: string, description: string) => ({ ...tagged(tag, summary, description), response: ERRORS });

/** `Idempotent-Replayed: true` says the command had been applied before; the body is the original one. */
export function answer(reply: FastifyReply, status: number, outcome: CommandOutcome, body: unknown): FastifyReply {
  return reply.status(status).header('idempotent-replayed', String(!outcome.applied)).send(body);
}

export async function accountRoutes(app: FastifyInstance, service: TradingService): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post('/accounts', {
    config: { access: ACCESS.openAccount },
    schema: { ...commandDoc('accounts', 'Open an account', 'admin. 201 with the AccountOpened event; 422 ACCOUNT.ALREADY_OPEN when the id is taken.'), body: OpenAccountBody, headers: IdempotencyHeaders },
  }, async (request, reply) => {
    const outcome = await service.openAccount(commandContext(request, request.body), openAccountInput(request.body));
    return answer(reply, 201, outcome, presentOutcome(outcome));
  });

  api.put('/accounts/:accountId/limits', {
    config: { access: ACCESS.setRiskLimits },
    schema: { ...commandDoc('accounts', 'Set the risk limits (versioned)', 'risk_officer, admin. With expectedVersion, refused (409/422) when someone changed the limits since. Changing limits an account already has needs your second factor: X-TOTP-Code (an account\'s first limits do not).'), params: AccountParams, body: SetLimitsBody, headers: SecondFactorHeaders },
  }, async (request, reply) => {
    const input = setLimitsInput(request.params.accountId, request.body);
    const outcome = await asClientSees(service.setRiskLimits(commandContext(request, request.body), input));
    return answer(reply, 200, outcome, presentOutcome(outcome));
  });

  api.post('/accounts/:accountId/deposits', {
    config: { access: ACCESS.deposit },
    schema: { ...commandDoc('accounts', 'Deposit cash', 'admin. amount is decimal text in the account currency.'), params: AccountParams, body: FundsBody, headers: IdempotencyHeaders },
  }, async (request, reply) => {
    const outcome = await asClientSees(service.deposit(commandContext(request, request.body), fundsInput(request.params.accountId, request.body)));
    return answer(reply, 200, outcome, presentOutcome(outcome));
  });

  api.post('/accounts/:accountId/withdrawals', {
    config: { access: ACCESS.withdraw },
    schema: { ...commandDoc('accounts', 'Withdraw cash', 'admin. 422 ACCOUNT.INSUFFICIENT_FUNDS beyond free cash.'), params: AccountParams, body: FundsBody, headers: IdempotencyHeaders },
  }, async (request, reply) => {
    const outcome = await asClientSees(service.withdraw(commandContext(request, request.body), fundsInput(request.params.accountId, request.body)));
    return answer(reply, 200, outcome, presentOutcome(outcome));
  });

  api.put('/accounts/:accountId/trading-state', {
    config: { access: ACCESS.setTradingState },
    schema: { ...commandDoc('accounts', 'Set the trading state', 'risk_officer, admin. ACTIVE, REDUCING (risk-reducing orders only) or HALTED (cancels only), with a reason.'), params: AccountParams, body: TradingStateBody, headers: IdempotencyHeaders },
  }, async (request, reply) => {
    const { accountId } = request.params;
    const outcome = await asClientSees(service.setTradingState(commandContext(request, request.body), { accountId, state: request.body.state, reason: request.body.reason }));
    return answer(reply, 200, outcome, presentOutcome(outcome));
  });

  api.get('/accounts/:accountId', {
    config: { access: ACCESS.readAccount },
    schema: { ...tagged('accounts', 'The account now: balance, limits, trading state, working orders, positions, P&L'), params: AccountParams },
  }, async (request) => {
    const view = await service.account(request.params.accountId);
    if (!view) throw new NotFoundError('ACCOUNT.NOT_FOUND', `no account ${request.params.accountId}`, { accountId: request.params.accountId });
    return presentAccount(view);
  });
}

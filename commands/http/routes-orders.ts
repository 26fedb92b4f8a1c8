// Orders: place (a risk denial is a successful 201 that carries the recorded decision), cancel, fills
// reported by the broker (service role), and one order's state.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../domain/shared/errors.ts';
import type { FillRefused } from '../../domain/trading/account/index.ts';
import type { TradingService } from '../trading/service.ts';
import { ACCESS, asClientSees, commandContext } from './access.ts';
import { formatPrice, placeOrderInput, recordFillInput, specFor } from './convert.ts';
import { presentOrder, presentOrderOutcome, presentOutcome } from './present.ts';
import { answer, commandDoc, tagged } from './routes-accounts.ts';
import { AccountParams, CancelOrderBody, IdempotencyHeaders, OrderParams, PlaceOrderBody, RecordFillBody } from './schemas.ts';

export async function orderRoutes(app: FastifyInstance, service: TradingService): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post('/accounts/:accountId/orders', {
    config: { access: ACCESS.placeOrder },
    schema: {
      ...commandDoc('orders', 'Place an order', 'trader (own accounts), admin. Always 201 once the order is judged: `accepted` and the recorded risk decision (every check with observed value and limit; failed checks in `reasons`).'),
      params: AccountParams, body: PlaceOrderBody, headers: IdempotencyHeaders,
    },
  }, async (request, reply) => {
    const input = placeOrderInput(request.params.accountId, request.body);
    const outcome = await asClientSees(service.placeOrder(commandContext(request, request.body), input));
    return answer(reply, 201, outcome, presentOrderOutcome(outcome));
  });

  api.post('/accounts/:accountId/orders/:orderId/cancel', {
    config: { access: ACCESS.cancelOrder },
    schema: { ...commandDoc('orders', 'Request a cancel', 'trader (own accounts), admin. The order goes pending_cancel; the broker confirms. 404 ORDER.UNKNOWN.'), params: OrderParams, body: CancelOrderBody, headers: IdempotencyHeaders },
  }, async (request, reply) => {
    const { accountId, orderId } = request.params;
    const input = { accountId, orderId, ...(request.body.reason !== undefined ? { reason: request.body.reason } : {}) };
    const outcome = await asClientSees(service.cancelOrder(commandContext(request, request.body), input));
    return answer(reply, 200, outcome, presentOutcome(outcome));
  });

  api.post('/accounts/:accountId/fills', {
    config: { access: ACCESS.recordFill },
    schema: { ...commandDoc('orders', 'Record a fill (broker reports)', 'service, admin. A repeated fillId is booked once; an overfill is refused. A fill whose symbol or side is not the order\'s, whose price is worse than the order\'s limit, or lies outside the instrument\'s band around the latest quote is refused with 422 (FILL.SYMBOL_MISMATCH, FILL.SIDE_MISMATCH, FILL.WORSE_THAN_LIMIT, FILL.OUTSIDE_MARKET_BAND, FILL.NO_MARKET_QUOTE) and recorded as FillRefused.'), params: AccountParams, body: RecordFillBody, headers: IdempotencyHeaders },
  }, async (request, reply) => {
    const { accountId } = request.params;
    const ctx = commandContext(request, request.body);
    const order = await service.order(accountId, request.body.orderId);
    if (!order) throw new NotFoundError('ORDER.UNKNOWN', `no order ${request.body.orderId} on account ${accountId}`, { accountId, orderId: request.body.orderId });
    const outcome = await asClientSees(service.recordFill(ctx, recordFillInput(accountId, request.body, specFor(order.symbol))));
    // A refused fill is recorded (FillRefused) and answered as the refusal it is: nothing was booked.
    const refused = outcome.events.find((event) => event.type === 'FillRefused')?.data as FillRefused['data'] | undefined;
    if (refused) {
      const details = { fillId: refused.fillId, orderId: refused.orderId, price: formatPrice(refused.price, refused.symbol) };
      return answer(reply, 422, outcome, { code: refused.code, message: `fill ${refused.fillId} refused, not booked: ${refused.reason}`, details });
    }
    return answer(reply, 200, outcome, presentOutcome(outcome));
  });

  api.get('/accounts/:accountId/orders/:orderId', {
    config: { access: ACCESS.readAccount },
    schema: { ...tagged('orders', 'One order, any status'), params: OrderParams },
  }, async (request) => {
    const { accountId, orderId } = request.params;
    const order = await service.order(accountId, orderId);
    if (!order) throw new NotFoundError('ORDER.UNKNOWN', `no order ${orderId} on account ${accountId}`, { accountId, orderId });
    return presentOrder(order);
  });
}

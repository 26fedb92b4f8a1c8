// Checks on the order itself and the market it meets: size, value, price and data freshness.
import { absBig, mulDiv } from '../../shared/money.ts';
import { cashValue, qtyStepOf } from '../orders/index.ts';
import type { OrderRiskInput, Quote, RiskCheck, RiskCheckName, RiskLimits } from './types.ts';

export const check = (name: RiskCheckName, passed: boolean, observed: string, limit: string): RiskCheck => ({ name, passed, observed, limit });

/** A limit-bound check without limits fails: an account nobody has set limits for takes no risk. */
export function withLimits(name: RiskCheckName, input: OrderRiskInput, run: (limits: RiskLimits) => RiskCheck): RiskCheck {
  return input.limits === null ? check(name, false, 'limits not set', 'unset') : run(input.limits);
}

/** A quote the engine may judge prices against: positive and not crossed. */
export const usableQuote = (quote: Quote | undefined): Quote | undefined =>
  quote !== undefined && quote.bid > 0n && quote.ask >= quote.bid ? quote : undefined;

export const checkLimitsSet = (input: OrderRiskInput): RiskCheck =>
  check('RISK.LIMITS_NOT_SET', input.limits !== null, input.limits === null ? 'unset' : 'set', 'set');

export const checkQtyMin = ({ order, instrument }: OrderRiskInput): RiskCheck =>
  check('RISK.QTY_MIN', order.qty >= instrument.minOrderQty, String(order.qty), String(instrument.minOrderQty));

export const checkQtyMax = ({ order, instrument }: OrderRiskInput): RiskCheck =>
  check('RISK.QTY_MAX', order.qty <= instrument.maxOrderQty, String(order.qty), String(instrument.maxOrderQty));

export function checkQtyStep({ order, instrument }: OrderRiskInput): RiskCheck {
  const step = qtyStepOf(instrument);
  return check('RISK.QTY_STEP', order.qty % step === 0n, String(order.qty), `multiple of ${step}`);
}

/** The worst price the order can trade at: its own limit or stop price, else the far side of the quote. */
export function referencePrice(input: OrderRiskInput): bigint | undefined {
  const { order } = input;
  if (order.kind === 'limit') return order.limitPrice ?? undefined;
  if (order.kind === 'stop') return order.stopPrice ?? undefined;
  const quote = usableQuote(input.quote);
  if (quote === undefined) return undefined;
  return order.side === 'buy' ? quote.ask : quote.bid;
}

export function checkNotional(input: OrderRiskInput): RiskCheck {
  return withLimits('RISK.NOTIONAL', input, (limits) => {
    const price = referencePrice(input);
    if (price === undefined) return check('RISK.NOTIONAL', false, 'unknown: no usable quote', String(limits.maxOrderNotional));
    const notional = cashValue(input.order.qty, price, input.instrument);
    return check('RISK.NOTIONAL', notional <= limits.maxOrderNotional, String(notional), String(limits.maxOrderNotional));
  });
}

/**
 * How far `price` lies from the quote's mid, against a band in bps: twice the distance from the mid
 * against twice the mid, exact, with no halved price units. `bps` is the distance rounded up.
 */
export function distanceFromMid(price: bigint, quote: Quote, bandBps: bigint): { readonly within: boolean; readonly bps: bigint } {
  const twiceMid = quote.bid + quote.ask;
  const deviation = absBig(2n * price - twiceMid);
  return { within: deviation * 10_000n <= bandBps * twiceMid, bps: mulDiv(deviation, 10_000n, twiceMid, 'ceil') };
}

export function checkPriceCollar(input: OrderRiskInput): RiskCheck {
  return withLimits('RISK.PRICE_COLLAR', input, (limits) => {
    const collar = String(limits.priceCollarBps);
    const { order } = input;
    const price = order.kind === 'limit' ? order.limitPrice : order.kind === 'stop' ? order.stopPrice : null;
    if (order.kind === 'market' || price === null) return check('RISK.PRICE_COLLAR', true, 'n/a: market order', collar);
    const quote = usableQuote(input.quote);
    if (quote === undefined) return check('RISK.PRICE_COLLAR', false, 'unknown: no usable quote', collar);
    const distance = distanceFromMid(price, quote, limits.priceCollarBps);
    return check('RISK.PRICE_COLLAR', distance.within, String(distance.bps), collar);
  });
}

/** No quote, an unusable quote, or one older than the limit denies: stale data never fails open. */
export function checkStaleMarketData(input: OrderRiskInput): RiskCheck {
  const limit = input.limits === null ? 'unset' : String(input.limits.maxQuoteAgeMs);
  if (input.quote === undefined) return check('RISK.STALE_MARKET_DATA', false, 'no quote', limit);
  if (usableQuote(input.quote) === undefined) return check('RISK.STALE_MARKET_DATA', false, 'unusable quote', limit);
  const age = input.now.getTime() - input.quote.timestamp.getTime();
  // A quote stamped slightly ahead of `now` is clock skew between ingest and handler, not staleness.
  const ageMs = Number.isNaN(age) ? Number.POSITIVE_INFINITY : Math.max(age, 0);
  const passed = input.limits !== null && ageMs <= input.limits.maxQuoteAgeMs;
  return check('RISK.STALE_MARKET_DATA', passed, String(ageMs), limit);
}

// Decimal text from JSON becomes integer units here, on the instrument's or currency's grid, through
// domain/market-data. A value off the grid (too many decimals) or out of range is a 400 naming the field.
import {
  DEFAULT_INSTRUMENTS, cashFromText, cashToText, lotsToSteps, priceFromText, priceToText, stepsToLots, type InstrumentSpec,
} from '../../domain/market-data/index.ts';
import { DomainError, LedgerError, ValidationError } from '../../domain/shared/errors.ts';
import type { RiskLimitUnit, RiskLimitsInput } from '../../domain/trading/account/index.ts';
import type {
  FundsInput, OpenAccountInput, PlaceOrderInput, RecordFillInput, SetRiskLimitsInput,
} from '../trading/service.ts';
import type { FundsBody, OpenAccountBody, PlaceOrderBody, RecordFillBody, SetLimitsBody } from './schemas.ts';

const SPECS = new Map(DEFAULT_INSTRUMENTS.map((spec) => [spec.symbol, spec]));
/** Account-level amounts (limits, balances) are counted on the desk's main instrument's grid. */
const DESK_SPEC = DEFAULT_INSTRUMENTS[0]!;

/** Decimal places a client writes a money or quantity limit with: the desk grid the limit is counted on. */
export const limitDecimalPlaces = (unit: RiskLimitUnit): number => (unit === 'qty_steps' ? DESK_SPEC.qtyScale : DESK_SPEC.quoteCurrencyScale);

export function specFor(symbol: string): InstrumentSpec {
  const spec = SPECS.get(symbol);
  if (!spec) throw new DomainError('INSTRUMENT.UNKNOWN', `the desk does not trade ${symbol}`, { symbol });
  return spec;
}

/** Cash is counted in the currency the desk's instruments are quoted in; an account in another currency could not book P&L. */
export function currencySpec(currency: string): InstrumentSpec {
  const spec = DEFAULT_INSTRUMENTS.find((s) => s.quoteCurrency === currency);
  if (!spec) throw new DomainError('ACCOUNT.CURRENCY_UNSUPPORTED', `the desk books in ${[...new Set(DEFAULT_INSTRUMENTS.map((s) => s.quoteCurrency))].join(', ')}, not ${currency}`, { currency });
  return spec;
}

type Sign = 'positive' | 'non_negative';

function field(name: string, sign: Sign, parse: () => bigint): bigint {
  let value: bigint;
  try {
    value = parse();
  } catch (error) {
    if (error instanceof LedgerError) throw new ValidationError(error.code, `${name}: ${error.message}`, { ...error.details, field: name }, { cause: error });
    throw error;
  }
  if (sign === 'positive' ? value <= 0n : value < 0n) {
    throw new ValidationError('REQUEST.NOT_POSITIVE', `${name} must be ${sign === 'positive' ? 'greater than zero' : 'zero or more'}`, { field: name });
  }
  return value;
}

export const cashField = (name: string, text: string, sign: Sign = 'positive', spec = DESK_SPEC) => field(name, sign, () => cashFromText(spec, text));
export const lotsField = (name: string, text: string, spec: InstrumentSpec) => field(name, 'positive', () => lotsToSteps(spec, text));
export const priceField = (name: string, text: string, spec: InstrumentSpec) => field(name, 'positive', () => priceFromText(spec, text));

export const openAccountInput = (body: OpenAccountBody): OpenAccountInput => ({
  accountId: body.accountId,
  currency: body.currency,
  startingBalance: cashField('startingBalance', body.startingBalance, 'non_negative', currencySpec(body.currency)),
});

export const fundsInput = (accountId: string, body: FundsBody): FundsInput => ({
  accountId,
  amount: cashField('amount', body.amount),
  ...(body.reference !== undefined ? { reference: body.reference } : {}),
});

export function setLimitsInput(accountId: string, body: SetLimitsBody): SetRiskLimitsInput {
  const { limits } = body;
  // Only parsed here: the decider holds every limit's bounds and names each field outside them (RISK_LIMITS.INVALID).
  const converted: RiskLimitsInput = {
    maxOrderNotional: cashField('limits.maxOrderNotional', limits.maxOrderNotional, 'non_negative'),
    maxPositionQty: field('limits.maxPositionQty', 'non_negative', () => lotsToSteps(DESK_SPEC, limits.maxPositionQty)),
    maxOpenOrders: limits.maxOpenOrders,
    priceCollarBps: BigInt(limits.priceCollarBps),
    maxQuoteAgeMs: limits.maxQuoteAgeMs,
    maxSubmitsPerWindow: limits.maxSubmitsPerWindow,
    submitWindowMs: limits.submitWindowMs,
    maxDailyLoss: cashField('limits.maxDailyLoss', limits.maxDailyLoss, 'non_negative'),
    ...(limits.maxDrawdownBps !== undefined ? { maxDrawdownBps: BigInt(limits.maxDrawdownBps) } : {}),
    ...(limits.dailyCutoffHourUtc !== undefined ? { dailyCutoffHourUtc: limits.dailyCutoffHourUtc } : {}),
  };
  return {
    accountId,
    limits: converted,
    ...(body.expectedVersion !== undefined ? { expectedVersion: body.expectedVersion } : {}),
    ...(body.reason !== undefined ? { reason: body.reason } : {}),
  };
}

export function placeOrderInput(accountId: string, body: PlaceOrderBody): PlaceOrderInput {
  const spec = specFor(body.symbol);
  const priced = (name: 'limitPrice' | 'stopPrice') => {
    const text = body[name];
    return text === undefined ? {} : { [name]: priceField(name, text, spec) };
  };
  return {
    accountId,
    ...(body.orderId !== undefined ? { orderId: body.orderId } : {}),
    clientOrderId: body.clientOrderId,
    symbol: spec.symbol,
    side: body.side,
    kind: body.kind,
    timeInForce: body.timeInForce,
    qty: lotsField('qty', body.qty, spec),
    ...priced('limitPrice'),
    ...priced('stopPrice'),
    ...(body.reduceOnly !== undefined ? { reduceOnly: body.reduceOnly } : {}),
  };
}

/** The fill's instrument is the order's: the caller looks the order up first. */
export const recordFillInput = (accountId: string, body: RecordFillBody, spec: InstrumentSpec): RecordFillInput => ({
  accountId,
  orderId: body.orderId,
  fillId: body.fillId,
  qty: lotsField('qty', body.qty, spec),
  price: priceField('price', body.price, spec),
  ...(body.fee !== undefined ? { fee: cashField('fee', body.fee, 'non_negative') } : {}),
  ...(body.symbol !== undefined ? { symbol: body.symbol } : {}),
  ...(body.side !== undefined ? { side: body.side } : {}),
});

export const formatCash = (units: bigint, currency?: string) => cashToText(currency ? currencySpecOrDesk(currency) : DESK_SPEC, units);
export const formatLots = (steps: bigint, symbol?: string) => stepsToLots(symbol ? SPECS.get(symbol) ?? DESK_SPEC : DESK_SPEC, steps);
export const formatPrice = (units: bigint, symbol: string) => priceToText(SPECS.get(symbol) ?? DESK_SPEC, units);

const currencySpecOrDesk = (currency: string) => DEFAULT_INSTRUMENTS.find((s) => s.quoteCurrency === currency) ?? DESK_SPEC;

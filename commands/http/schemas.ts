// Request and response shapes of the command API, as JSON Schema (TypeBox). Money, prices and
// quantities are decimal strings ("2345.67", "0.10" lots): JSON numbers would pass through a float.
import { Type, type Static } from '@sinclair/typebox';
import { formatUnits } from '../../domain/shared/money.ts';
import { RISK_LIMIT_BOUNDS } from '../../domain/trading/account/index.ts';
import { limitDecimalPlaces } from './convert.ts';

/** Account, order, fill and client order ids become parts of stream ids and keys: a safe, bounded alphabet. */
const IDENTIFIER_PATTERN = '^[A-Za-z0-9_.:/-]{1,64}$';
const Identifier = (description: string) => Type.String({ pattern: IDENTIFIER_PATTERN, description });

/** Unsigned decimal text; the number of decimals allowed is the instrument's or currency's, checked on conversion. */
const Decimal = (description: string, example: string) =>
  Type.String({ pattern: '^[0-9]{1,15}(\\.[0-9]{1,15})?$', maxLength: 31, description, examples: [example] });

const FreeText = (description: string) => Type.String({ minLength: 1, maxLength: 500, description });

/** 8 to 128 characters: long enough that two clients do not pick the same key by accident. */
export const COMMAND_ID_PATTERN = '^[A-Za-z0-9_.:-]{8,128}$';
const CommandId = Type.Optional(Type.String({
  pattern: COMMAND_ID_PATTERN,
  description: 'The command id (or send the Idempotency-Key header). Required: the same id means the same command, applied once.',
}));

export const AccountParams = Type.Object({ accountId: Identifier('account id') });
export const OrderParams = Type.Object({ accountId: Identifier('account id'), orderId: Identifier('order id') });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ pattern: COMMAND_ID_PATTERN, description: 'the command id, unless the body carries commandId' })),
});

/** The header the approving user's second-factor code travels in (lower case, as fastify sees headers). */
export const TOTP_CODE_HEADER = 'x-totp-code';

/** The commands that move risk: the command id, and the actor's current TOTP code. */
export const SecondFactorHeaders = Type.Object({
  'idempotency-key': IdempotencyHeaders.properties['idempotency-key'],
  [TOTP_CODE_HEADER]: Type.Optional(Type.String({
    pattern: '^[0-9]{6}$',
    description: 'the 6-digit code your authenticator app shows now for your enrolment (POST /v1/mfa/enrolment): TOTP, SHA-1, 30 s. '
      + 'Required where the description says so; without it 401 MFA.REQUIRED, a wrong one 401 MFA.INVALID_CODE, a spent one 401 MFA.CODE_REUSED, '
      + 'and after 5 failures in a row 403 MFA.LOCKED until an admin unlocks.',
  })),
});

const strict = { additionalProperties: false } as const;

export const MfaUserParams = Type.Object({ userId: Type.String({ pattern: '^[A-Za-z0-9_.:@+-]{1,128}$', description: 'the user id (the token\'s sub)' }) });

export const MfaAdminBody = Type.Object({
  commandId: CommandId,
  reason: FreeText('recorded with the unlock or reset; required'),
}, strict);

export const MfaStatusResponse = Type.Object({
  userId: Type.String(),
  enrolled: Type.Boolean(),
  enrolledAt: Type.Union([Type.String(), Type.Null()]),
  locked: Type.Boolean(),
  failures: Type.Integer({ description: 'failed codes in a row since the last good one or unlock' }),
  sealedWithKey: Type.Union([Type.String(), Type.Null()], { description: 'the id of the key the secret is sealed under (null: not enrolled)' }),
  sealedWithCurrentKey: Type.Union([Type.Boolean(), Type.Null()], { description: 'whether that is the current MFA_SECRET_KEY; false: the user needs a key in MFA_SECRET_KEY_PREVIOUS' }),
});

export const EnrolmentResponse = Type.Object({
  userId: Type.String(),
  otpauthUri: Type.String({ description: 'otpauth://totp/... for an authenticator app (scan it as a QR code); shown this once' }),
  secret: Type.String({ description: 'the same secret in base32, for typing in; shown this once' }),
  algorithm: Type.Literal('SHA1'),
  digits: Type.Integer(),
  periodSeconds: Type.Integer(),
  enrolledAt: Type.String(),
});

export const OpenAccountBody = Type.Object({
  commandId: CommandId,
  accountId: Identifier('the new account id'),
  currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code; the desk books in the currency its instruments are quoted in (USD)' }),
  startingBalance: Decimal('opening cash', '100000.00'),
}, strict);

/** Unsigned decimal text for a money or quantity limit: no more whole digits than its largest value has. */
function LimitDecimal(name: 'maxOrderNotional' | 'maxPositionQty' | 'maxDailyLoss', description: string, example: string) {
  const { unit, min, max } = RISK_LIMIT_BOUNDS[name];
  const places = limitDecimalPlaces(unit);
  const wholeDigits = String(max / 10n ** BigInt(places)).length;
  return Type.String({
    pattern: `^[0-9]{1,${wholeDigits}}(\\.[0-9]{1,15})?$`,
    maxLength: wholeDigits + 16,
    description: `${description}; ${formatUnits(min, places)} to ${formatUnits(max, places)}`,
    examples: [example],
  });
}

type IntegerLimitName = 'maxOpenOrders' | 'priceCollarBps' | 'maxQuoteAgeMs' | 'maxSubmitsPerWindow' | 'submitWindowMs' | 'maxDrawdownBps' | 'dailyCutoffHourUtc';
const LimitInteger = (name: IntegerLimitName, description: string) => {
  const { unit, min, max } = RISK_LIMIT_BOUNDS[name];
  return Type.Integer({ minimum: Number(min), maximum: Number(max), description: `${description}; ${String(min)} to ${String(max)} ${unit}` });
};

/** Every bound comes from the domain's table (RISK_LIMIT_BOUNDS): the schema takes what the decider takes. */
export const RiskLimitsBody = Type.Object({
  maxOrderNotional: LimitDecimal('maxOrderNotional', 'largest value of one order, account currency', '500000.00'),
  maxPositionQty: LimitDecimal('maxPositionQty', 'largest net position per instrument, lots, counting working orders', '5.00'),
  maxOpenOrders: LimitInteger('maxOpenOrders', 'working orders across the account'),
  priceCollarBps: LimitInteger('priceCollarBps', 'farthest a limit / stop price may sit from the last mid, basis points'),
  maxQuoteAgeMs: LimitInteger('maxQuoteAgeMs', 'oldest quote an order may be judged against'),
  maxSubmitsPerWindow: LimitInteger('maxSubmitsPerWindow', 'submissions allowed per window'),
  submitWindowMs: LimitInteger('submitWindowMs', 'the submit-rate window'),
  maxDailyLoss: LimitDecimal('maxDailyLoss', 'daily loss at which the account halts, account currency', '5000.00'),
  maxDrawdownBps: Type.Optional(LimitInteger('maxDrawdownBps', 'fall from peak equity at which the account halts (default 1000 = 10%)')),
  dailyCutoffHourUtc: Type.Optional(LimitInteger('dailyCutoffHourUtc', 'hour the trading day starts (default 0)')),
}, strict);

export const SetLimitsBody = Type.Object({
  commandId: CommandId,
  limits: RiskLimitsBody,
  expectedVersion: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'refuse if the limits changed since this version' })),
  reason: Type.Optional(FreeText('why the limits change')),
}, strict);

export const TradingStateBody = Type.Object({
  commandId: CommandId,
  state: Type.Union([Type.Literal('ACTIVE'), Type.Literal('REDUCING'), Type.Literal('HALTED')], { description: 'REDUCING: only risk-reducing orders; HALTED: only cancels' }),
  reason: FreeText('why the state changes'),
}, strict);

export const FundsBody = Type.Object({
  commandId: CommandId,
  amount: Decimal('cash, account currency, positive', '2500.00'),
  reference: Type.Optional(FreeText('payment reference')),
}, strict);

export const PlaceOrderBody = Type.Object({
  commandId: CommandId,
  orderId: Type.Optional(Identifier('order id; defaults to the command id')),
  clientOrderId: Identifier('the client\'s own order id; a duplicate is denied by risk'),
  symbol: Type.String({ pattern: '^[A-Z0-9]{3,12}$', examples: ['XAUUSD'] }),
  side: Type.Union([Type.Literal('buy'), Type.Literal('sell')]),
  kind: Type.Union([Type.Literal('market'), Type.Literal('limit'), Type.Literal('stop')]),
  timeInForce: Type.Union([Type.Literal('GTC'), Type.Literal('IOC'), Type.Literal('FOK'), Type.Literal('DAY')]),
  qty: Decimal('lots, positive (XAUUSD: steps of 0.01 lot)', '0.10'),
  limitPrice: Type.Optional(Decimal('limit price (limit orders)', '2345.67')),
  stopPrice: Type.Optional(Decimal('stop trigger price (stop orders)', '2360.00')),
  reduceOnly: Type.Optional(Type.Boolean()),
}, strict);

export const CancelOrderBody = Type.Object({
  commandId: CommandId,
  reason: Type.Optional(FreeText('why the order is canceled')),
}, strict);

export const RecordFillBody = Type.Object({
  commandId: CommandId,
  orderId: Identifier('the order filled'),
  fillId: Identifier('the venue\'s fill id; a repeated fill id is booked once'),
  qty: Decimal('lots filled, positive', '0.10'),
  price: Decimal('fill price', '2345.67'),
  fee: Type.Optional(Decimal('fee, account currency', '1.50')),
  symbol: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{3,12}$', description: 'the instrument the broker says it filled; refused (FILL.SYMBOL_MISMATCH) unless the order\'s' })),
  side: Type.Optional(Type.Union([Type.Literal('buy'), Type.Literal('sell')], { description: 'the side the broker says it filled; refused (FILL.SIDE_MISMATCH) unless the order\'s' })),
}, strict);

export const StopScope = Type.Union([
  Type.Object({ kind: Type.Literal('global') }, strict),
  Type.Object({ kind: Type.Literal('instrument'), symbol: Type.String({ pattern: '^[A-Z0-9]{3,12}$' }) }, strict),
  Type.Object({ kind: Type.Literal('account'), accountId: Identifier('account id') }, strict),
]);

export const StopBody = Type.Object({
  commandId: CommandId,
  scope: StopScope,
  reason: FreeText('recorded with the stop; required'),
}, strict);

export const StopQuery = Type.Object({
  kind: Type.Union([Type.Literal('global'), Type.Literal('instrument'), Type.Literal('account')]),
  symbol: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{3,12}$' })),
  accountId: Type.Optional(Identifier('account id')),
}, strict);

export const ErrorResponse = Type.Object({
  code: Type.String({ description: 'stable error code, e.g. AUTH.FORBIDDEN_ACCOUNT, NUMBER.TOO_PRECISE, COMMAND.ID_REUSED' }),
  message: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
});

export type OpenAccountBody = Static<typeof OpenAccountBody>;
export type SetLimitsBody = Static<typeof SetLimitsBody>;
export type FundsBody = Static<typeof FundsBody>;
export type PlaceOrderBody = Static<typeof PlaceOrderBody>;
export type CancelOrderBody = Static<typeof CancelOrderBody>;
export type RecordFillBody = Static<typeof RecordFillBody>;
export type StopBody = Static<typeof StopBody>;
export type StopQuery = Static<typeof StopQuery>;
export type MfaAdminBody = Static<typeof MfaAdminBody>;

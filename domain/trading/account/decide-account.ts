// Opening, funding, limits and trading state.
import { DomainError, LedgerError, ValidationError } from '../../shared/errors.ts';
import { minBig } from '../../shared/money.ts';
import { requireSecondFactor } from '../../mfa/proof.ts';
import { DEFAULT_DAILY_CUTOFF_HOUR_UTC, DEFAULT_MAX_DRAWDOWN_BPS, TRADING_STATES, type RiskLimits } from '../risk/index.ts';
import type { Deposit, OpenAccount, RiskLimitsInput, SetRiskLimits, SetTradingState, Withdraw } from './commands.ts';
import type { AccountOpened, FundsDeposited, FundsWithdrawn, RiskLimitsSet, TradingStateChanged } from './events.ts';
import { boundText, limitsOutOfBounds } from './limit-bounds.ts';
import type { AccountState } from './state.ts';
import { equityOf } from './valuation.ts';

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;

export function openAccount(command: OpenAccount, state: AccountState): AccountOpened[] {
  const { accountId, currency, startingBalance } = command.data;
  if (state.status === 'open') throw new DomainError('ACCOUNT.ALREADY_OPEN', `account ${state.accountId} is already open`, { accountId });
  if (!nonEmpty(accountId)) throw new ValidationError('ACCOUNT.ID_INVALID', 'accountId must be a non-empty string');
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) throw new ValidationError('ACCOUNT.CURRENCY_INVALID', `currency must be an ISO 4217 code, got ${String(currency)}`);
  if (typeof startingBalance !== 'bigint' || startingBalance < 0n) throw new ValidationError('ACCOUNT.BALANCE_INVALID', 'startingBalance must be a non-negative integer of minor units');
  return [{ type: 'AccountOpened', data: { accountId, currency, startingBalance, at: command.metadata.now.toISOString() } }];
}

function positiveAmount(amount: bigint): bigint {
  if (typeof amount !== 'bigint' || amount <= 0n) throw new ValidationError('FUNDS.AMOUNT_INVALID', 'amount must be a positive integer of minor units', { amount: String(amount) });
  return amount;
}

export function deposit(command: Deposit, state: AccountState): FundsDeposited[] {
  const amount = positiveAmount(command.data.amount);
  const at = command.metadata.now.toISOString();
  return [{ type: 'FundsDeposited', data: { amount, reference: command.data.reference ?? null, balanceAfter: state.balance + amount, at } }];
}

/** Free cash is the lower of balance and equity: unrealized gains cannot be withdrawn, unrealized losses are held back. */
export const freeCash = (state: AccountState): bigint => minBig(state.balance, equityOf(state));

export function withdraw(command: Withdraw, state: AccountState): FundsWithdrawn[] {
  const amount = positiveAmount(command.data.amount);
  const available = freeCash(state);
  if (amount > available) {
    throw new DomainError('ACCOUNT.INSUFFICIENT_FUNDS', `withdrawal of ${amount} exceeds free cash ${available}`, {
      requested: String(amount),
      available: String(available),
    });
  }
  const at = command.metadata.now.toISOString();
  return [{ type: 'FundsWithdrawn', data: { amount, reference: command.data.reference ?? null, balanceAfter: state.balance - amount, at } }];
}

/**
 * The first limits of an account are part of opening it (it cannot trade without them); changing limits an
 * account trades under moves the desk's risk, so it needs the actor's second factor.
 */
export const limitsChangeNeedsSecondFactor = (state: AccountState): boolean => state.limitsVersion > 0;

export function setRiskLimits(command: SetRiskLimits, state: AccountState): RiskLimitsSet[] {
  const { expectedVersion, reason } = command.data;
  if (expectedVersion !== undefined && expectedVersion !== state.limitsVersion) {
    throw new LedgerError('RISK_LIMITS.VERSION_CONFLICT', 'conflict', `limits are at version ${state.limitsVersion}, not ${expectedVersion}`, {
      expectedVersion,
      actualVersion: state.limitsVersion,
    });
  }
  const limits = completeLimits(command.data.limits);
  // Judged last: a change refused for its content is refused as such, with or without a code.
  if (limitsChangeNeedsSecondFactor(state)) requireSecondFactor(command.data.secondFactor, command.metadata, 'changing risk limits');
  return [{ type: 'RiskLimitsSet', data: { version: state.limitsVersion + 1, limits, reason: reason ?? null, at: command.metadata.now.toISOString() } }];
}

/** Fills in the defaults and refuses limits outside their bounds (limit-bounds.ts), naming every such field. */
export function completeLimits(input: RiskLimitsInput): RiskLimits {
  const limits: RiskLimits = {
    maxOrderNotional: input.maxOrderNotional,
    maxPositionQty: input.maxPositionQty,
    maxOpenOrders: input.maxOpenOrders,
    priceCollarBps: input.priceCollarBps,
    maxQuoteAgeMs: input.maxQuoteAgeMs,
    maxSubmitsPerWindow: input.maxSubmitsPerWindow,
    submitWindowMs: input.submitWindowMs,
    maxDailyLoss: input.maxDailyLoss,
    maxDrawdownBps: input.maxDrawdownBps ?? DEFAULT_MAX_DRAWDOWN_BPS,
    dailyCutoffHourUtc: input.dailyCutoffHourUtc ?? DEFAULT_DAILY_CUTOFF_HOUR_UTC,
  };
  const invalid = limitsOutOfBounds(limits);
  if (invalid.length > 0) {
    const ranges = invalid.map((name) => `${name} (${boundText(name)})`);
    throw new ValidationError('RISK_LIMITS.INVALID', `invalid risk limits: ${ranges.join(', ')}`, { fields: invalid });
  }
  return limits;
}

export function setTradingState(command: SetTradingState, state: AccountState): TradingStateChanged[] {
  const { state: to, reason } = command.data;
  if (!TRADING_STATES.includes(to)) throw new ValidationError('TRADING_STATE.INVALID', `unknown trading state ${String(to)}`);
  if (!nonEmpty(reason)) throw new ValidationError('TRADING_STATE.REASON_REQUIRED', 'changing the trading state needs a reason');
  if (to === state.trading.state) return [];
  const at = command.metadata.now.toISOString();
  return [{ type: 'TradingStateChanged', data: { from: state.trading.state, to, reason, reasonCode: null, changedBy: command.metadata.actor, at } }];
}

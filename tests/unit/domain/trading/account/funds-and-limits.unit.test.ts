import { describe, expect, it } from 'vitest';
import type { AccountCommand } from '../../../../../domain/trading/account/index.ts';
import { ACCOUNT, LIMITS, OFFICER, T0, account, at, fill, funded, meta, open, place, setLimits } from './fixtures.ts';

const deposit = (amount: bigint): AccountCommand => ({ type: 'Deposit', data: { accountId: ACCOUNT, amount, reference: 'wire-1' }, metadata: meta(T0, OFFICER) });
const withdraw = (amount: bigint, now = T0): AccountCommand => ({ type: 'Withdraw', data: { accountId: ACCOUNT, amount }, metadata: meta(now, OFFICER) });
const tradingState = (state: 'ACTIVE' | 'REDUCING' | 'HALTED', reason = 'desk decision'): AccountCommand => ({
  type: 'SetTradingState',
  data: { accountId: ACCOUNT, state, reason },
  metadata: meta(T0, OFFICER),
});
const iso = T0.toISOString();
/** The command as the trading service hands it in once the officer's code is verified. */
const withCode = (command: AccountCommand): AccountCommand =>
  ({ ...command, data: { ...command.data, secondFactor: { userId: command.metadata.actor.userId, step: 1 } } }) as AccountCommand;

describe('account: opening and funding', () => {
  it('opens with a currency and a starting balance', () => {
    account.given([]).when(open(5_000_00n)).then([{ type: 'AccountOpened', data: { accountId: ACCOUNT, currency: 'USD', startingBalance: 5_000_00n, at: iso } }]);
  });

  it('refuses to open an account twice', () => {
    account.given(account.history(open())).when(open()).thenThrows('ACCOUNT.ALREADY_OPEN');
  });

  it('refuses every other command for an account that is not open', () => {
    account.given([]).when(deposit(100n)).thenThrows('ACCOUNT.NOT_OPEN', { accountId: ACCOUNT });
    account.given([]).when(place()).thenThrows('ACCOUNT.NOT_OPEN');
    account.given([]).when(setLimits()).thenThrows('ACCOUNT.NOT_OPEN');
  });

  it('records deposits and withdrawals with the balance after', () => {
    account.given(account.history(open(1_000n))).when(deposit(500n)).then([{ type: 'FundsDeposited', data: { amount: 500n, reference: 'wire-1', balanceAfter: 1_500n, at: iso } }]);
    account.given(account.history(open(1_000n))).when(withdraw(1_000n)).then([{ type: 'FundsWithdrawn', data: { amount: 1_000n, reference: null, balanceAfter: 0n, at: iso } }]);
  });

  it('refuses a withdrawal below zero free cash with ACCOUNT.INSUFFICIENT_FUNDS', () => {
    account.given(account.history(open(1_000n))).when(withdraw(1_001n)).thenThrows('ACCOUNT.INSUFFICIENT_FUNDS', { requested: '1001', available: '1000' });
  });

  it('holds back unrealized losses from withdrawal but does not pay out unrealized gains', () => {
    // Long 1 lot from 2400.00; a later order marks gold at 2390.00: 1,000.00 USD unrealized loss.
    const history = account.history(open(), setLimits(), place({ orderId: 'O1' }), fill('O1', 100n, 240_000n, 'F1'), place({ orderId: 'O2', side: 'sell', kind: 'limit', limitPrice: 250_000n, mid: 239_000n, now: at(1_000) }));
    const view = account.fold(history);
    expect(view.balance).toBe(100_000_000n);
    account.given(history).when(withdraw(99_900_001n, at(2_000))).thenThrows('ACCOUNT.INSUFFICIENT_FUNDS', { available: '99900000' });
    const gains = account.history(open(), setLimits(), place({ orderId: 'O1' }), fill('O1', 100n, 240_000n, 'F1'), place({ orderId: 'O2', side: 'sell', kind: 'limit', limitPrice: 243_000n, mid: 241_000n }));
    account.given(gains).when(withdraw(100_000_001n)).thenThrows('ACCOUNT.INSUFFICIENT_FUNDS', { available: '100000000' });
  });

  it('refuses zero or negative amounts as malformed', () => {
    account.given(account.history(open())).when(deposit(0n)).thenThrows('FUNDS.AMOUNT_INVALID');
    account.given(account.history(open())).when(withdraw(-5n)).thenThrows('FUNDS.AMOUNT_INVALID');
  });
});

describe('account: risk limits', () => {
  it('versions each limits change and fills in the 10% drawdown and 00:00 UTC cut-off defaults', () => {
    account
      .given(account.history(open()))
      .when(setLimits())
      .then([{ type: 'RiskLimitsSet', data: { version: 1, limits: { ...LIMITS, maxDrawdownBps: 1_000n, dailyCutoffHourUtc: 0 }, reason: null, at: iso } }]);
    const second = account.given(account.history(open(), setLimits())).when(withCode(setLimits({ maxPositionQty: 100n, dailyCutoffHourUtc: 22 }))).result();
    expect(second.events[0]).toMatchObject({ type: 'RiskLimitsSet', data: { version: 2, limits: { maxPositionQty: 100n, dailyCutoffHourUtc: 22 } } });
    expect(second.state.limitsVersion).toBe(2);
  });

  it('the first limits need no second factor; changing them needs the officer\'s own', () => {
    account.given(account.history(open())).when(setLimits()).then([{ type: 'RiskLimitsSet', data: { version: 1, limits: { ...LIMITS, maxDrawdownBps: 1_000n, dailyCutoffHourUtc: 0 }, reason: null, at: iso } }]);
    account.given(account.history(open(), setLimits())).when(setLimits({ maxPositionQty: 100n })).thenThrows('MFA.REQUIRED');
    const someoneElses = setLimits({ maxPositionQty: 100n });
    account.given(account.history(open(), setLimits()))
      .when({ ...someoneElses, data: { ...someoneElses.data, secondFactor: { userId: 'another-officer', step: 1 } } } as AccountCommand)
      .thenThrows('MFA.REQUIRED');
  });

  it('a change refused for its content says so before asking for a code', () => {
    account.given(account.history(open(), setLimits())).when(setLimits({ maxDailyLoss: 0n })).thenThrows('RISK_LIMITS.INVALID');
  });

  it('refuses a change made against an older version', () => {
    const command: AccountCommand = { type: 'SetRiskLimits', data: { accountId: ACCOUNT, limits: LIMITS, expectedVersion: 0 }, metadata: meta(T0, OFFICER) };
    account.given(account.history(open(), setLimits())).when(command).thenThrows('RISK_LIMITS.VERSION_CONFLICT', { expectedVersion: 0, actualVersion: 1 });
  });

  it('refuses limits that cannot be meant, naming the fields', () => {
    account.given(account.history(open())).when(setLimits({ maxDailyLoss: 0n, dailyCutoffHourUtc: 24 })).thenThrows('RISK_LIMITS.INVALID', { fields: ['maxDailyLoss', 'dailyCutoffHourUtc'] });
    account.given(account.history(open())).when(setLimits({ maxDrawdownBps: 10_001n })).thenThrows('RISK_LIMITS.INVALID', { fields: ['maxDrawdownBps'] });
  });
});

describe('account: trading state', () => {
  it('records who changed the state and why', () => {
    account
      .given(funded())
      .when(tradingState('REDUCING', 'volatility'))
      .then([{ type: 'TradingStateChanged', data: { from: 'ACTIVE', to: 'REDUCING', reason: 'volatility', reasonCode: null, changedBy: OFFICER, at: iso } }]);
  });

  it('records nothing when the state is already the one asked for', () => {
    account.given(funded()).when(tradingState('ACTIVE')).then([]);
  });

  it('needs a reason', () => {
    account.given(funded()).when(tradingState('HALTED', ' ')).thenThrows('TRADING_STATE.REASON_REQUIRED');
  });

  it('refuses an unknown state as malformed', () => {
    account.given(funded()).when(tradingState('PAUSED' as 'HALTED')).thenThrows('TRADING_STATE.INVALID');
  });
});

// The account aggregate (stream `account-{id}`) as a Decider: initialState, evolve, decide.
import { assertNever, type Decider } from '../../shared/decider.ts';
import { DomainError } from '../../shared/errors.ts';
import type { AccountCommand } from './commands.ts';
import { deposit, openAccount, setRiskLimits, setTradingState, withdraw } from './decide-account.ts';
import { cancelOrder, confirmCancel, expireOrder, recordFill, rejectOrder } from './decide-lifecycle.ts';
import { placeOrder } from './decide-orders.ts';
import type { AccountEvent } from './events.ts';
import { evolve } from './evolve.ts';
import { accountSnapshots } from './snapshot.ts';
import { initialAccountState, type AccountState } from './state.ts';

export const accountStreamId = (accountId: string): string => `account-${accountId}`;

function requireOpen(state: AccountState, accountId: string): void {
  if (state.status !== 'open') throw new DomainError('ACCOUNT.NOT_OPEN', `account ${accountId} is not open`, { accountId });
  if (accountId !== state.accountId) {
    throw new DomainError('ACCOUNT.MISMATCH', `command for account ${accountId} reached account ${state.accountId}`, { accountId, streamAccountId: state.accountId });
  }
}

export function decide(command: AccountCommand, state: AccountState): AccountEvent[] {
  if (command.type === 'OpenAccount') return openAccount(command, state);
  requireOpen(state, command.data.accountId);
  switch (command.type) {
    case 'Deposit':
      return deposit(command, state);
    case 'Withdraw':
      return withdraw(command, state);
    case 'SetRiskLimits':
      return setRiskLimits(command, state);
    case 'PlaceOrder':
      return placeOrder(command, state);
    case 'CancelOrder':
      return cancelOrder(command, state);
    case 'ConfirmCancel':
      return confirmCancel(command, state);
    case 'RecordFill':
      return recordFill(command, state);
    case 'RejectOrder':
      return rejectOrder(command, state);
    case 'ExpireOrder':
      return expireOrder(command, state);
    case 'SetTradingState':
      return setTradingState(command, state);
    default:
      return assertNever(command, 'account command');
  }
}

export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState> = {
  initialState: initialAccountState,
  evolve,
  decide,
  snapshot: accountSnapshots,
  // A fill id is booked once per account, forever: the store refuses a second OrderFilled of one fill id.
  onceKey: (event) => (event.type === 'OrderFilled' ? `fill/${event.data.fillId}` : undefined),
};

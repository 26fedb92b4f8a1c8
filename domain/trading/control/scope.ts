// Where an emergency stop applies: the whole desk, one instrument, or one account. Each scope has its own
// control stream, so a stop is decided against that scope's history alone.
import { ValidationError } from '../../shared/errors.ts';

export type ControlScope =
  | { readonly kind: 'global' }
  | { readonly kind: 'instrument'; readonly symbol: string }
  | { readonly kind: 'account'; readonly accountId: string };

export const GLOBAL_SCOPE: ControlScope = { kind: 'global' };

// Stream ids embed the symbol / account id, so they must not carry whitespace or be unbounded.
const IDENTIFIER = /^[A-Za-z0-9_.:/-]{1,64}$/;

/**
 * `control-global`, `control-instrument-{symbol}`, `control-account-{accountId}`. Account stops live in
 * their own control stream, not in `account-{id}`, so they never collide with the account's own
 * ACTIVE / REDUCING / HALTED risk state.
 */
export function controlStreamId(scope: ControlScope): string {
  switch (scope.kind) {
    case 'global':
      return 'control-global';
    case 'instrument':
      return `control-instrument-${scope.symbol}`;
    case 'account':
      return `control-account-${scope.accountId}`;
  }
}

export function sameScope(a: ControlScope, b: ControlScope): boolean {
  if (a.kind === 'global' || b.kind === 'global') return a.kind === b.kind;
  if (a.kind === 'instrument') return b.kind === 'instrument' && a.symbol === b.symbol;
  return b.kind === 'account' && a.accountId === b.accountId;
}

export const describeScope = (scope: ControlScope): string =>
  scope.kind === 'global' ? 'global' : scope.kind === 'instrument' ? `instrument ${scope.symbol}` : `account ${scope.accountId}`;

/** Throws ValidationError CONTROL.SCOPE_INVALID unless the scope names something a stream id can carry. */
export function assertValidScope(scope: ControlScope): ControlScope {
  const invalid = (message: string): never => {
    throw new ValidationError('CONTROL.SCOPE_INVALID', message, { field: 'scope' });
  };
  if (typeof scope !== 'object' || scope === null) return invalid('scope must be an object');
  switch (scope.kind) {
    case 'global':
      return scope;
    case 'instrument':
      return IDENTIFIER.test(scope.symbol) ? scope : invalid('instrument scope needs a symbol of letters, digits, _ . : / -');
    case 'account':
      return IDENTIFIER.test(scope.accountId) ? scope : invalid('account scope needs an account id of letters, digits, _ . : / -');
    default:
      return invalid('scope kind must be global, instrument or account');
  }
}

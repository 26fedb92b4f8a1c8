// The instrument aggregate, stream `instrument-{symbol}`: listing an instrument with its spec and every
// later change to it, recorded field by field with the old and the new value.
//
// The fields that define the units (symbol, quote currency and its scale, price scale, quantity scale,
// contract size) are fixed at listing: every price, quantity and cash amount already recorded is an
// integer in those units, so changing them would silently rewrite history. A desk relists instead.
import { DomainError, ValidationError } from '../shared/errors.ts';
import { assertNever, type Command, type Decider, type DomainEvent } from '../shared/decider.ts';
import { assertValidInstrumentSpec, type InstrumentSpec } from './instrument-spec.ts';
import { sameTradingSession } from './trading-session.ts';

export const instrumentStreamId = (symbol: string): string => `instrument-${symbol}`;

export const CHANGEABLE_SPEC_FIELDS = [
  'description',
  'minOrderQty',
  'maxOrderQty',
  'maxSpread',
  'spikeBoundBps',
  'maxFutureSkewMs',
  'maxBackwardsMs',
  'tradingSession',
] as const;
export type ChangeableSpecField = (typeof CHANGEABLE_SPEC_FIELDS)[number];

export const FIXED_SPEC_FIELDS = ['symbol', 'quoteCurrency', 'quoteCurrencyScale', 'priceScale', 'qtyScale', 'contractSize'] as const;
export type FixedSpecField = (typeof FIXED_SPEC_FIELDS)[number];

export type InstrumentSpecChanges = Partial<Pick<InstrumentSpec, ChangeableSpecField>>;

/** One changed field with its value before and after, typed per field. */
export type SpecFieldChange = {
  [K in ChangeableSpecField]: { readonly field: K; readonly from: InstrumentSpec[K]; readonly to: InstrumentSpec[K] };
}[ChangeableSpecField];

// Commands
export type ListInstrument = Command<'ListInstrument', { readonly spec: InstrumentSpec }>;
export type ChangeInstrumentSpec = Command<
  'ChangeInstrumentSpec',
  { readonly symbol: string; readonly changes: InstrumentSpecChanges; readonly reason?: string }
>;
export type InstrumentCommand = ListInstrument | ChangeInstrumentSpec;

// Events
export type InstrumentListed = DomainEvent<'InstrumentListed', { readonly spec: InstrumentSpec }>;
export type InstrumentSpecChanged = DomainEvent<
  'InstrumentSpecChanged',
  { readonly symbol: string; readonly changes: readonly SpecFieldChange[]; readonly reason?: string }
>;
export type InstrumentEvent = InstrumentListed | InstrumentSpecChanged;
export const INSTRUMENT_EVENT_TYPES = ['InstrumentListed', 'InstrumentSpecChanged'] as const;

export type InstrumentState = { readonly status: 'unlisted' } | { readonly status: 'listed'; readonly spec: InstrumentSpec };

/** Stable codes of refused instrument commands (DomainError). */
export const INSTRUMENT_DOMAIN_CODES = [
  'INSTRUMENT.ALREADY_LISTED',
  'INSTRUMENT.NOT_LISTED',
  'INSTRUMENT.SYMBOL_MISMATCH',
  'INSTRUMENT.FIELD_FIXED',
] as const;

const isFixedField = (key: string): key is FixedSpecField => (FIXED_SPEC_FIELDS as readonly string[]).includes(key);
const isChangeableField = (key: string): key is ChangeableSpecField => (CHANGEABLE_SPEC_FIELDS as readonly string[]).includes(key);

function listInstrument(command: ListInstrument, state: InstrumentState): InstrumentEvent[] {
  const spec = assertValidInstrumentSpec(command.data.spec);
  if (state.status === 'listed') {
    throw new DomainError('INSTRUMENT.ALREADY_LISTED', `${state.spec.symbol} is already listed`, { symbol: state.spec.symbol });
  }
  return [{ type: 'InstrumentListed', data: { spec } }];
}

function requireListed(state: InstrumentState, symbol: string): InstrumentSpec {
  if (state.status !== 'listed') throw new DomainError('INSTRUMENT.NOT_LISTED', `${symbol} is not listed`, { symbol });
  if (state.spec.symbol !== symbol) {
    throw new DomainError('INSTRUMENT.SYMBOL_MISMATCH', `command for ${symbol} reached ${state.spec.symbol}`, { symbol });
  }
  return state.spec;
}

/** The requested changes, without absent values; fixed or unknown fields are refused. */
function requestedChanges(changes: InstrumentSpecChanges): InstrumentSpecChanges {
  if (typeof changes !== 'object' || changes === null) {
    throw new ValidationError('INSTRUMENT.SPEC_MALFORMED', 'changes must be an object of spec fields');
  }
  const present = Object.entries(changes).filter(([, value]) => value !== undefined);
  for (const [field] of present) {
    if (isFixedField(field)) {
      throw new DomainError('INSTRUMENT.FIELD_FIXED', `${field} is fixed at listing; list a new instrument instead`, { field });
    }
    if (!isChangeableField(field)) throw new ValidationError('INSTRUMENT.UNKNOWN_FIELD', `unknown spec field ${field}`, { field });
  }
  return Object.fromEntries(present);
}

function sameValue<K extends ChangeableSpecField>(field: K, a: InstrumentSpec[K], b: InstrumentSpec[K]): boolean {
  if (field === 'tradingSession') return sameTradingSession(a as InstrumentSpec['tradingSession'], b as InstrumentSpec['tradingSession']);
  return a === b;
}

function changeInstrumentSpec(command: ChangeInstrumentSpec, state: InstrumentState): InstrumentEvent[] {
  const { symbol, reason } = command.data;
  const current = requireListed(state, symbol);
  const requested = requestedChanges(command.data.changes);
  const next = assertValidInstrumentSpec({ ...current, ...requested });
  const changes = CHANGEABLE_SPEC_FIELDS.filter((field) => field in requested && !sameValue(field, current[field], next[field])).map(
    (field) => ({ field, from: current[field], to: next[field] }) as SpecFieldChange,
  );
  // Asking for the spec the instrument already has records nothing: there is no change to explain.
  if (changes.length === 0) return [];
  const why = typeof reason === 'string' && reason.trim() !== '' ? { reason: reason.trim() } : {};
  return [{ type: 'InstrumentSpecChanged', data: { symbol, changes, ...why } }];
}

function decide(command: InstrumentCommand, state: InstrumentState): InstrumentEvent[] {
  switch (command.type) {
    case 'ListInstrument':
      return listInstrument(command, state);
    case 'ChangeInstrumentSpec':
      return changeInstrumentSpec(command, state);
    default:
      return assertNever(command, 'instrument command');
  }
}

const applyChange = (spec: InstrumentSpec, change: SpecFieldChange): InstrumentSpec => ({ ...spec, [change.field]: change.to });

function evolve(state: InstrumentState, event: InstrumentEvent): InstrumentState {
  switch (event.type) {
    case 'InstrumentListed':
      return { status: 'listed', spec: event.data.spec };
    case 'InstrumentSpecChanged':
      // A change can only follow a listing; an out-of-place event leaves the state as it was.
      return state.status === 'listed' ? { status: 'listed', spec: event.data.changes.reduce(applyChange, state.spec) } : state;
    default:
      return assertNever(event, 'instrument event');
  }
}

export const instrumentDecider: Decider<InstrumentCommand, InstrumentEvent, InstrumentState> = {
  initialState: () => ({ status: 'unlisted' }),
  evolve,
  decide,
};

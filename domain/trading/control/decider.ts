// The emergency-stop decider, one instance per control stream (global, one instrument, one account).
//
// Choices a desk should know about:
// - Engaging an engaged stop records nothing (idempotent): the stop keeps its first reason. The one
//   exception is a pending global release request: a fresh engage then records EmergencyStopEngaged
//   again, which voids the request, so an officer who sees new trouble cannot be overruled by an
//   approval of a request made before it.
// - Releasing needs a risk role and a reason. Instrument and account stops release on the request; the
//   global stop needs a second, different approver, who also presents a code of their second factor.
import { DomainError, LedgerError, ValidationError } from '../../shared/errors.ts';
import { assertNever, type CommandMetadata, type Decider } from '../../shared/decider.ts';
import type {
  ApproveEmergencyStopRelease,
  ControlActor,
  ControlCommand,
  ControlEvent,
  EngageEmergencyStop,
  RequestEmergencyStopRelease,
} from './events.ts';
import { requireSecondFactor } from '../../mfa/proof.ts';
import { assertValidScope, describeScope, sameScope, type ControlScope } from './scope.ts';

export const RISK_ROLES: readonly string[] = ['risk_officer', 'admin'];
export const MAX_REASON_LENGTH = 500;

export type ReleaseRequest = { readonly requestedBy: ControlActor; readonly reason: string; readonly at: string };

export type EngagedStop = {
  readonly reason: string;
  readonly engagedBy: ControlActor;
  readonly engagedAt: string;
  /** A global release waiting for its second approver. */
  readonly pendingRelease: ReleaseRequest | null;
};

export type ControlState = {
  /** The scope this stream controls; null before its first event. */
  readonly scope: ControlScope | null;
  /** The stop in force, or null while trading is allowed. */
  readonly stop: EngagedStop | null;
};

export const initialControlState = (): ControlState => ({ scope: null, stop: null });

export function evolveControl(state: ControlState, event: ControlEvent): ControlState {
  switch (event.type) {
    case 'EmergencyStopEngaged': {
      const { scope, reason, actor, at } = event.data;
      return { scope, stop: { reason, engagedBy: actor, engagedAt: at, pendingRelease: null } };
    }
    case 'EmergencyStopReleaseRequested': {
      if (!state.stop) return state;
      const { reason, actor, at } = event.data;
      return { ...state, stop: { ...state.stop, pendingRelease: { requestedBy: actor, reason, at } } };
    }
    case 'EmergencyStopReleased':
      return { scope: event.data.scope, stop: null };
    case 'TradingStateChanged':
      // The gate is derived from `stop`; this event is there for readers of the stream.
      return state;
    default:
      return assertNever(event, 'control event');
  }
}

export function decideControl(command: ControlCommand, state: ControlState): ControlEvent[] {
  const scope = assertValidScope(command.data.scope);
  if (state.scope && !sameScope(state.scope, scope)) {
    throw new ValidationError('CONTROL.SCOPE_MISMATCH', `this stream controls ${describeScope(state.scope)}, not ${describeScope(scope)}`);
  }
  const actor = authorizedRiskActor(command.metadata, command.type);
  const reason = requiredReason(command.data.reason);
  switch (command.type) {
    case 'EngageEmergencyStop':
      return engage(command, state, scope, actor, reason);
    case 'RequestEmergencyStopRelease':
      return requestRelease(command, state, scope, actor, reason);
    case 'ApproveEmergencyStopRelease':
      return approveRelease(command, state, scope, actor, reason);
    default:
      return assertNever(command, 'control command');
  }
}

export const controlDecider: Decider<ControlCommand, ControlEvent, ControlState> = {
  initialState: initialControlState,
  evolve: evolveControl,
  decide: decideControl,
};

function authorizedRiskActor(metadata: CommandMetadata, commandType: string): ControlActor {
  const { userId, role } = metadata.actor;
  if (!RISK_ROLES.includes(role)) {
    throw new LedgerError('CONTROL.FORBIDDEN', 'forbidden', `${commandType} needs the risk_officer or admin role`, { role, userId });
  }
  return { userId, role };
}

function requiredReason(reason: unknown): string {
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (text === '') throw new ValidationError('CONTROL.REASON_REQUIRED', 'a reason is required', { field: 'reason' });
  if (text.length > MAX_REASON_LENGTH) {
    throw new ValidationError('CONTROL.REASON_TOO_LONG', `a reason has at most ${MAX_REASON_LENGTH} characters`, { field: 'reason' });
  }
  return text;
}

function engage(command: EngageEmergencyStop, state: ControlState, scope: ControlScope, actor: ControlActor, reason: string): ControlEvent[] {
  const at = command.metadata.now.toISOString();
  const engaged: ControlEvent = { type: 'EmergencyStopEngaged', data: { scope, reason, actor, at } };
  if (state.stop) return state.stop.pendingRelease ? [engaged] : [];
  return [engaged, { type: 'TradingStateChanged', data: { scope, from: 'ACTIVE', to: 'HALTED', reason, actor, at } }];
}

function requestRelease(
  command: RequestEmergencyStopRelease,
  state: ControlState,
  scope: ControlScope,
  actor: ControlActor,
  reason: string,
): ControlEvent[] {
  const stop = engagedStop(state, scope);
  const at = command.metadata.now.toISOString();
  if (scope.kind !== 'global') return released(scope, reason, actor, at, null);
  if (stop.pendingRelease) {
    const { requestedBy } = stop.pendingRelease;
    throw new DomainError('CONTROL.RELEASE_PENDING', `a release was already requested by ${requestedBy.userId}; a different risk officer approves it`, {
      requestedBy: requestedBy.userId,
    });
  }
  return [{ type: 'EmergencyStopReleaseRequested', data: { scope, reason, actor, at } }];
}

function approveRelease(
  command: ApproveEmergencyStopRelease,
  state: ControlState,
  scope: ControlScope,
  actor: ControlActor,
  reason: string,
): ControlEvent[] {
  const pending = engagedStop(state, scope).pendingRelease;
  if (!pending) {
    throw new DomainError('CONTROL.NO_RELEASE_REQUESTED', `no release of the ${describeScope(scope)} stop is waiting for approval`);
  }
  if (pending.requestedBy.userId === actor.userId) {
    throw new DomainError('CONTROL.SAME_APPROVER', 'the global stop is released by a second, different approver', { requestedBy: actor.userId });
  }
  requireSecondFactor(command.data.secondFactor, command.metadata, 'approving a global stop release');
  return released(scope, reason, actor, command.metadata.now.toISOString(), pending);
}

function engagedStop(state: ControlState, scope: ControlScope): EngagedStop {
  if (!state.stop) throw new DomainError('CONTROL.NOT_ENGAGED', `no emergency stop is engaged for ${describeScope(scope)}`);
  return state.stop;
}

function released(scope: ControlScope, reason: string, actor: ControlActor, at: string, request: ReleaseRequest | null): ControlEvent[] {
  return [
    {
      type: 'EmergencyStopReleased',
      data: { scope, reason, actor, at, requestedBy: request?.requestedBy ?? null, requestReason: request?.reason ?? null },
    },
    { type: 'TradingStateChanged', data: { scope, from: 'HALTED', to: 'ACTIVE', reason, actor, at } },
  ];
}

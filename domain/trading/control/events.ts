// Commands and events of the emergency-stop control aggregate. Event data is plain JSON (times as ISO
// text) so it can be appended as is.
import type { Command, DomainEvent } from '../../shared/decider.ts';
import type { EventData } from '../../ports/event-store.ts';
import type { ControlScope } from './scope.ts';
import type { SecondFactorProof } from '../../mfa/proof.ts';

/** Who acted, as recorded in event data (a copy of the command metadata's actor). */
export type ControlActor = { readonly userId: string; readonly role: string };

/** The trading gate a control stream holds: trading or stopped. */
export type ControlTradingState = 'ACTIVE' | 'HALTED';

export type EngageEmergencyStop = Command<'EngageEmergencyStop', { readonly scope: ControlScope; readonly reason: string }>;
/** Instrument and account stops release on this command; the global stop only records the request. */
export type RequestEmergencyStopRelease = Command<'RequestEmergencyStopRelease', { readonly scope: ControlScope; readonly reason: string }>;
/** The second, different risk approver of a global release, who proves it with their second factor. */
export type ApproveEmergencyStopRelease = Command<
  'ApproveEmergencyStopRelease',
  { readonly scope: ControlScope; readonly reason: string; readonly secondFactor?: SecondFactorProof }
>;

export type ControlCommand = EngageEmergencyStop | RequestEmergencyStopRelease | ApproveEmergencyStopRelease;

export type EmergencyStopEngaged = DomainEvent<
  'EmergencyStopEngaged',
  { readonly scope: ControlScope; readonly reason: string; readonly actor: ControlActor; readonly at: string }
>;
export type EmergencyStopReleaseRequested = DomainEvent<
  'EmergencyStopReleaseRequested',
  { readonly scope: ControlScope; readonly reason: string; readonly actor: ControlActor; readonly at: string }
>;
/** `requestedBy` / `requestReason` name the first approver of a two-step (global) release, else null. */
export type EmergencyStopReleased = DomainEvent<
  'EmergencyStopReleased',
  {
    readonly scope: ControlScope;
    readonly reason: string;
    readonly actor: ControlActor;
    readonly at: string;
    readonly requestedBy: ControlActor | null;
    readonly requestReason: string | null;
  }
>;
export type TradingStateChanged = DomainEvent<
  'TradingStateChanged',
  {
    readonly scope: ControlScope;
    readonly from: ControlTradingState;
    readonly to: ControlTradingState;
    readonly reason: string;
    readonly actor: ControlActor;
    readonly at: string;
  }
>;

export type ControlEvent = EmergencyStopEngaged | EmergencyStopReleaseRequested | EmergencyStopReleased | TradingStateChanged;

// Compile-time proof that every event's data can be appended to the event store unchanged.
type AppendableData<E extends ControlEvent> = E['data'] extends EventData ? true : never;
const _controlEventDataIsAppendable: AppendableData<ControlEvent> = true;

// One answer to "is trading stopped here?", shared by the order handler (deny new risk) and the broker
// (refuse to route or fill). A pending release does not lift a stop: only EmergencyStopReleased does.
import type { ControlState } from './decider.ts';
import type { ControlTradingState } from './events.ts';
import type { ControlScope } from './scope.ts';

/** The control states that bear on one order: the desk, its instrument and its account. */
export type ApplicableControls = {
  readonly global?: ControlState;
  readonly instrument?: ControlState;
  readonly account?: ControlState;
};

export type StopVerdict = {
  readonly stopped: boolean;
  /** Every engaged scope, widest first (global, instrument, account). */
  readonly scopes: readonly ControlScope[];
};

export const controlTradingState = (state: ControlState): ControlTradingState => (state.stop ? 'HALTED' : 'ACTIVE');

export function stopApplies(controls: ApplicableControls): StopVerdict {
  const scopes = [controls.global, controls.instrument, controls.account].flatMap((state) =>
    state?.stop && state.scope ? [state.scope] : [],
  );
  return { stopped: scopes.length > 0, scopes };
}

// given(events).when(command).then(events | error) for the control decider.
import { expect } from 'vitest';
import { controlDecider, type ControlState } from '../../../../../domain/trading/control/decider.ts';
import type { ControlCommand, ControlEvent } from '../../../../../domain/trading/control/events.ts';
import type { LedgerError } from '../../../../../domain/shared/errors.ts';

type Outcome = { events: ControlEvent[]; state: ControlState } | { error: LedgerError };

export function given(...history: ControlEvent[]) {
  const state = history.reduce(controlDecider.evolve, controlDecider.initialState());
  return {
    when(command: ControlCommand) {
      let outcome: Outcome;
      try {
        const events = [...controlDecider.decide(command, state)];
        outcome = { events, state: events.reduce(controlDecider.evolve, state) };
      } catch (error) {
        outcome = { error: error as LedgerError };
      }
      return {
        then(expected: ControlEvent[]): ControlState {
          if ('error' in outcome) throw outcome.error;
          expect(outcome.events).toEqual(expected);
          return outcome.state;
        },
        thenFails(code: string, category: LedgerError['category']): void {
          if (!('error' in outcome)) throw new Error(`expected ${code}, got events ${JSON.stringify(outcome.events)}`);
          expect({ code: outcome.error.code, category: outcome.error.category }).toEqual({ code, category });
        },
      };
    },
  };
}

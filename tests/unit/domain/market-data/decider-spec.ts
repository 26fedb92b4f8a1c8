// given(events).when(command).then(events) for deciders: the state is folded from the given events
// with the decider's own evolve, exactly as a command handler would load it.
import { expect } from 'vitest';
import type { Command, Decider, DomainEvent } from '../../../../domain/shared/decider.ts';
import { LedgerError, type ErrorCategory } from '../../../../domain/shared/errors.ts';

export function deciderSpec<C extends Command, E extends DomainEvent, S>(decider: Decider<C, E, S>) {
  return {
    given: (events: readonly E[]) => ({
      when: (command: C) => {
        const run = (): readonly E[] => decider.decide(command, events.reduce(decider.evolve, decider.initialState()));
        return {
          then: (expected: readonly E[]): void => {
            expect(run()).toEqual(expected);
          },
          thenRefused: (code: string, category: ErrorCategory): void => {
            let thrown: unknown;
            try {
              run();
            } catch (error) {
              thrown = error;
            }
            expect(thrown).toBeInstanceOf(LedgerError);
            expect(thrown).toMatchObject({ code, category });
          },
        };
      },
    }),
  };
}

// given(events).when(command).then(events | error) for deciders. `then` also folds the produced events,
// so a decision whose events evolve cannot apply fails its spec too.
import { expect } from 'vitest';
import type { Command, Decider, DomainEvent } from '../../../../domain/shared/decider.ts';
import { LedgerError } from '../../../../domain/shared/errors.ts';

export interface Then<E, S> {
  /** Exactly these events, in this order. */
  then(expected: readonly E[]): void;
  /** The events and the state after them, for assertions on part of a large decision. */
  result(): { events: readonly E[]; state: S };
  /** Refused with this error code (and, if given, details containing these values); nothing recorded. */
  thenThrows(code: string, details?: Record<string, unknown>): LedgerError;
}

export function specFor<C extends Command, E extends DomainEvent, S>(decider: Decider<C, E, S>) {
  const fold = (state: S, events: readonly E[]): S => events.reduce(decider.evolve, state);
  return {
    given: (history: readonly E[] = []) => ({
      when: (command: C): Then<E, S> => {
        const before = (): S => fold(decider.initialState(), history);
        const result = (): { events: readonly E[]; state: S } => {
          const state = before();
          const events = decider.decide(command, state);
          return { events, state: fold(state, events) };
        };
        return {
          then: (expected) => expect(result().events).toEqual(expected),
          result,
          thenThrows: (code, details) => {
            let caught: unknown;
            try {
              decider.decide(command, before());
            } catch (error) {
              caught = error;
            }
            expect(caught, `expected ${code} to be thrown`).toBeInstanceOf(LedgerError);
            const error = caught as LedgerError;
            expect(error.code).toBe(code);
            if (details !== undefined) expect(error.details).toMatchObject(details);
            return error;
          },
        };
      },
    }),
    /** Runs commands in order and returns every event they produced: a readable way to build `given`. */
    history: (...commands: readonly C[]): E[] => {
      let state = decider.initialState();
      const all: E[] = [];
      for (const command of commands) {
        const events = decider.decide(command, state);
        state = fold(state, events);
        all.push(...events);
      }
      return all;
    },
    fold: (events: readonly E[]): S => fold(decider.initialState(), events),
  };
}

// pino, with the correlation id of the work in progress added to every line. The id rides an
// AsyncLocalStorage, so handlers never pass a logger around just to keep the id.
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/config.ts';

interface LogContext {
  readonly correlationId: string;
}

const context = new AsyncLocalStorage<LogContext>();

export function withCorrelation<T>(correlationId: string, work: () => T): T {
  return context.run({ correlationId }, work);
}

/** For callback-style hooks: continues `next` inside the correlation context. */
export function runWithCorrelation(correlationId: string, next: () => void): void {
  context.run({ correlationId }, next);
}

export const currentCorrelationId = (): string | undefined => context.getStore()?.correlationId;

export function createLogger(level: LogLevel, name = 'nicegold'): Logger {
  return pino({
    name,
    level,
    mixin: () => {
      const correlationId = currentCorrelationId();
      return correlationId ? { correlationId } : {};
    },
  });
}

export type { Logger };

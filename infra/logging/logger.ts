// pino. A request's lines come from fastify's request.log, which names its correlation id (see
// infra/http/app.ts); work outside requests names what it is about in its own fields.
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/config.ts';

export function createLogger(level: LogLevel, name = 'nicegold'): Logger {
  return pino({ name, level });
}

export type { Logger };

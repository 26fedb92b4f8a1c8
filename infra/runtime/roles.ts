// Roles are started from one table, so `npm start` (every role) and a container running one role share
// the same start-up code. Each later feature adds its role starter here.
import type { FastifyPluginAsync } from 'fastify';
import type { Config, Role } from '../config/config.ts';
import type { Logger } from '../logging/logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { StateCache } from '../../commands/handling/state-cache.ts';
import type { Backends } from './backends.ts';

export interface RoleContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly backends: Backends;
  /**
   * The account states of this process, one cache for every role's trading service (api, broker,
   * auto-trader, demo): an account is loaded once per process, not once per role.
   */
  readonly accountStates: StateCache;
}

export interface RunningRole {
  /** HTTP routes this role contributes to the api role's server (ingestion endpoints, say). */
  readonly plugins?: readonly FastifyPluginAsync[];
  /** Stops intake first, then finishes in-flight work. */
  stop(): Promise<void>;
}

export type RoleStarter = (context: RoleContext) => Promise<RunningRole>;

const starters = new Map<Role, RoleStarter[]>();

export function registerRole(role: Role, starter: RoleStarter): void {
  starters.set(role, [...(starters.get(role) ?? []), starter]);
}

export const startersFor = (role: Role): readonly RoleStarter[] => starters.get(role) ?? [];

// What every resolver gets: the caller, the read models, the hot cache, the live views, the limits and
// the audit port.
import type { AuditReader } from '../domain/ports/audit-reader.ts';
import type { Principal } from '../infra/auth/index.ts';
import { AUTH_CODES, Unauthenticated } from '../infra/auth/index.ts';
import type { AccountReads } from './accounts.ts';
import type { HotCache } from './cache.ts';
import type { DeskReads } from './desk.ts';
import type { Instruments } from './format.ts';
import type { QueryLimits } from './limits.ts';
import type { LiveViews } from './live.ts';
import type { MarketReads } from './market.ts';
import type { RefusedFillReads } from './refused-fills.ts';
import type { SignalReads } from './signals.ts';

export interface ReadServices {
  readonly instruments: Instruments;
  readonly market: MarketReads;
  readonly accounts: AccountReads;
  readonly desk: DeskReads;
  readonly refusedFills: RefusedFillReads;
  readonly signals: SignalReads;
  readonly hot: HotCache;
  readonly live: LiveViews;
  readonly limits: QueryLimits;
  /** Compliance's questions of the event store (the audit port); absent, the audit fields answer AUDIT.UNAVAILABLE. */
  readonly audit?: AuditReader;
}

declare module 'mercurius' {
  interface MercuriusContext {
    /** Set from the bearer token (HTTP) or the connection_init payload (websocket). */
    principal?: Principal;
    read: ReadServices;
    /** On a websocket connection: the ids of its open subscriptions (shared by all of them). */
    openSubscriptions?: Set<string>;
    /** On a subscription: its id on the connection. */
    id?: string;
  }
}

export function principalIn(context: { principal?: Principal }): Principal {
  if (!context.principal) throw new Unauthenticated(AUTH_CODES.missingToken, 'send Authorization: Bearer <token>');
  return context.principal;
}

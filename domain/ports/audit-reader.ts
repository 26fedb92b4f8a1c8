// The audit port: compliance's questions of the event store, for the read side. The read API reads read
// models only (the lint rule in eslint.config.js says so); this port is its one way to the event store,
// because compliance asks what the ledger itself recorded, not what a projection made of it. It answers
// exactly what `nicegold audit replay | explain | export` answer, and records every question it is asked
// (AuditQueried on the compliance audit log) before it answers.
import type { AuditChannel } from '../compliance/audit-queried.ts';
import type { Actor, JsonValue } from './event-store.ts';

export type JsonObject = { readonly [key: string]: JsonValue };

/** Who asks, and how; recorded with the question. */
export interface AuditAsker {
  readonly actor: Actor;
  readonly via: AuditChannel;
  /** The request's id, kept as the recorded event's correlation id. */
  readonly requestId?: string;
}

/** `nicegold audit replay`'s answer, as the CLI prints it. */
export interface AccountAsOfReport {
  readonly asOf: {
    readonly at: string;
    readonly revision: string;
    readonly lastEventRecordedAt: string;
    readonly eventsFolded: number;
    readonly eventsRecordedLater: number;
  };
  /** The account then, as GET /v1/accounts/:id presents an account (money as decimal text). */
  readonly account: JsonObject;
}

/** `nicegold audit explain`'s answer, as the CLI prints it (integers as text, times as ISO text). */
export interface OrderExplanationReport {
  readonly accountId: string;
  readonly orderId: string;
  readonly order: JsonObject;
  readonly decision: JsonObject | null;
  readonly context: JsonObject;
  readonly status: string;
  readonly steps: readonly JsonObject[];
}

export interface AuditTrailRange {
  readonly streamId: string;
  /** Events recorded at or after / at or before these instants (both optional). */
  readonly from?: Date;
  readonly to?: Date;
}

export interface AuditTrailSummary {
  readonly events: number;
  readonly finalHash: string;
  /** The key that signed the trail, or null for an unsigned trail. */
  readonly keyId: string | null;
}

export interface AuditReader {
  accountAsOf(asker: AuditAsker, accountId: string, at: Date): Promise<AccountAsOfReport>;
  explainOrder(asker: AuditAsker, accountId: string, orderId: string): Promise<OrderExplanationReport>;
  /**
   * Writes the trail's lines (without newlines), in order, as `nicegold audit export` writes them. A failing
   * `write` ends the export with its error.
   */
  exportTrail(asker: AuditAsker, range: AuditTrailRange, write: (line: string) => Promise<void>): Promise<AuditTrailSummary>;
}

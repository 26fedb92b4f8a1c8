// Desk-wide reads: emergency stops and trading gates per scope, and how far each projection has got.
import { iso } from './format.ts';
import { tableIn, type ReadSql, type Row } from './sql.ts';

export interface ControlState {
  scope: string; kind: string; symbol: string | null; accountId: string | null; tradingState: string; stopEngaged: boolean; stopReason: string | null;
  engagedBy: string | null; engagedAt: string | null; releaseRequestedBy: string | null; releaseRequestedAt: string | null; updatedAt: string;
}

const at = (v: unknown) => (v === null || v === undefined ? null : iso(v));

export class DeskReads {
  private readonly t: (name: string) => string;
  constructor(private readonly sql: ReadSql, schema = 'read') { this.t = tableIn(schema); }

  async controlStates(): Promise<ControlState[]> {
    const { rows } = await this.sql.query(
      `select scope_key, kind, symbol, account_id, trading_state, stop_engaged, stop_reason, engaged_by, engaged_at, release_requested_by, release_requested_at, updated_at
       from ${this.t('control_states')} order by scope_key`);
    return rows.map((r: Row) => ({
      scope: r.scope_key as string, kind: r.kind as string, symbol: r.symbol as string | null, accountId: r.account_id as string | null,
      tradingState: r.trading_state as string, stopEngaged: r.stop_engaged as boolean, stopReason: r.stop_reason as string | null, engagedBy: r.engaged_by as string | null,
      engagedAt: at(r.engaged_at), releaseRequestedBy: r.release_requested_by as string | null, releaseRequestedAt: at(r.release_requested_at), updatedAt: iso(r.updated_at),
    }));
  }

  async projections(): Promise<Array<Record<string, unknown>>> {
    const { rows } = await this.sql.query(
      `select projection, state, checkpoint::text, lag_events::text, lag_capped, lag_seconds::text, events_applied::text, last_error, updated_at
       from ${this.t('projection_status')} order by projection`);
    return rows.map((r) => ({
      name: r.projection, state: r.state, checkpoint: r.checkpoint, lagEvents: r.lag_events, lagCapped: r.lag_capped,
      lagSeconds: r.lag_seconds === null ? null : Number(r.lag_seconds), eventsApplied: r.events_applied, lastError: r.last_error, updatedAt: iso(r.updated_at),
    }));
  }

  /** Checkpoints of the named projections: how far the read models are, for live views waiting on them. */
  async checkpoints(): Promise<Map<string, bigint>> {
    const { rows } = await this.sql.query(`select projection, position::text from ${this.t('projection_checkpoints')} where position is not null`);
    return new Map(rows.map((r) => [r.projection as string, BigInt(r.position as string)]));
  }
}

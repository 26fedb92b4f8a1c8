// The desk's state as the read models hold it, read when Prometheus scrapes: engaged emergency stops,
// accounts by trading state, the age of the latest live quote per instrument, and refused fills by code.
// The alert rules (deploy/prometheus/alerts.yml) fire on these. Read from the read models, not counted in
// the process that recorded them, so every projector exports the same figures whichever process wrote
// the events; they are as fresh as the projections (nicegold_projection_lag_seconds says how fresh).
// Beside them, whether each listed instrument's trading session is open now, from its spec in force: the
// stale-quote alert asks it rather than keeping one market's hours in PromQL.
import { Counter, Gauge } from 'prom-client';
import type { InstrumentRegistry } from '../../commands/market-data/instruments.ts';
import { isWithinTradingSession } from '../../domain/market-data/index.ts';
import { FILL_REFUSAL_CODES } from '../../domain/trading/account/index.ts';
import type { SqlClient } from '../sql/client.ts';
import type { Metrics } from './metrics.ts';

const SCOPES = ['global', 'instrument', 'account'] as const;
const TRADING_STATES = ['ACTIVE', 'REDUCING', 'HALTED'] as const;

interface DeskState {
  readonly stops: ReadonlyMap<string, number>;
  readonly tradingStates: ReadonlyMap<string, number>;
  readonly quoteAgeSeconds: ReadonlyMap<string, number>;
  readonly refusedFills: ReadonlyMap<string, number>;
}

async function readDeskState(sql: SqlClient): Promise<DeskState> {
  const counts = async (text: string) => new Map((await sql.query<{ k: string; n: string }>(text)).rows.map((r) => [r.k, Number(r.n)]));
  const stops = await counts(`select kind as k, count(*)::text as n from read.control_states where stop_engaged group by kind`);
  const states = await counts(`select state as k, count(*)::text as n from read.account_trading_states group by state`);
  const accounts = (await counts(`select 'all' as k, count(*)::text as n from read.account_equity`)).get('all') ?? 0;
  const notActive = (states.get('REDUCING') ?? 0) + (states.get('HALTED') ?? 0);
  // An account whose state never changed is ACTIVE and has no row in account_trading_states.
  const tradingStates = new Map([...states, ['ACTIVE', Math.max(0, accounts - notActive)]]);
  const { rows } = await sql.query<{ symbol: string; age: string }>(`select symbol, extract(epoch from (now() - at))::text as age from read.marks`);
  const quoteAgeSeconds = new Map(rows.map((r) => [r.symbol, Math.max(0, Number(r.age))]));
  const refusedFills = await counts(`select code as k, count(*)::text as n from read.refused_fills group by code`);
  return { stops, tradingStates, quoteAgeSeconds, refusedFills };
}

export interface DeskStateOptions {
  /** Called when a read fails after one that succeeded (or the first): once per outage. */
  readonly onError?: (error: unknown) => void;
  /** One read serves every metric of a scrape: reads within this many ms of the last share it. */
  readonly maxAgeMs?: number;
  /** The listed instruments nicegold_market_open reports on; without them it has no samples. */
  readonly instruments?: Pick<InstrumentRegistry, 'symbols' | 'spec'>;
  /** The time nicegold_market_open is judged at (default: the system clock). */
  readonly clock?: () => Date;
}

/** Registers the desk-state metrics on the ledger's registry; their values are read at each scrape. */
export function registerDeskStateMetrics(metrics: Metrics, sql: SqlClient, options: DeskStateOptions = {}): void {
  const registers = [metrics.registry];
  let last: { at: number; state: Promise<DeskState | undefined> } | undefined;
  let failing = false; // onError once per outage, not at every scrape
  const read = () => {
    const now = Date.now();
    if (!last || now - last.at > (options.maxAgeMs ?? 1_000)) {
      last = {
        at: now,
        state: readDeskState(sql).then(
          (state) => { failing = false; return state; },
          (error: unknown) => { if (!failing) options.onError?.(error); failing = true; return undefined; },
        ),
      };
    }
    return last.state;
  };
  new Gauge({
    name: 'nicegold_desk_state_up', help: '1 when the desk state (stops, trading states, quotes, refused fills) could be read from the read models, else 0', registers,
    async collect() { this.set((await read()) ? 1 : 0); },
  });
  new Gauge({
    name: 'nicegold_emergency_stops_engaged', help: 'Emergency stops engaged now, by scope (global, instrument, account)', labelNames: ['scope'], registers,
    async collect() {
      const state = await read();
      if (state) for (const scope of SCOPES) this.set({ scope }, state.stops.get(scope) ?? 0);
    },
  });
  new Gauge({
    name: 'nicegold_accounts', help: 'Accounts by trading state (ACTIVE, REDUCING, HALTED)', labelNames: ['trading_state'], registers,
    async collect() {
      const state = await read();
      if (state) for (const s of TRADING_STATES) this.set({ trading_state: s }, state.tradingStates.get(s) ?? 0);
    },
  });
  new Gauge({
    name: 'nicegold_market_data_age_seconds', help: 'Age of the latest live quote per instrument (back-filled ticks never count)', labelNames: ['symbol'], registers,
    async collect() {
      const state = await read();
      if (!state) return;
      this.reset();
      for (const [symbol, age] of state.quoteAgeSeconds) this.set({ symbol }, age);
    },
  });
  new Gauge({
    name: 'nicegold_market_open', help: '1 while the instrument\'s own trading session is open, else 0, per listed instrument', labelNames: ['symbol'], registers,
    collect() {
      // Not read from the read models: known (and exported) even while nicegold_desk_state_up is 0.
      this.reset();
      const { instruments, clock = () => new Date() } = options;
      if (!instruments) return;
      const now = clock();
      for (const symbol of instruments.symbols()) {
        const spec = instruments.spec(symbol);
        if (spec) this.set({ symbol }, isWithinTradingSession(spec.tradingSession, now) ? 1 : 0);
      }
    },
  });
  new Counter({
    name: 'nicegold_refused_fills_total', help: 'Broker fills refused before booking (FillRefused), by code', labelNames: ['code'], registers,
    async collect() {
      const state = await read();
      if (!state) return;
      this.reset();
      for (const code of new Set([...FILL_REFUSAL_CODES, ...state.refusedFills.keys()])) this.inc({ code }, state.refusedFills.get(code) ?? 0);
    },
  });
}

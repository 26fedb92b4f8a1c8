// The desk-state metrics when the read models cannot be read (a new database before the projector has
// built its tables, or a database that is down): /metrics still answers, says so in nicegold_desk_state_up 0,
// reports the error once per outage, not at every scrape, and recovers once the tables are there. And
// nicegold_market_open, which follows each listed instrument's own session at the time of the scrape.
// Their values on a running desk are checked by tests/e2e/deploy/observability.e2e.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALWAYS_OPEN_SESSION, InstrumentRegistry } from '../../../commands/market-data/instruments.ts';
import { XAUUSD_SPEC } from '../../../domain/market-data/index.ts';
import { registerDeskStateMetrics } from '../../../infra/metrics/desk-state.ts';
import { createMetrics } from '../../../infra/metrics/metrics.ts';
import { createTestDatabase, type TestDatabase } from '../projections/database.ts';
import { postgresService } from '../../support/services.ts';

const postgres = await postgresService();

describe.skipIf(!postgres.available)(`desk-state metrics without read models${postgres.skipReason}`, () => {
  let db: TestDatabase;
  beforeAll(async () => { db = await createTestDatabase('nicegold_desk_state'); });
  afterAll(async () => db?.drop());

  it('answers with nicegold_desk_state_up 0, reports once, and reads the desk once the tables exist', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const errors: unknown[] = [];
    registerDeskStateMetrics(metrics, db.sql, { onError: (error) => errors.push(error), maxAgeMs: 0 });
    for (let scrape = 0; scrape < 3; scrape += 1) expect(await metrics.registry.metrics()).toContain('nicegold_desk_state_up 0');
    expect(errors).toHaveLength(1);
    await db.sql.query(`create schema read;
      create table read.control_states (kind text, stop_engaged boolean);
      create table read.account_trading_states (state text);
      create table read.account_equity (account_id text);
      create table read.marks (symbol text, at timestamptz);
      create table read.refused_fills (code text);
      insert into read.control_states values ('global', true);
      insert into read.account_equity values ('A1'), ('A2');
      insert into read.account_trading_states values ('REDUCING')`);
    const text = await metrics.registry.metrics();
    expect(text).toContain('nicegold_desk_state_up 1');
    expect(text).toContain('nicegold_emergency_stops_engaged{scope="global"} 1');
    expect(text).toContain('nicegold_accounts{trading_state="ACTIVE"} 1');
    expect(text).toContain('nicegold_accounts{trading_state="REDUCING"} 1');
    expect(text).toContain('nicegold_refused_fills_total{code="FILL.NO_MARKET_QUOTE"} 0');
  });

  it('exports nicegold_market_open per listed instrument from its own session at the time of the scrape', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const instruments = InstrumentRegistry.of([XAUUSD_SPEC, { ...XAUUSD_SPEC, symbol: 'BTCUSD', tradingSession: ALWAYS_OPEN_SESSION }]);
    let now = new Date('2026-12-03T12:00:00Z'); // a Thursday: both trade
    registerDeskStateMetrics(metrics, db.sql, { instruments, clock: () => now, maxAgeMs: 0 });
    const open = async () => (await metrics.registry.metrics()).split('\n').filter((line) => line.startsWith('nicegold_market_open{'));
    expect(await open()).toEqual(['nicegold_market_open{symbol="XAUUSD"} 1', 'nicegold_market_open{symbol="BTCUSD"} 1']);
    now = new Date('2026-12-05T12:00:00Z'); // Saturday: gold is closed, BTCUSD trades
    expect(await open()).toEqual(['nicegold_market_open{symbol="XAUUSD"} 0', 'nicegold_market_open{symbol="BTCUSD"} 1']);
    now = new Date('2026-12-03T22:30:00Z'); // gold's daily break
    expect(await open()).toEqual(['nicegold_market_open{symbol="XAUUSD"} 0', 'nicegold_market_open{symbol="BTCUSD"} 1']);
  });

  it('exports no nicegold_market_open sample without the listed instruments', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    registerDeskStateMetrics(metrics, db.sql, { maxAgeMs: 0 });
    expect((await metrics.registry.metrics()).split('\n').filter((line) => line.startsWith('nicegold_market_open{'))).toEqual([]);
  });
});

// Tables of the portfolio projection: positions (marked to the last tick), the marks and instrument
// facts they are valued with, account equity and its curve, daily closes, and KPIs.
import type { ProjectionTarget } from '../../engine/types.ts';
import { table } from '../support.ts';

export const PORTFOLIO_TABLES = ['portfolio_instruments', 'marks', 'positions', 'account_equity', 'equity_curve', 'equity_daily', 'account_kpis', 'portfolio_clock'] as const;

export const portfolioSchema = (t: ProjectionTarget) => `
create table if not exists ${table(t, 'portfolio_instruments')} (
  symbol text primary key, contract_size bigint not null, price_scale integer not null, qty_scale integer not null, quote_currency_scale integer not null
);
create table if not exists ${table(t, 'marks')} (
  symbol text primary key, bid bigint not null, ask bigint not null, mid bigint not null, at timestamptz not null, position bigint not null
);
create table if not exists ${table(t, 'positions')} (
  account_id text not null,
  symbol text not null,
  qty bigint not null,
  cost_basis bigint not null,
  avg_open_price bigint,
  realized_pnl bigint not null,
  unrealized_pnl bigint not null,
  mark_price bigint not null,
  last_fill_price bigint not null,
  primary key (account_id, symbol)
);
create table if not exists ${table(t, 'account_equity')} (
  account_id text primary key,
  currency text not null,
  balance bigint not null,
  realized_pnl bigint not null,
  fees_paid bigint not null,
  unrealized_pnl bigint not null,
  equity bigint not null,
  peak_equity bigint not null,
  max_drawdown bigint not null,
  max_drawdown_ratio numeric(20, 6),
  day date not null,
  day_open_equity bigint not null,
  day_funding bigint not null,
  trades integer not null,
  wins integer not null,
  losses integer not null,
  gross_profit bigint not null,
  gross_loss bigint not null,
  return_days integer not null,
  return_mean numeric not null,
  return_m2 numeric not null
);
create table if not exists ${table(t, 'equity_curve')} (
  account_id text not null,
  position bigint not null,
  kind text not null,
  at timestamptz not null,
  balance bigint not null,
  unrealized_pnl bigint not null,
  equity bigint not null,
  peak_equity bigint not null,
  drawdown bigint generated always as (peak_equity - equity) stored,
  primary key (account_id, position, kind)
);
create index if not exists equity_curve_account_time on ${table(t, 'equity_curve')} (account_id, at);
create table if not exists ${table(t, 'equity_daily')} (
  account_id text not null,
  day date not null,
  open_equity bigint not null,
  close_equity bigint not null,
  net_funding bigint not null,
  daily_return numeric(30, 12),
  closed boolean not null,
  primary key (account_id, day)
);
create table if not exists ${table(t, 'account_kpis')} (
  account_id text primary key,
  trades integer not null,
  wins integer not null,
  losses integer not null,
  gross_profit bigint not null,
  gross_loss bigint not null,
  net_trade_pnl bigint not null,
  profit_factor numeric(30, 6),
  win_rate numeric(10, 6),
  expectancy numeric(30, 6),
  max_drawdown bigint not null,
  max_drawdown_ratio numeric(20, 6),
  sharpe numeric(20, 6),
  return_days integer not null
);
create table if not exists ${table(t, 'portfolio_clock')} (
  id integer primary key, day integer, at_ms bigint
)`;


/**
 * KPIs per round trip (flat to flat) instead of per closing fill: the round trip open on each position, the
 * breakeven and closing-fill counts, and the average win and loss. Rows written before it count trades per
 * fill, so the projection's version moved with it and the tables are rebuilt from the log.
 */
export const roundTripSchema = (t: ProjectionTarget) => `
alter table ${table(t, 'positions')} add column if not exists open_trade_pnl bigint not null default 0;
alter table ${table(t, 'account_equity')} add column if not exists breakeven integer not null default 0;
alter table ${table(t, 'account_equity')} add column if not exists closing_fills integer not null default 0;
alter table ${table(t, 'account_kpis')} add column if not exists breakeven integer not null default 0;
alter table ${table(t, 'account_kpis')} add column if not exists closing_fills integer not null default 0;
alter table ${table(t, 'account_kpis')} add column if not exists average_win numeric(30, 6);
alter table ${table(t, 'account_kpis')} add column if not exists average_loss numeric(30, 6)`;

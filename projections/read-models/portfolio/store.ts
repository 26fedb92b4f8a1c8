// Loads the portfolio state a batch folds into, and writes back what it became.
import { averageOpenPrice } from '../../../domain/trading/account/positions.ts';
import type { InstrumentFacts } from '../../../domain/trading/orders/index.ts';
import type { ProjectionTarget, SqlExecutor } from '../../engine/types.ts';
import { col, appendRows, insertRows, table, upsertClause, type Cell } from '../support.ts';
import { accountUnrealized, markOf, setPosition, unrealizedOf, type AccountState, type PortfolioState } from './fold.ts';
import { kpis } from './kpi.ts';

type Row = Record<string, unknown>;
const b = (v: unknown): bigint => BigInt(v as string);
const DAY_MS = 86_400_000;
const dayText = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const dayNumber = (v: unknown) => Math.floor(Date.parse(`${v as string}T00:00:00Z`) / DAY_MS);

export async function loadPortfolio(tx: SqlExecutor, t: ProjectionTarget): Promise<PortfolioState> {
  const q = async (sql: string) => (await tx.query<Row>(sql)).rows;
  const [facts, marks, positions, accounts, clock] = [
    await q(`select symbol, contract_size::text, price_scale, qty_scale, quote_currency_scale from ${table(t, 'portfolio_instruments')}`),
    await q(`select symbol, bid::text, ask::text, mid::text, at, position::text from ${table(t, 'marks')}`),
    await q(`select account_id, symbol, qty::text, cost_basis::text, realized_pnl::text, last_fill_price::text, open_trade_pnl::text from ${table(t, 'positions')}`),
    await q(`select account_id, currency, balance::text, realized_pnl::text, fees_paid::text, peak_equity::text, max_drawdown::text, max_drawdown_ratio::text,
      day::text, day_open_equity::text, day_funding::text, trades, wins, losses, breakeven, closing_fills, gross_profit::text, gross_loss::text, return_days, return_mean::text, return_m2::text
      from ${table(t, 'account_equity')}`),
    await q(`select day, at_ms::text from ${table(t, 'portfolio_clock')} where id = 1`),
  ];
  const state: PortfolioState = {
    facts: new Map(facts.map((r) => [r.symbol as string, { symbol: r.symbol as string, contractSize: b(r.contract_size), priceScale: Number(r.price_scale), qtyScale: Number(r.qty_scale), quoteCurrencyScale: Number(r.quote_currency_scale), minOrderQty: 1n, maxOrderQty: 1n } satisfies InstrumentFacts])),
    marks: new Map(marks.map((r) => [r.symbol as string, { bid: b(r.bid), ask: b(r.ask), mid: b(r.mid), at: new Date(r.at as string).toISOString(), position: b(r.position) }])),
    positions: new Map(),
    positionKeys: new Map(),
    accounts: new Map(accounts.map((r) => [r.account_id as string, accountFrom(r)])),
    clock: { day: clock[0]?.day == null ? undefined : Number(clock[0].day), atMs: clock[0]?.at_ms == null ? undefined : Number(clock[0].at_ms) },
    points: [], closedDays: [], changedMarks: new Set(), changedFacts: new Set(),
  };
  for (const r of positions) {
    setPosition(state, { accountId: r.account_id as string, symbol: r.symbol as string, qty: b(r.qty), costBasis: b(r.cost_basis), realizedPnl: b(r.realized_pnl), lastFillPrice: b(r.last_fill_price), openTradePnl: b(r.open_trade_pnl) });
  }
  return state;
}

function accountFrom(r: Row): AccountState {
  return {
    accountId: r.account_id as string, currency: r.currency as string, balance: b(r.balance), realizedPnl: b(r.realized_pnl), feesPaid: b(r.fees_paid),
    day: dayNumber(r.day), dayOpenEquity: b(r.day_open_equity), dayFunding: b(r.day_funding),
    drawdown: { peak: b(r.peak_equity), maxDrawdown: b(r.max_drawdown), maxDrawdownRatio: (r.max_drawdown_ratio as string | null) ?? null },
    trades: {
      trades: Number(r.trades), wins: Number(r.wins), losses: Number(r.losses), breakeven: Number(r.breakeven), grossProfit: b(r.gross_profit), grossLoss: b(r.gross_loss), closingFills: Number(r.closing_fills),
    },
    returns: { days: Number(r.return_days), mean: Number(r.return_mean), m2: Number(r.return_m2) },
  };
}

const C = {
  facts: [col('symbol', 'text'), col('contract_size', 'bigint'), col('price_scale', 'integer'), col('qty_scale', 'integer'), col('quote_currency_scale', 'integer')],
  marks: [col('symbol', 'text'), col('bid', 'bigint'), col('ask', 'bigint'), col('mid', 'bigint'), col('at', 'timestamptz'), col('position', 'bigint')],
  positions: [col('account_id', 'text'), col('symbol', 'text'), col('qty', 'bigint'), col('cost_basis', 'bigint'), col('avg_open_price', 'bigint'), col('realized_pnl', 'bigint'), col('unrealized_pnl', 'bigint'), col('mark_price', 'bigint'), col('last_fill_price', 'bigint'), col('open_trade_pnl', 'bigint')],
  accounts: ['account_id:text', 'currency:text', 'balance:bigint', 'realized_pnl:bigint', 'fees_paid:bigint', 'unrealized_pnl:bigint', 'equity:bigint', 'peak_equity:bigint', 'max_drawdown:bigint', 'max_drawdown_ratio:numeric', 'day:date', 'day_open_equity:bigint', 'day_funding:bigint', 'trades:integer', 'wins:integer', 'losses:integer', 'gross_profit:bigint', 'gross_loss:bigint', 'return_days:integer', 'return_mean:numeric', 'return_m2:numeric', 'breakeven:integer', 'closing_fills:integer'].map((s) => col(...(s.split(':') as [string, string]))),
  curve: [col('account_id', 'text'), col('position', 'bigint'), col('kind', 'text'), col('at', 'timestamptz'), col('balance', 'bigint'), col('unrealized_pnl', 'bigint'), col('equity', 'bigint'), col('peak_equity', 'bigint')],
  daily: [col('account_id', 'text'), col('day', 'date'), col('open_equity', 'bigint'), col('close_equity', 'bigint'), col('net_funding', 'bigint'), col('daily_return', 'numeric'), col('closed', 'boolean')],
  kpis: ['account_id:text', 'trades:integer', 'wins:integer', 'losses:integer', 'gross_profit:bigint', 'gross_loss:bigint', 'net_trade_pnl:bigint', 'profit_factor:numeric', 'win_rate:numeric', 'expectancy:numeric', 'max_drawdown:bigint', 'max_drawdown_ratio:numeric', 'sharpe:numeric', 'return_days:integer',
    'breakeven:integer', 'closing_fills:integer', 'average_win:numeric', 'average_loss:numeric'].map((s) => col(...(s.split(':') as [string, string]))),
};

function accountRow(state: PortfolioState, a: AccountState): Cell[] {
  const unrealized = accountUnrealized(state, a.accountId);
  return [a.accountId, a.currency, a.balance, a.realizedPnl, a.feesPaid, unrealized, a.balance + unrealized, a.drawdown.peak, a.drawdown.maxDrawdown, a.drawdown.maxDrawdownRatio,
    dayText(a.day), a.dayOpenEquity, a.dayFunding, a.trades.trades, a.trades.wins, a.trades.losses, a.trades.grossProfit, a.trades.grossLoss, a.returns.days, String(a.returns.mean), String(a.returns.m2),
    a.trades.breakeven, a.trades.closingFills];
}

function kpiRow(a: AccountState): Cell[] {
  const k = kpis(a.trades, a.returns);
  return [a.accountId, a.trades.trades, a.trades.wins, a.trades.losses, a.trades.grossProfit, a.trades.grossLoss, k.netTradePnl, k.profitFactor, k.winRate, k.expectancy, a.drawdown.maxDrawdown, a.drawdown.maxDrawdownRatio, k.sharpe, a.returns.days,
    a.trades.breakeven, a.trades.closingFills, k.averageWin, k.averageLoss];
}

export async function savePortfolio(tx: SqlExecutor, t: ProjectionTarget, s: PortfolioState): Promise<void> {
  const facts = [...s.changedFacts].map((symbol) => s.facts.get(symbol)!).map((f): Cell[] => [f.symbol, f.contractSize, f.priceScale, f.qtyScale, f.quoteCurrencyScale]);
  await insertRows(tx, table(t, 'portfolio_instruments'), C.facts, facts, upsertClause(['symbol'], C.facts));
  const marks = [...s.changedMarks].map((symbol): Cell[] => { const m = s.marks.get(symbol)!; return [symbol, m.bid, m.ask, m.mid, m.at, m.position]; });
  await insertRows(tx, table(t, 'marks'), C.marks, marks, upsertClause(['symbol'], C.marks));
  const positions = [...s.positions.values()].map((p): Cell[] => {
    const facts = s.facts.get(p.symbol);
    return [p.accountId, p.symbol, p.qty, p.costBasis, facts ? averageOpenPrice(p, facts) : null, p.realizedPnl, unrealizedOf(s, p), markOf(s, p), p.lastFillPrice, p.openTradePnl];
  });
  await insertRows(tx, table(t, 'positions'), C.positions, positions, upsertClause(['account_id', 'symbol'], C.positions));
  const accounts = [...s.accounts.values()];
  await insertRows(tx, table(t, 'account_equity'), C.accounts, accounts.map((a) => accountRow(s, a)), upsertClause(['account_id'], C.accounts));
  await insertRows(tx, table(t, 'account_kpis'), C.kpis, accounts.map(kpiRow), upsertClause(['account_id'], C.kpis));
  await appendRows(tx, t, 'equity_curve', C.curve, s.points.map((p): Cell[] => [p.accountId, p.position, p.kind, p.at, p.balance, p.unrealized, p.equity, p.peak]));
  const closed = s.closedDays.map((d): Cell[] => [d.accountId, dayText(d.day), d.openEquity, d.closeEquity, d.funding, d.dailyReturn === undefined ? null : d.dailyReturn.toFixed(12), true]);
  const open = accounts.map((a): Cell[] => [a.accountId, dayText(a.day), a.dayOpenEquity, a.balance + accountUnrealized(s, a.accountId), a.dayFunding, null, false]);
  await insertRows(tx, table(t, 'equity_daily'), C.daily, [...closed, ...open], upsertClause(['account_id', 'day'], C.daily));
  await tx.query(`insert into ${table(t, 'portfolio_clock')} (id, day, at_ms) values (1, $1, $2::bigint) on conflict (id) do update set day = excluded.day, at_ms = excluded.at_ms`,
    [s.clock.day ?? null, s.clock.atMs === undefined ? null : String(s.clock.atMs)]);
}

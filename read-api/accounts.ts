// Account reads: equity, positions, orders, fills, risk decisions, equity curve, KPIs and trading state.
// Methods taking many account ids serve the loaders: one query for every account a request touches.
import { formatUnits } from '../domain/shared/money.ts';
import { cash, decimalText, iso, lots, optional, price, unitsText, type Instruments } from './format.ts';
import { decodeCursor, pageOf, type Page } from './cursor.ts';
import { instant, tableIn, type ReadSql, type Row } from './sql.ts';

export interface Account {
  id: string; currency: string; scale: number; balance: string; equity: string; unrealizedPnl: string; realizedPnl: string; feesPaid: string; peakEquity: string; maxDrawdown: string;
}
export interface Position { accountId: string; symbol: string; qty: string; avgOpenPrice: string | null; markPrice: string; realizedPnl: string; unrealizedPnl: string; lastFillPrice: string }
export interface Order {
  id: string; accountId: string; clientOrderId: string; symbol: string; side: string; kind: string; timeInForce: string; qty: string; limitPrice: string | null;
  stopPrice: string | null; reduceOnly: boolean; status: string; statusReason: string | null; denialReasons: string[]; filledQty: string; avgFillPrice: string | null;
  placedAt: string; updatedAt: string;
}
export interface Fill {
  id: string; orderId: string; accountId: string; symbol: string; side: string; qty: string; price: string; fee: string; cashFlow: string; realizedPnl: string;
  closedQty: string; openedQty: string; positionQty: string; orderStatus: string; at: string;
}
export interface RiskDecision { accountId: string; orderId: string; accepted: boolean; reasons: string[]; checks: Array<{ name: string; passed: boolean; observed: string | null; limit: string | null }>; failedChecks: number; at: string }
export interface EquityPoint { at: string; kind: string; balance: string; unrealizedPnl: string; equity: string; peakEquity: string; drawdown: string }
export interface TradingState { state: string; reason: string | null; reasonCode: string | null; changedBy: string | null; at: string | null }

const ORDER_COLUMNS = `order_id, account_id, client_order_id, symbol, side, kind, time_in_force, qty::text, limit_price::text, stop_price::text, reduce_only,
  status, status_reason, denial_reasons, filled_qty::text, avg_fill_price::text, placed_at, updated_at`;
const FILL_COLUMNS = `fill_id, order_id, account_id, symbol, side, qty::text, price::text, fee::text, cash_flow::text, realized_pnl::text, closed_qty::text,
  opened_qty::text, position_qty::text, order_status, at, position::text`;
const DECISION_COLUMNS = 'position::text, account_id, order_id, accepted, reasons, checks, failed_checks, at';

export class AccountReads {
  private readonly t: (name: string) => string;
  constructor(private readonly sql: ReadSql, private readonly instruments: Instruments, schema = 'read') { this.t = tableIn(schema); }

  private get ordersSql(): string {
    return `select ${ORDER_COLUMNS} from ${this.t('orders')} where account_id = $1 and $2::text[] is null
       and ($3::timestamptz is null or (placed_at, order_id) < ($3::timestamptz, $4::text)) order by placed_at desc, order_id desc limit $5`;
  }

  /**
   * The newest page of each asked status, merged: each walks the (account_id, status, placed_at) index for a
   * page and stops, where `status = any(…)` read every matching order of the account and sorted them.
   */
  private get ordersByStatusSql(): string {
    return `select ${ORDER_COLUMNS} from (select distinct unnest($2::text[]) as wanted) s cross join lateral (
       select * from ${this.t('orders')} where account_id = $1 and status = s.wanted
       and ($3::timestamptz is null or (placed_at, order_id) < ($3::timestamptz, $4::text)) order by placed_at desc, order_id desc limit $5) o
       order by placed_at desc, order_id desc limit $5`;
  }

  /** Accounts by id, or every account when `ids` is undefined. */
  async accounts(ids: readonly string[] | undefined): Promise<Account[]> {
    const { rows } = await this.sql.query(
      `select account_id, currency, balance::text, equity::text, unrealized_pnl::text, realized_pnl::text, fees_paid::text, peak_equity::text, max_drawdown::text
       from ${this.t('account_equity')} where $1::text[] is null or account_id = any($1::text[]) order by account_id limit 1000`, [ids ?? null]);
    return rows.map((r) => {
      const scale = this.instruments.currencyScale(r.currency as string);
      const m = (v: unknown) => cash(scale, v as string);
      return { id: r.account_id as string, currency: r.currency as string, scale, balance: m(r.balance), equity: m(r.equity), unrealizedPnl: m(r.unrealized_pnl),
        realizedPnl: m(r.realized_pnl), feesPaid: m(r.fees_paid), peakEquity: m(r.peak_equity), maxDrawdown: m(r.max_drawdown) };
    });
  }

  async positions(accountIds: readonly string[]): Promise<Map<string, Position[]>> {
    const { rows } = await this.sql.query(
      `select account_id, symbol, qty::text, avg_open_price::text, mark_price::text, realized_pnl::text, unrealized_pnl::text, last_fill_price::text
       from ${this.t('positions')} where account_id = any($1::text[]) order by account_id, symbol`, [accountIds]);
    return groupBy(accountIds, rows.map((r) => this.position(r)), (p) => p.accountId);
  }

  position(r: Row): Position {
    const symbol = r.symbol as string;
    const scale = this.instruments.scales(symbol).quoteCurrencyScale;
    return {
      accountId: r.account_id as string, symbol, qty: lots(this.instruments, symbol, r.qty as string), avgOpenPrice: optional(r.avg_open_price as string | null, (v) => price(this.instruments, symbol, v)),
      markPrice: price(this.instruments, symbol, r.mark_price as string), realizedPnl: cash(scale, r.realized_pnl as string), unrealizedPnl: cash(scale, r.unrealized_pnl as string),
      lastFillPrice: price(this.instruments, symbol, r.last_fill_price as string),
    };
  }

  async tradingStates(accountIds: readonly string[]): Promise<TradingState[]> {
    const { rows } = await this.sql.query(`select account_id, state, reason, reason_code, changed_by, at from ${this.t('account_trading_states')} where account_id = any($1::text[])`, [accountIds]);
    const byId = new Map(rows.map((r) => [r.account_id as string, { state: r.state as string, reason: r.reason as string, reasonCode: r.reason_code as string | null, changedBy: r.changed_by as string, at: iso(r.at) }]));
    return accountIds.map((id) => byId.get(id) ?? { state: 'ACTIVE', reason: null, reasonCode: null, changedBy: null, at: null });
  }

  async orders(accountId: string, statuses: readonly string[] | null | undefined, first: number, after?: string | null): Promise<Page<Order>> {
    const cursor = decodeCursor(after, 2);
    const filtered = statuses !== null && statuses !== undefined && statuses.length > 0;
    const { rows } = await this.sql.query(filtered ? this.ordersByStatusSql : this.ordersSql,
      [accountId, filtered ? statuses : null, cursor?.[0] ?? null, cursor?.[1] ?? null, first + 1]);
    return pageOf(rows, first, (r) => [iso(r.placed_at), r.order_id as string], (r) => this.order(r));
  }

  async ordersById(orderIds: readonly string[]): Promise<Array<Order | null>> {
    const { rows } = await this.sql.query(`select ${ORDER_COLUMNS} from ${this.t('orders')} where order_id = any($1::text[])`, [orderIds]);
    const byId = new Map(rows.map((r) => [r.order_id as string, this.order(r)]));
    return orderIds.map((id) => byId.get(id) ?? null);
  }

  order(r: Row): Order {
    const symbol = r.symbol as string;
    // bigint columns printed by PostgreSQL: formatted as text, the scales looked up once per row (a page has many)
    const { priceScale, qtyScale } = this.instruments.scales(symbol);
    const p = (v: unknown) => optional(v as string | null, (x) => unitsText(x, priceScale));
    return {
      id: r.order_id as string, accountId: r.account_id as string, clientOrderId: r.client_order_id as string, symbol, side: r.side as string, kind: r.kind as string,
      timeInForce: r.time_in_force as string, qty: unitsText(r.qty as string, qtyScale), limitPrice: p(r.limit_price), stopPrice: p(r.stop_price),
      reduceOnly: r.reduce_only as boolean, status: r.status as string, statusReason: r.status_reason as string | null, denialReasons: r.denial_reasons as string[],
      filledQty: unitsText(r.filled_qty as string, qtyScale), avgFillPrice: avgPrice(r.avg_fill_price, priceScale),
      placedAt: iso(r.placed_at), updatedAt: iso(r.updated_at),
    };
  }

  async fills(accountId: string, first: number, after?: string | null): Promise<Page<Fill>> {
    const cursor = decodeCursor(after, 1);
    const { rows } = await this.sql.query(
      `select ${FILL_COLUMNS} from ${this.t('fills')} where account_id = $1 and ($2::bigint is null or position < $2::bigint) order by position desc limit $3`,
      [accountId, cursor?.[0] ?? null, first + 1]);
    return pageOf(rows, first, (r) => [r.position as string], (r) => this.fill(r));
  }

  async fillsOfOrders(orderIds: readonly string[]): Promise<Map<string, Fill[]>> {
    const { rows } = await this.sql.query(`select ${FILL_COLUMNS} from ${this.t('fills')} where order_id = any($1::text[]) order by position`, [orderIds]);
    return groupBy(orderIds, rows.map((r) => this.fill(r)), (f) => f.orderId);
  }

  async fillById(fillId: string): Promise<Fill | null> {
    const { rows } = await this.sql.query(`select ${FILL_COLUMNS} from ${this.t('fills')} where fill_id = $1`, [fillId]);
    return rows[0] ? this.fill(rows[0]) : null;
  }

  fill(r: Row): Fill {
    const symbol = r.symbol as string;
    const scale = this.instruments.scales(symbol).quoteCurrencyScale;
    const q = (v: unknown) => lots(this.instruments, symbol, v as string);
    return {
      id: r.fill_id as string, orderId: r.order_id as string, accountId: r.account_id as string, symbol, side: r.side as string, qty: q(r.qty),
      price: price(this.instruments, symbol, r.price as string), fee: cash(scale, r.fee as string), cashFlow: cash(scale, r.cash_flow as string),
      realizedPnl: cash(scale, r.realized_pnl as string), closedQty: q(r.closed_qty), openedQty: q(r.opened_qty), positionQty: q(r.position_qty),
      orderStatus: r.order_status as string, at: iso(r.at),
    };
  }

  async riskDecisions(accountId: string, first: number, after: string | null | undefined, deniedOnly: boolean): Promise<Page<RiskDecision>> {
    const cursor = decodeCursor(after, 1);
    const { rows } = await this.sql.query(
      `select ${DECISION_COLUMNS} from ${this.t('risk_decisions')} where account_id = $1 and ($2::bigint is null or position < $2::bigint) and (not $3 or not accepted)
       order by position desc limit $4`, [accountId, cursor?.[0] ?? null, deniedOnly, first + 1]);
    return pageOf(rows, first, (r) => [r.position as string], decision);
  }

  async decisionsOfOrders(orderIds: readonly string[]): Promise<Array<RiskDecision | null>> {
    const { rows } = await this.sql.query(`select ${DECISION_COLUMNS} from ${this.t('risk_decisions')} where order_id = any($1::text[]) order by position`, [orderIds]);
    const byOrder = new Map(rows.map((r) => [r.order_id as string, decision(r)]));
    return orderIds.map((id) => byOrder.get(id) ?? null);
  }

  async decisionAt(position: string): Promise<RiskDecision | null> {
    const { rows } = await this.sql.query(`select ${DECISION_COLUMNS} from ${this.t('risk_decisions')} where position = $1::bigint`, [position]);
    return rows[0] ? decision(rows[0]) : null;
  }

  async equityCurve(account: Account, from: string | null | undefined, to: string | null | undefined, first: number): Promise<EquityPoint[]> {
    const { rows } = await this.sql.query(
      `select at, kind, balance::text, unrealized_pnl::text, equity::text, peak_equity::text, drawdown::text from ${this.t('equity_curve')}
       where account_id = $1 and ($2::timestamptz is null or at >= $2) and ($3::timestamptz is null or at < $3) order by at, position limit $4`,
      [account.id, from ? instant(from, 'from') : null, to ? instant(to, 'to') : null, first]);
    const m = (v: unknown) => cash(account.scale, v as string);
    return rows.map((r) => ({ at: iso(r.at), kind: r.kind as string, balance: m(r.balance), unrealizedPnl: m(r.unrealized_pnl), equity: m(r.equity), peakEquity: m(r.peak_equity), drawdown: m(r.drawdown) }));
  }

  /** Money in the account currency's major units, as on Account; averages and expectancy keep their sub-cent digits. */
  async kpis(accounts: readonly Account[]): Promise<Array<Record<string, unknown> | null>> {
    const { rows } = await this.sql.query(
      `select account_id, trades, wins, losses, breakeven, closing_fills, gross_profit::text, gross_loss::text, net_trade_pnl::text, profit_factor::text, win_rate::text,
         average_win::text, average_loss::text, expectancy::text, max_drawdown::text, max_drawdown_ratio::text, sharpe::text
       from ${this.t('account_kpis')} where account_id = any($1::text[])`, [accounts.map((a) => a.id)]);
    const byId = new Map(rows.map((r) => [r.account_id as string, r]));
    return accounts.map((a) => {
      const r = byId.get(a.id);
      if (!r) return null;
      const m = (v: unknown) => cash(a.scale, v as string);
      const perTrade = (v: unknown) => cashDecimal(a.scale, v);
      return { trades: r.trades, wins: r.wins, losses: r.losses, breakeven: r.breakeven, closingFills: r.closing_fills,
        grossProfit: m(r.gross_profit), grossLoss: m(r.gross_loss), netTradePnl: m(r.net_trade_pnl),
        profitFactor: decimalText(r.profit_factor), winRate: decimalText(r.win_rate),
        averageWin: perTrade(r.average_win), averageLoss: perTrade(r.average_loss), expectancy: perTrade(r.expectancy),
        maxDrawdown: m(r.max_drawdown), maxDrawdownRatio: decimalText(r.max_drawdown_ratio), sharpe: decimalText(r.sharpe) };
    });
  }
}

/**
 * A numeric(…) of minor units (an average per round trip) in major units, exact: at least the currency's
 * decimals, as `cash` prints them, then the sub-minor digits that are not zero. '1500.000000' at scale 2 is
 * '15.00', '33.333333' is '0.33333333'.
 */
export function cashDecimal(scale: number, value: unknown): string | null {
  const text = decimalText(value);
  if (text === null) return null;
  const [whole = '0', fraction = ''] = text.split('.');
  const negative = whole.startsWith('-');
  const units = BigInt(`${negative ? whole.slice(1) : whole}${fraction}`);
  const [major = '0', minor = ''] = formatUnits(units, scale + fraction.length).split('.');
  const digits = minor.replace(/0+$/, '').padEnd(scale, '0');
  return `${negative && units !== 0n ? '-' : ''}${major}${digits ? `.${digits}` : ''}`;
}

function decision(r: Row): RiskDecision {
  const checks = (typeof r.checks === 'string' ? JSON.parse(r.checks) : r.checks) as Array<{ name: string; passed: boolean; observed?: string | number | null; limit?: string | number | null }>;
  return {
    accountId: r.account_id as string, orderId: r.order_id as string, accepted: r.accepted as boolean, reasons: r.reasons as string[], failedChecks: Number(r.failed_checks), at: iso(r.at),
    checks: checks.map((c) => ({ name: c.name, passed: c.passed, observed: c.observed == null ? null : String(c.observed), limit: c.limit == null ? null : String(c.limit) })),
  };
}

/** avg_fill_price is numeric(…, 6) in price units: shift it onto the price grid as exact text. */
function avgPrice(value: unknown, priceScale: number): string | null {
  const text = decimalText(value);
  if (text === null) return null;
  const [whole = '0', fraction = ''] = text.split('.');
  const digits = (whole + fraction).replace(/^(-?)0+(?=\d)/, '$1');
  const scale = fraction.length + priceScale;
  const negative = digits.startsWith('-');
  const bare = (negative ? digits.slice(1) : digits).padStart(scale + 1, '0');
  const shifted = `${bare.slice(0, bare.length - scale)}.${bare.slice(bare.length - scale)}`.replace(/0+$/, '').replace(/\.$/, '');
  return (negative ? '-' : '') + shifted;
}

function groupBy<T>(keys: readonly string[], items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const item of items) groups.get(keyOf(item))?.push(item);
  return groups;
}

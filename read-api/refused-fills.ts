// Refused fills: what brokers reported that the post-trade checks would not book, newest first, per account
// and desk-wide (optionally by code), with prices and quantities on the instrument's grid like a Fill.
import { iso, lots, optional, price, type Instruments } from './format.ts';
import { decodeCursor, pageOf, type Page } from './cursor.ts';
import { presentQuote, type Quote } from './market.ts';
import { tableIn, type ReadSql, type Row } from './sql.ts';

export interface RefusedFill {
  fillId: string; orderId: string; accountId: string; symbol: string; side: string; qty: string; price: string;
  reportedSymbol: string | null; reportedSide: string | null; limitPrice: string | null; quote: Quote | null; bandBps: number;
  code: string; reason: string; reportedBy: string; reportedByRole: string; at: string;
}

const COLUMNS = `position::text, fill_id, order_id, account_id, symbol, side, qty::text, price::text, reported_symbol, reported_side, limit_price::text,
  quote_bid::text, quote_ask::text, quote_at, band_bps::text, code, reason, reported_by, reported_by_role, at`;

export class RefusedFillReads {
  private readonly t: (name: string) => string;
  constructor(private readonly sql: ReadSql, private readonly instruments: Instruments, schema = 'read') { this.t = tableIn(schema); }

  /** One account's refusals, newest first. */
  account(accountId: string, first: number, after?: string | null): Promise<Page<RefusedFill>> {
    return this.page([accountId], null, first, after);
  }

  /** Refusals of the given accounts (every account for `all`), newest first, of one code when given. */
  desk(accounts: readonly string[] | 'all', code: string | null, first: number, after?: string | null): Promise<Page<RefusedFill>> {
    return this.page(accounts === 'all' ? null : accounts, code, first, after);
  }

  private async page(accounts: readonly string[] | null, code: string | null, first: number, after: string | null | undefined): Promise<Page<RefusedFill>> {
    const cursor = decodeCursor(after, 1);
    const { rows } = await this.sql.query(
      `select ${COLUMNS} from ${this.t('refused_fills')} where ($1::text[] is null or account_id = any($1::text[])) and ($2::text is null or code = $2)
       and ($3::bigint is null or position < $3::bigint) order by position desc limit $4`,
      [accounts, code, cursor?.[0] ?? null, first + 1]);
    return pageOf(rows, first, (r) => [r.position as string], (r) => this.refusedFill(r));
  }

  private refusedFill(r: Row): RefusedFill {
    const symbol = r.symbol as string;
    const p = (v: unknown) => price(this.instruments, symbol, v as string);
    const quote = r.quote_bid === null || r.quote_ask === null || r.quote_at === null ? null
      : presentQuote(this.instruments, symbol, BigInt(r.quote_bid as string), BigInt(r.quote_ask as string), iso(r.quote_at), r.position as string);
    return {
      fillId: r.fill_id as string, orderId: r.order_id as string, accountId: r.account_id as string, symbol, side: r.side as string,
      qty: lots(this.instruments, symbol, r.qty as string), price: p(r.price), reportedSymbol: r.reported_symbol as string | null,
      reportedSide: r.reported_side as string | null, limitPrice: optional(r.limit_price as string | null, p), quote, bandBps: Number(r.band_bps),
      code: r.code as string, reason: r.reason as string, reportedBy: r.reported_by as string, reportedByRole: r.reported_by_role as string, at: iso(r.at),
    };
  }
}

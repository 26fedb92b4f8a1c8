// Resolvers: each checks who is asking, then reads through the read services. Fields that would query
// once per parent (positions, trading state, KPIs, an order's fills and decision, an instrument's quote)
// are loaders instead, batched per request.
import type { FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import type { IResolvers, MercuriusContext, MercuriusLoaders } from 'mercurius';
import type { InstrumentSpec } from '../domain/market-data/index.ts';
import { formatUnits } from '../domain/shared/money.ts';
import { readableAccounts, requireReadableAccount } from './access.ts';
import { auditResolvers } from './audit/resolvers.ts';
import type { Account, Order } from './accounts.ts';
import { principalIn } from './context.ts';
import { extensionsOf } from './errors.ts';
import { GraphQLError, Kind } from './graphql-js.ts';
import { LedgerError, ValidationError } from '../domain/shared/errors.ts';
import { FILL_REFUSAL_CODES } from '../domain/trading/account/index.ts';
import { LIMIT_CODES, pageSize } from './limits.ts';
import type { Interval } from './market.ts';

type Args = Record<string, unknown>;
const str = (v: unknown) => v as string;
const optStr = (v: unknown) => v as string | null | undefined;


/** A refusal code to filter by, or null for all; a code the ledger never gives is a typo, refused rather than answered with an empty page. */
function refusalCode(code: string | null | undefined): string | null {
  if (code === undefined || code === null) return null;
  if ((FILL_REFUSAL_CODES as readonly string[]).includes(code)) return code;
  throw new ValidationError('GRAPHQL.BAD_REFUSAL_CODE', `code must be one of ${FILL_REFUSAL_CODES.join(', ')}, got ${JSON.stringify(code.slice(0, 40))}`, { argument: 'code' });
}

export const presentInstrument = (s: InstrumentSpec) => ({
  symbol: s.symbol, description: s.description, quoteCurrency: s.quoteCurrency, tickSize: formatUnits(1n, s.priceScale), lotStep: formatUnits(1n, s.qtyScale),
  contractSize: s.contractSize.toString(), minOrderLots: formatUnits(s.minOrderQty, s.qtyScale), maxOrderLots: formatUnits(s.maxOrderQty, s.qtyScale),
});

async function visibleAccounts(ctx: MercuriusContext): Promise<Account[]> {
  const readable = readableAccounts(principalIn(ctx));
  if (readable !== 'all' && readable.length === 0) return [];
  return ctx.read.accounts.accounts(readable === 'all' ? undefined : readable);
}

export const resolvers: IResolvers = {
  Query: {
    instruments: (_root, _args, ctx: MercuriusContext) => { principalIn(ctx); return ctx.read.instruments.list().map(presentInstrument); },
    instrument: (_root, args: Args, ctx: MercuriusContext) => {
      principalIn(ctx);
      const spec = ctx.read.instruments.spec(str(args.symbol));
      return spec ? presentInstrument(spec) : null;
    },
    latestQuote: async (_root, args: Args, ctx: MercuriusContext) => { principalIn(ctx); return (await ctx.read.hot.latestQuotes([str(args.symbol)]))[0]; },
    ticks: (_root, args: Args, ctx: MercuriusContext) => {
      principalIn(ctx);
      return ctx.read.market.ticks(str(args.symbol), str(args.from), str(args.to), pageSize(args.first as number, 500, ctx.read.limits), optStr(args.after));
    },
    candles: (_root, args: Args, ctx: MercuriusContext, info: GraphQLResolveInfo) => {
      principalIn(ctx);
      return ctx.read.market.candles(str(args.symbol), args.interval as Interval, str(args.from), str(args.to), pageSize(args.first as number, 500, ctx.read.limits), selectedFields(info));
    },
    accounts: (_root, _args, ctx: MercuriusContext) => visibleAccounts(ctx),
    account: async (_root, args: Args, ctx: MercuriusContext) => {
      requireReadableAccount(principalIn(ctx), str(args.id));
      return (await ctx.read.accounts.accounts([str(args.id)]))[0] ?? null;
    },
    controlStates: (_root, _args, ctx: MercuriusContext) => { principalIn(ctx); return ctx.read.desk.controlStates(); },
    refusedFills: (_root, args: Args, ctx: MercuriusContext) =>
      ctx.read.refusedFills.desk(readableAccounts(principalIn(ctx)), refusalCode(optStr(args.code)), pageSize(args.first as number, 50, ctx.read.limits), optStr(args.after)),
    projections: (_root, _args, ctx: MercuriusContext) => { principalIn(ctx); return ctx.read.desk.projections(); },
    signals: (_root, args: Args, ctx: MercuriusContext) => {
      principalIn(ctx);
      const shadow = typeof args.shadow === 'boolean' ? args.shadow : null;
      return ctx.read.signals.signals(str(args.model), str(args.from), str(args.to), shadow, pageSize(args.first as number, 100, ctx.read.limits));
    },
    modelVersions: (_root, args: Args, ctx: MercuriusContext) => { principalIn(ctx); return ctx.read.signals.modelVersions(optStr(args.name) ?? null); },
    ...auditResolvers,
  },
  Account: {
    orders: (account: Account, args: Args, ctx: MercuriusContext) =>
      ctx.read.accounts.orders(account.id, args.status as string[] | null, pageSize(args.first as number, 50, ctx.read.limits), optStr(args.after)),
    fills: (account: Account, args: Args, ctx: MercuriusContext) => ctx.read.accounts.fills(account.id, pageSize(args.first as number, 50, ctx.read.limits), optStr(args.after)),
    refusedFills: (account: Account, args: Args, ctx: MercuriusContext) => ctx.read.refusedFills.account(account.id, pageSize(args.first as number, 50, ctx.read.limits), optStr(args.after)),
    riskDecisions: (account: Account, args: Args, ctx: MercuriusContext) =>
      ctx.read.accounts.riskDecisions(account.id, pageSize(args.first as number, 50, ctx.read.limits), optStr(args.after), args.deniedOnly === true),
    equityCurve: (account: Account, args: Args, ctx: MercuriusContext) =>
      ctx.read.accounts.equityCurve(account, optStr(args.from), optStr(args.to), pageSize(args.first as number, 500, ctx.read.limits)),
  },
  Subscription: {
    quotes: feed((args, ctx) => { principalIn(ctx); return ctx.read.live.quotes(str(args.symbol)); }),
    formingCandle: feed((args, ctx) => { principalIn(ctx); return ctx.read.live.formingCandle(str(args.symbol), args.interval as Interval); }),
    orders: accountFeed((ctx, id) => ctx.read.live.orders(id)),
    fills: accountFeed((ctx, id) => ctx.read.live.fills(id)),
    positions: accountFeed((ctx, id) => ctx.read.live.positions(id)),
    riskDecisions: accountFeed((ctx, id) => ctx.read.live.riskDecisions(id)),
    controlStates: feed((_args, ctx) => { principalIn(ctx); return ctx.read.live.controlStates(); }),
  },
};

/**
 * A subscription field. A refusal (no token, another trader's account, a connection already holding its
 * maximum of subscriptions) leaves as a GraphQL error with the code in extensions.code, as it does over
 * HTTP: graphql-ws has no error formatter of ours. An open subscription holds one of its connection's
 * slots until it ends, however it ends (stopped, failed, connection closed).
 */
function feed(open: (args: Args, ctx: MercuriusContext) => Promise<AsyncIterableIterator<unknown>>) {
  return {
    subscribe: async (_root: unknown, args: Args, ctx: MercuriusContext) => {
      const release = holdSlot(ctx);
      try {
        return releasing(await open(args, ctx), release);
      } catch (error) {
        release();
        if (!(error instanceof LedgerError)) throw error;
        throw new GraphQLError(error.message, { originalError: error, extensions: extensionsOf(error.code, { ...error.details }) });
      }
    },
    resolve: (payload: unknown) => payload,
  };
}

/** Takes one of the connection's subscription slots (refusing when none is left); returns its release. */
function holdSlot(ctx: MercuriusContext): () => void {
  const open = ctx.openSubscriptions;
  const id = ctx.id;
  if (!open || id === undefined) return () => undefined;
  const limit = ctx.read.limits.maxSubscriptionsPerConnection;
  if (!open.has(id) && open.size >= limit) {
    throw new GraphQLError(`this connection already holds ${limit} subscriptions; stop one before starting another`, {
      extensions: extensionsOf(LIMIT_CODES.subscriptions, { limit }),
    });
  }
  open.add(id);
  return () => { open.delete(id); };
}

/** The same iterator, calling `release` once when it ends: done, failed, or returned early. */
function releasing<T>(source: AsyncIterableIterator<T>, release: () => void): AsyncIterableIterator<T> {
  let released = false;
  const end = () => { if (!released) { released = true; release(); } };
  return {
    [Symbol.asyncIterator]() { return this; },
    async next() {
      try {
        const result = await source.next();
        if (result.done) end();
        return result;
      } catch (error) {
        end();
        throw error;
      }
    },
    async return(value?: unknown) {
      end();
      return source.return ? source.return(value) : { done: true, value: value as T };
    },
    async throw(error?: unknown) {
      end();
      if (source.throw) return source.throw(error);
      throw error;
    },
  };
}

function accountFeed(open: (ctx: MercuriusContext, accountId: string) => Promise<AsyncIterableIterator<unknown>>) {
  return feed((args, ctx) => {
    requireReadableAccount(principalIn(ctx), str(args.accountId));
    return open(ctx, str(args.accountId));
  });
}

/**
 * The names of the fields selected directly under this field (through fragments too), or undefined when
 * they cannot be told (then a resolver reads everything).
 */
export function selectedFields(info: GraphQLResolveInfo | undefined): ReadonlySet<string> | undefined {
  if (!info?.fieldNodes) return undefined;
  const names = new Set<string>();
  const visit = (set: SelectionSetNode | undefined, fragments: Readonly<Record<string, FragmentDefinitionNode>>): boolean => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) names.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) { if (!visit(selection.selectionSet, fragments)) return false; }
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments[selection.name.value];
        if (!fragment || !visit(fragment.selectionSet, fragments)) return false;
      } else return false;
    }
    return true;
  };
  for (const node of info.fieldNodes) if (!visit(node.selectionSet, info.fragments ?? {})) return undefined;
  return names;
}

type Query<T> = { obj: T; params: Args };

export const loaders: MercuriusLoaders = {
  Account: {
    positions: async (queries: Query<Account>[], ctx: MercuriusContext) => {
      const byAccount = await ctx.read.hot.positions([...new Set(queries.map((q) => q.obj.id))]);
      return queries.map((q) => byAccount.get(q.obj.id) ?? []);
    },
    tradingState: (queries: Query<Account>[], ctx: MercuriusContext) => ctx.read.accounts.tradingStates(queries.map((q) => q.obj.id)),
    kpis: (queries: Query<Account>[], ctx: MercuriusContext) => ctx.read.accounts.kpis(queries.map((q) => q.obj)),
  },
  Order: {
    fills: async (queries: Query<Order>[], ctx: MercuriusContext) => {
      const byOrder = await ctx.read.accounts.fillsOfOrders(queries.map((q) => q.obj.id));
      return queries.map((q) => byOrder.get(q.obj.id) ?? []);
    },
    riskDecision: (queries: Query<Order>[], ctx: MercuriusContext) => ctx.read.accounts.decisionsOfOrders(queries.map((q) => q.obj.id)),
  },
  Instrument: {
    latestQuote: (queries: Query<{ symbol: string }>[], ctx: MercuriusContext) => ctx.read.hot.latestQuotes(queries.map((q) => q.obj.symbol)),
  },
};

// The audit API over GraphQL: each field checks the role, then asks the audit port, which records the
// question and answers it from the event store as the CLI does.
import type { MercuriusContext } from 'mercurius';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.ts';
import { principalIn } from '../context.ts';
import { instant } from '../sql.ts';
import { AUDIT_API_CODES, auditorAsking, trailRange } from './questions.ts';

type Args = Record<string, unknown>;

/** Events one GraphQL answer may carry in a trail; larger trails are downloaded (GET /audit/trail), a line at a time. */
export const MAX_GRAPHQL_TRAIL_EVENTS = 10_000;

const asking = (ctx: MercuriusContext, question: string) =>
  auditorAsking(principalIn(ctx), question, ctx.read.audit, 'graphql', ctx.reply?.request.id);

const downloadUrl = (args: Args): string => {
  const query = new URLSearchParams();
  for (const [name, key] of [['account', 'accountId'], ['stream', 'streamId'], ['from', 'from'], ['to', 'to']] as const) {
    if (typeof args[key] === 'string') query.set(name, args[key]);
  }
  return `/audit/trail?${query.toString()}`;
};

export const auditResolvers: Record<string, (root: unknown, args: Args, ctx: MercuriusContext) => Promise<unknown>> = {
  accountAsOf: async (_root, args: Args, ctx: MercuriusContext) => {
    const { reader, asker } = asking(ctx, 'ask for an account as of an instant');
    return reader.accountAsOf(asker, args.accountId as string, new Date(instant(args.at as string, 'at')));
  },
  explainOrder: async (_root, args: Args, ctx: MercuriusContext) => {
    const { reader, asker } = asking(ctx, 'ask why an order was decided');
    const orderId = args.orderId as string;
    let accountId = typeof args.accountId === 'string' ? args.accountId : undefined;
    if (accountId === undefined) {
      // The read model only says where to look; the answer comes from the event store.
      accountId = (await ctx.read.accounts.ordersById([orderId]))[0]?.accountId;
      if (accountId === undefined) throw new NotFoundError('ORDER.UNKNOWN', `no order ${orderId} in the orders read model; name its account (accountId) to ask the event store itself`, { orderId });
    }
    return reader.explainOrder(asker, accountId, orderId);
  },
  auditTrail: async (_root, args: Args, ctx: MercuriusContext) => {
    const { reader, asker } = asking(ctx, 'export audit trails');
    const range = trailRange(args);
    const lines: string[] = [];
    const summary = await reader.exportTrail(asker, range, async (line) => {
      if (lines.length >= MAX_GRAPHQL_TRAIL_EVENTS + 2) { // a header, the events, an end line
        throw new ValidationError(AUDIT_API_CODES.trailTooLarge, `the trail holds more than ${MAX_GRAPHQL_TRAIL_EVENTS} events, more than one GraphQL answer carries: download it from GET ${downloadUrl(args)}, or ask for a shorter range (from, to)`, { maxEvents: MAX_GRAPHQL_TRAIL_EVENTS, download: downloadUrl(args) });
      }
      lines.push(line);
    });
    return {
      streamId: range.streamId, from: range.from?.toISOString() ?? null, to: range.to?.toISOString() ?? null,
      events: summary.events, finalHash: summary.finalHash, keyId: summary.keyId, lines, jsonl: lines.map((line) => `${line}\n`).join(''),
    };
  },
};

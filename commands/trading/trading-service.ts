// The trading service: builds each domain command with its metadata and runs it through the one
// command-handling loop, behind the idempotency record of its command id. Orders get their market data
// (latest quote, instrument facts) and the emergency-stop state as command data; the stop state comes
// from a cache, and the order's append holds only while the stop streams are still at what was read.
import { StreamsChanged, type AppendOptions, type EventStore } from '../../domain/ports/event-store.ts';
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import type { SnapshotStore } from '../../domain/ports/snapshot-store.ts';
import type { CommandMetadata, DomainEvent } from '../../domain/shared/decider.ts';
import {
  accountDecider,
  accountFigures,
  accountStreamId,
  limitsChangeNeedsSecondFactor,
  DEFAULT_FILL_BAND_BPS,
  findOrder,
  marketMarks,
  type AccountCommand,
  type AccountEvent,
  type SetRiskLimits,
  type RecordFill,
  type AccountState,
  type PlaceOrder,
  type RiskDecisionRecorded,
} from '../../domain/trading/account/index.ts';
import type { Quote } from '../../domain/trading/risk/index.ts';
import { isFinal, type Order } from '../../domain/trading/orders/index.ts';
import { controlDecider, controlStreamId, type ControlCommand } from '../../domain/trading/control/index.ts';
import type { Command, Decider } from '../../domain/shared/decider.ts';
import { isLedgerError } from '../../domain/shared/errors.ts';
import { TooMuchContention, type CommandResult, type HandlerDeps } from '../handling/handle-command.ts';
import { StreamQueue } from '../handling/stream-queue.ts';
import { StateCache } from '../handling/state-cache.ts';
import { ControlReader } from './control-reader.ts';
import { createCommandRecords, type OutcomeReceipts } from './idempotency.ts';
import { instrumentRegistry, type InstrumentRegistry } from './instruments.ts';
import { recordedOrder } from './recorded-orders.ts';
import { recordedBefore, throughSecondFactor, type SecondFactorGate } from './second-factor-gate.ts';
import type { SecondFactor } from '../mfa/second-factor.ts';
import type {
  AccountView,
  CommandContext,
  CommandOutcome,
  PlaceOrderInput,
  PlaceOrderOutcome,
  QuoteSource,
  RecordFillInput,
  StopInput,
  StopView,
  TradingService,
} from './service.ts';

export interface TradingServiceDeps {
  readonly eventStore: EventStore;
  /** Idempotency records (Redis; in-process in embedded mode). */
  readonly keyValue: KeyValueStore;
  readonly quotes: QuoteSource;
  readonly instruments?: InstrumentRegistry;
  readonly clock?: () => Date;
  readonly cache?: StateCache;
  /** Account snapshots (SNAPSHOT_EVERY events apart): a load folds only the events after the latest. Ignored with `cache`. */
  readonly snapshots?: SnapshotStore;
  readonly snapshotEvery?: number;
  /** Recorded in each event's metadata.source. */
  readonly source?: string;
  /** Attempts per command on version conflicts with writers in other processes. */
  readonly maxAttempts?: number;
  /** The band (bps around the quote's mid) a fill's price must lie in, per instrument; DEFAULT_FILL_BAND_BPS else. */
  readonly fillBandBps?: ReadonlyMap<string, bigint>;
  /** Checks the actor's code for the commands that need one; without it those commands are refused. */
  readonly secondFactor?: SecondFactor;
}

type AccountCommandType = Exclude<AccountCommand['type'], 'PlaceOrder' | 'RecordFill'>;
/** Commands that name an order: a finished one is read from the stream and handed in (recordedOrder). */
type OrderCommandType = 'CancelOrder' | 'ConfirmCancel' | 'RejectOrder' | 'ExpireOrder';
type DataOf<T extends AccountCommand['type']> = Extract<AccountCommand, { type: T }>['data'];

const outcomeOf = (commandId: string, result: CommandResult<DomainEvent>): CommandOutcome => ({
  commandId,
  streamId: result.streamId,
  applied: result.applied,
  events: result.events.map(({ type, data }) => ({ type, data })),
  revision: result.nextRevision,
});

function placeOrderOutcome(outcome: CommandOutcome, fallbackOrderId: string): PlaceOrderOutcome {
  const decision = outcome.events.find((e) => e.type === 'RiskDecisionRecorded')?.data as RiskDecisionRecorded['data'] | undefined;
  if (!decision) throw new Error(`PlaceOrder ${outcome.commandId} recorded no risk decision`);
  const { accepted, checks, reasons } = decision;
  return { ...outcome, orderId: decision.orderId ?? fallbackOrderId, accepted, decision: { accepted, checks, reasons } };
}

/** Times an order is judged again because a stop stream moved between reading it and appending. */
const MAX_STOP_STATE_ATTEMPTS = 5;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** How long a command keeps trying against writers in other processes before it gives up. */
const CONTENTION_BUDGET_MS = 10_000;

/**
 * The command loop, made patient and retry-safe for the trading streams:
 * - A writer in another process that keeps winning (its cache is current, ours needs a read first, so it
 *   is always one round trip ahead) can starve this one through all of handleCommand's attempts, for
 *   as long as its own queue for the account lasts. We back off with jitter and try again until a time
 *   budget (10 s) is spent, then give up with a retryable error.
 * - A refusal is decided on cached state, which another process may have moved on: before believing
 *   it, decide once more on state read fresh from the stream.
 * - A retry whose idempotency record is gone (expired, or sent to another process) may now be refused
 *   by the decider (its order already exists, its cancel already happened). If the stream shows events
 *   of this command id, it was applied: return those, as the first answer did.
 */
async function runCommand<C extends Command, E extends DomainEvent, S>(
  handler: HandlerDeps,
  streams: StreamQueue,
  decider: Decider<C, E, S>,
  streamId: string,
  command: C,
  appendOptions?: AppendOptions,
): Promise<CommandOutcome> {
  const { commandId } = command.metadata;
  let refreshed = false;
  const giveUpAt = Date.now() + CONTENTION_BUDGET_MS;
  for (let round = 1; ; round += 1) {
    try {
      return outcomeOf(commandId, await streams.command(decider, streamId, command, appendOptions));
    } catch (error) {
      if (error instanceof StreamsChanged) throw error; // the command's own inputs are stale: the caller rebuilds it
      if (error instanceof TooMuchContention && Date.now() < giveUpAt) {
        await sleep(Math.random() * Math.min(200, 5 * 2 ** round));
        continue;
      }
      // A refusal decided on cached state may be a refusal of the past (the order another process placed
      // is not in our cache yet): no append, so no conflict told us. Decide once more on state caught up
      // with the stream (from the cached revision on: a refused command costs one short read, never a
      // replay of the account's whole history).
      if (isLedgerError(error) && error.category !== 'unavailable' && !refreshed) {
        refreshed = true;
        await streams.catchUp(decider, streamId);
        continue;
      }
      const earlier = isLedgerError(error) && error.category !== 'unavailable' ? await recordedBefore(handler.eventStore, streamId, commandId) : undefined;
      if (earlier) return earlier;
      throw error;
    }
  }
}

/** Where a command's events are: the stream, the revision of the last one (the stream's after it) and how many. */
interface Receipt {
  readonly s: string;
  readonly r: string | null;
  readonly n: number;
}

/** Outcomes kept as receipts, rebuilt from the stream for a repeat (see idempotency.ts). */
const outcomeReceipts = (eventStore: EventStore): OutcomeReceipts<CommandOutcome, Receipt> => ({
  receipt: (outcome) => ({ s: outcome.streamId, r: outcome.revision === undefined ? null : outcome.revision.toString(), n: outcome.events.length }),
  async restore(commandId, { s: streamId, r, n }) {
    const revision = r === null ? undefined : BigInt(r);
    const recorded = n === 0 || revision === undefined ? [] : await eventStore.readStream(streamId, { fromRevision: revision - BigInt(n - 1), maxCount: n });
    if (recorded.length !== n || recorded.some((e) => e.metadata.commandId !== commandId)) return undefined; // not there: handle it afresh
    return { commandId, streamId, applied: false, events: recorded.map(({ type, data }) => ({ type, data })), revision };
  },
});

/** Oldest first, as a desk reads its order blotter. */
const byPlacement = (a: { placedAt: string; orderId: string }, b: { placedAt: string; orderId: string }): number =>
  a.placedAt < b.placedAt ? -1 : a.placedAt > b.placedAt ? 1 : a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0;

/**
 * An open account's state as the API shows it, its figures valued at `now` (the live view, or a replay's
 * instant) at `marks`: marketMarks of the quotes known then (the desk's one valuation).
 */
export function accountViewOf(state: AccountState, revision: bigint | undefined, now: Date, marks: ReadonlyMap<string, bigint> = state.marks): AccountView {
  return {
    accountId: state.accountId,
    currency: state.currency,
    revision,
    balance: state.balance,
    limits: state.limits,
    limitsVersion: state.limitsVersion,
    trading: state.trading,
    workingOrders: [...state.workingOrders.values()].sort(byPlacement),
    positions: [...state.positions.values()],
    figures: accountFigures(state, now, marks),
  };
}

export function createTradingService(deps: TradingServiceDeps): TradingService {
  const clock = deps.clock ?? (() => new Date());
  const instruments = deps.instruments ?? instrumentRegistry();
  const fillBandBps = (symbol: string): bigint => deps.fillBandBps?.get(symbol) ?? DEFAULT_FILL_BAND_BPS;
  const cache = deps.cache ?? new StateCache({ ...(deps.snapshots ? { snapshots: deps.snapshots } : {}), ...(deps.snapshotEvery !== undefined ? { snapshotEvery: deps.snapshotEvery } : {}) });
  const records = createCommandRecords(deps.keyValue, outcomeReceipts(deps.eventStore));
  const controls = new ControlReader(deps.eventStore);
  const handler: HandlerDeps & { cache: StateCache } = { eventStore: deps.eventStore, cache, maxAttempts: deps.maxAttempts ?? 10, ...(deps.source ? { source: deps.source } : {}) };
  // One stream's commands run in arrival order, so a burst for one account costs no version conflicts
  // in this process (writers in other processes are met by the expected revision and its retry); those
  // that queue up behind an append share the next one.
  const streams = new StreamQueue(handler);

  const metadata = (ctx: CommandContext): CommandMetadata => ({
    commandId: ctx.commandId,
    now: clock(),
    actor: { userId: ctx.actor.userId, role: ctx.actor.role },
    ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}),
  });
  const bodyOf = (ctx: CommandContext, input: unknown) => ({ userId: ctx.actor.userId, input });

  function onAccount<T extends AccountCommandType>(ctx: CommandContext, type: T, data: DataOf<T>): Promise<CommandOutcome> {
    const streamId = accountStreamId(data.accountId);
    return records.once(ctx.commandId, type, bodyOf(ctx, data), () => {
      const command = { type, data, metadata: metadata(ctx) } as AccountCommand;
      return runCommand(handler, streams, accountDecider, streamId, command);
    });
  }

  const gateIo = { streams, eventStore: deps.eventStore, secondFactor: deps.secondFactor };
  /** The command, through the second factor when the decider asks for one on the stream's state. */
  const guarded = <C extends Command, E extends DomainEvent, S>(ctx: CommandContext, gate: SecondFactorGate<C, E, S>, command: C) =>
    throughSecondFactor(gateIo, gate, ctx, command, (checked) => runCommand(handler, streams, gate.decider, gate.streamId, checked));

  function setRiskLimits(ctx: CommandContext, data: SetRiskLimits['data']): Promise<CommandOutcome> {
    const gate = { decider: accountDecider, streamId: accountStreamId(data.accountId), needs: limitsChangeNeedsSecondFactor };
    return records.once(ctx.commandId, 'SetRiskLimits', bodyOf(ctx, data), () =>
      guarded<AccountCommand, AccountEvent, AccountState>(ctx, gate, { type: 'SetRiskLimits', data, metadata: metadata(ctx) } satisfies SetRiskLimits));
  }

  function onControl(ctx: CommandContext, type: ControlCommand['type'], input: StopInput): Promise<CommandOutcome> {
    const streamId = controlStreamId(input.scope);
    return records.once(ctx.commandId, type, bodyOf(ctx, input), async () => {
      const command = { type, data: { scope: input.scope, reason: input.reason }, metadata: metadata(ctx) } as ControlCommand;
      // Only an approval needs a code: engaging and requesting go straight to the loop, with no catch-up read first.
      const outcome = type === 'ApproveEmergencyStopRelease'
        ? await guarded(ctx, { decider: controlDecider, streamId, needs: () => true }, command)
        : await runCommand(handler, streams, controlDecider, streamId, command);
      // The stop state orders are judged on catches up before the stop is acknowledged: this process's
      // next order sees it at once instead of learning it from a failed append.
      await controls.current(input.scope);
      return outcome;
    });
  }

  /**
   * The order of this id if it is finished: the state keeps working orders only, so one the cached state
   * does not hold is read from the stream (none when the cache holds it, the common case: no I/O).
   */
  async function finishedOrder(accountId: string, orderId: string): Promise<Order | undefined> {
    const { state } = await cache.load(deps.eventStore, accountDecider, accountStreamId(accountId));
    if (state.workingOrders.get(orderId) !== undefined) return undefined;
    const order = await recordedOrder(deps.eventStore, accountId, orderId);
    return order !== undefined && isFinal(order.status) ? order : undefined;
  }

  /** Runs a command naming an order with its finished record, looked up again if it finished meanwhile. */
  async function withFinishedOrder<R>(accountId: string, orderId: string, run: (recorded: Order | undefined) => Promise<R>): Promise<R> {
    const recorded = await finishedOrder(accountId, orderId);
    try {
      return await run(recorded);
    } catch (error) {
      const again = recorded === undefined && isLedgerError(error) && error.code === 'ORDER.UNKNOWN' ? await finishedOrder(accountId, orderId) : undefined;
      if (again === undefined) throw error;
      return run(again);
    }
  }

  function onOrder<T extends OrderCommandType>(ctx: CommandContext, type: T, data: DataOf<T>): Promise<CommandOutcome> {
    const streamId = accountStreamId(data.accountId);
    return records.once(ctx.commandId, type, bodyOf(ctx, data), () =>
      withFinishedOrder(data.accountId, data.orderId, (recordedOrder) => {
        const command = { type, data: { ...data, ...(recordedOrder ? { recordedOrder } : {}) }, metadata: metadata(ctx) } as AccountCommand;
        return runCommand(handler, streams, accountDecider, streamId, command);
      }));
  }

  async function placeOrder(ctx: CommandContext, input: PlaceOrderInput): Promise<PlaceOrderOutcome> {
    const streamId = accountStreamId(input.accountId);
    // The quote is read while the command id is reserved (two key-value round trips at once, not one after
    // the other); a repeat answered from its record never looks at it.
    const quote = deps.quotes.latest(input.symbol);
    quote.catch(() => undefined);
    const outcome = await records.once(ctx.commandId, 'PlaceOrder', bodyOf(ctx, input), async () => {
      const instrument = instruments.facts(input.symbol);
      const lastQuote = await quote;
      // An order id the client chose may name a finished order, which the state no longer holds.
      const taken = input.orderId === undefined ? undefined : await finishedOrder(input.accountId, input.orderId);
      // Judged on the cached stop state, appended only while the control streams are still there; a
      // stop recorded meanwhile fails the append, and the order is judged again on the streams read anew.
      for (let attempt = 1; ; attempt += 1) {
        const judged = await controls.judgement(input.accountId, input.symbol, attempt > 1);
        try {
          const data = { ...input, market: { instrument, ...(lastQuote ? { lastQuote } : {}) }, controls: judged.controls, ...(taken ? { recordedOrder: taken } : {}) };
          const command: PlaceOrder = { type: 'PlaceOrder', data, metadata: metadata(ctx) };
          return await runCommand(handler, streams, accountDecider, streamId, command, { unchanged: judged.unchanged });
        } catch (error) {
          if (!(error instanceof StreamsChanged)) throw error;
          if (attempt >= MAX_STOP_STATE_ATTEMPTS) throw new TooMuchContention(error.changed.join(', '), attempt);
        }
      }
    });
    return placeOrderOutcome(outcome, input.orderId ?? ctx.commandId);
  }

  async function loadAccount(accountId: string): Promise<{ state: AccountState; revision: bigint | undefined } | undefined> {
    const streamId = accountStreamId(accountId);
    const loaded = await streams.catchUp(accountDecider, streamId);
    return loaded.state.status === 'open' ? loaded : undefined;
  }

  /** The latest quote of each instrument the account holds a position in (or names), as the book has it now. */
  async function quotesFor(symbols: Iterable<string>): Promise<Map<string, Quote | undefined>> {
    const list = [...new Set(symbols)];
    const quotes = await Promise.all(list.map((symbol) => deps.quotes.latest(symbol)));
    return new Map(list.map((symbol, i) => [symbol, quotes[i]]));
  }

  async function account(accountId: string): Promise<AccountView | undefined> {
    const loaded = await loadAccount(accountId);
    if (!loaded) return undefined;
    const held = [...loaded.state.positions.values()].filter((p) => p.qty !== 0n).map((p) => p.symbol);
    return accountViewOf(loaded.state, loaded.revision, clock(), marketMarks(loaded.state, await quotesFor(held)));
  }

  /**
   * A broker's fill, checked against its order and the market before it is booked: the quote is the book's
   * latest for the order's instrument when the fill is recorded, the band the instrument's (fillBandBps).
   */
  async function recordFill(ctx: CommandContext, input: RecordFillInput): Promise<CommandOutcome> {
    const loaded = await loadAccount(input.accountId);
    const working = loaded && findOrder(loaded.state, input.orderId);
    const finished = loaded && !working ? await finishedOrder(input.accountId, input.orderId) : undefined;
    const symbol = (working ?? finished)?.symbol ?? input.symbol;
    const lastQuote = symbol === undefined ? undefined : await deps.quotes.latest(symbol);
    const market = { ...(lastQuote ? { lastQuote } : {}), bandBps: fillBandBps(symbol ?? '') };
    // The idempotency record holds what was asked, not the market it met: a repeat with a newer quote is a repeat.
    return records.once(ctx.commandId, 'RecordFill', bodyOf(ctx, input), () =>
      withFinishedOrder(input.accountId, input.orderId, (recordedOrder) => {
        const data = { ...input, market, ...(recordedOrder ? { recordedOrder } : {}) };
        const command: RecordFill = { type: 'RecordFill', data, metadata: metadata(ctx) };
        return runCommand(handler, streams, accountDecider, accountStreamId(input.accountId), command);
      }));
  }

  async function stop(scope: StopInput['scope']): Promise<StopView> {
    const state = await controls.current(scope);
    const engaged = state.stop;
    return {
      scope,
      engaged: engaged !== null,
      reason: engaged?.reason ?? null,
      engagedBy: engaged?.engagedBy ?? null,
      engagedAt: engaged?.engagedAt ?? null,
      pendingReleaseBy: engaged?.pendingRelease?.requestedBy ?? null,
    };
  }

  return {
    openAccount: (ctx, input) => onAccount(ctx, 'OpenAccount', input),
    setRiskLimits,
    deposit: (ctx, input) => onAccount(ctx, 'Deposit', input),
    withdraw: (ctx, input) => onAccount(ctx, 'Withdraw', input),
    setTradingState: (ctx, input) => onAccount(ctx, 'SetTradingState', input),
    placeOrder,
    cancelOrder: (ctx, input) => onOrder(ctx, 'CancelOrder', input),
    recordFill,
    confirmCancel: (ctx, input) => onOrder(ctx, 'ConfirmCancel', { accountId: input.accountId, orderId: input.orderId }),
    rejectOrder: (ctx, input) => onOrder(ctx, 'RejectOrder', input),
    expireOrder: (ctx, input) => onOrder(ctx, 'ExpireOrder', input),
    engageStop: (ctx, input) => onControl(ctx, 'EngageEmergencyStop', input),
    requestStopRelease: (ctx, input) => onControl(ctx, 'RequestEmergencyStopRelease', input),
    approveStopRelease: (ctx, input) => onControl(ctx, 'ApproveEmergencyStopRelease', input),
    account,
    order: async (accountId, orderId) => {
      const loaded = await loadAccount(accountId);
      // a finished order is not in the state: read it from the stream
      return loaded ? findOrder(loaded.state, orderId) ?? await recordedOrder(deps.eventStore, accountId, orderId) : undefined;
    },
    stop,
  };
}

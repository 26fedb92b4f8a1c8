// The embedded demo desk: two accounts opened with limits and funds, and a small, steady flow of market
// orders through the same risk engine as any trader, so a newcomer's `npm start` shows quotes, decisions,
// fills and positions within a minute. Opening is idempotent (command ids derive from the account, and the
// first limits are set only on an account that has none), so a restart on the same data writes nothing new.
import { randomUUID } from 'node:crypto';
import type { Actor } from '../../domain/ports/event-store.ts';
import type { RiskLimitsInput } from '../../domain/trading/account/index.ts';
import { uuidV5 } from '../handling/event-ids.ts';
import type { TradingService } from '../trading/service.ts';

export const DEMO_ACCOUNTS = ['DEMO-1', 'DEMO-2'] as const;
const DEMO_ACTOR: Actor = { userId: 'demo-desk', role: 'admin' };
const DEMO_TRADER: Actor = { userId: 'demo-trader', role: 'trader' };

/** 100,000.00 USD each; XAUUSD limits sized for 0.10-lot orders. */
const STARTING_BALANCE = 10_000_000n;
export const DEMO_LIMITS: RiskLimitsInput = {
  maxOrderNotional: 10_000_000n, // 100,000.00 USD per order
  maxPositionQty: 50n, // 0.50 lot net, open orders' worst case included
  maxOpenOrders: 10,
  priceCollarBps: 200n,
  maxQuoteAgeMs: 15_000,
  maxSubmitsPerWindow: 60,
  submitWindowMs: 60_000,
  maxDailyLoss: 2_000_000n, // 20,000.00 USD
};

const once = (what: string, accountId: string) => uuidV5(`demo-desk/${what}/${accountId}`);

export async function openDemoDesk(service: TradingService): Promise<void> {
  for (const accountId of DEMO_ACCOUNTS) {
    await service.openAccount({ commandId: once('open', accountId), actor: DEMO_ACTOR }, { accountId, currency: 'USD', startingBalance: STARTING_BALANCE });
    // An account's first limits are part of opening it; any later change is a risk officer's, with a second
    // factor, so a restart leaves limits someone changed as they are.
    if ((await service.account(accountId))?.limitsVersion === 0) {
      await service.setRiskLimits({ commandId: once('limits-v1', accountId), actor: DEMO_ACTOR }, { accountId, limits: DEMO_LIMITS, reason: 'demo desk defaults' });
    }
  }
}

export interface DemoFlowOptions {
  readonly service: TradingService;
  readonly intervalMs: number;
  readonly onError: (error: unknown) => void;
  readonly qtySteps?: bigint;
}

/** Places one 0.10-lot IOC market order per account per interval, alternating buy and sell. */
export function startDemoOrderFlow(options: DemoFlowOptions): { stop(): Promise<void> } {
  let round = 0;
  let inFlight: Promise<unknown> = Promise.resolve();
  const runId = randomUUID().slice(0, 8);
  const placeRound = () => {
    const side = round % 2 === 0 ? 'buy' : 'sell';
    const n = round;
    round += 1;
    inFlight = Promise.all(DEMO_ACCOUNTS.map((accountId) => options.service.placeOrder(
      { commandId: randomUUID(), actor: DEMO_TRADER },
      { accountId, clientOrderId: `demo-${runId}-${n}`, symbol: 'XAUUSD', side, kind: 'market', timeInForce: 'IOC', qty: options.qtySteps ?? 10n },
    ))).catch(options.onError);
  };
  const timer = setInterval(placeRound, options.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}

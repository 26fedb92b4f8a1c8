// Tick appended -> signal -> risk-checked order decision, at 100 ticks/s offered, on PostgreSQL: the signal
// engine scores each tick with the shipped model and the auto-trader places orders through the trading
// service (full risk decision recorded on the account stream). Figure: p99 from the tick's append call to the
// order decision, over ticks whose signal changed the auto-trader's direction. Baseline: p99 of the bare tick
// append on the same store in the same run.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tickReceived, tickStreamId } from '../domain/market-data/index.ts';
import { createQuoteBook } from '../commands/market-data/quote-book.ts';
import { createTradingService } from '../commands/trading/index.ts';
import { AutoTrader } from '../commands/signals/auto-trader.ts';
import { DEMO_MODEL, ensureDemoModel } from '../commands/signals/demo-model.ts';
import { ModelRegistry } from '../commands/signals/registry.ts';
import { SignalEngine } from '../commands/signals/signal-engine.ts';
import { syntheticTicks } from '../commands/signals/synthetic-ticks.ts';
import { createMemoryKeyValueStore } from '../infra/cache/memory.ts';
import { PostgresEventStore } from '../infra/event-store/postgres.ts';
import { onnxRuntime } from '../infra/onnx/runtime.ts';
import { createPgClient } from '../infra/sql/pg-client.ts';
import { progress, report } from './report.ts';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quiet = { info: () => undefined, warn: () => undefined, error: (d: object, m: string) => progress(`error: ${m} ${JSON.stringify(d)}`) };
const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)] ?? Number.NaN;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function run(args: string[]): Promise<void> {
  const seconds = Number(args[0] ?? 20);
  const sql = createPgClient({ connectionString: DATABASE_URL, max: 16 });
  const schema = `bench_e2e_${Date.now().toString(36)}`;
  const store = await PostgresEventStore.create(sql, { schema });
  const keyValue = createMemoryKeyValueStore();
  const quotes = createQuoteBook(keyValue);
  let now = new Date('2026-01-05T00:00:00Z');
  const service = createTradingService({ eventStore: store, keyValue, quotes, clock: () => now });
  const officer = { commandId: randomUUID(), actor: { userId: 'risk-1', role: 'risk_officer' } };
  await service.openAccount({ commandId: randomUUID(), actor: { userId: 'desk', role: 'admin' } }, { accountId: 'AUTO', currency: 'USD', startingBalance: 100_000_000n });
  await service.setRiskLimits(officer, { accountId: 'AUTO', limits: { maxOrderNotional: 1_000_000_000n, maxPositionQty: 10_000n, maxOpenOrders: 1_000, priceCollarBps: 1_000n, maxQuoteAgeMs: 60_000, maxSubmitsPerWindow: 100_000, submitWindowMs: 1_000, maxDailyLoss: 1_000_000_000n } });
  const registry = new ModelRegistry({ eventStore: store, runtime: onnxRuntime, baseDir: root });
  await ensureDemoModel(registry);

  const appendedAt = new Map<string, number>();
  const decisions: number[] = [];
  const signalled: number[] = [];
  const trader = new AutoTrader({
    placer: service, accountId: 'AUTO', qty: 1n, model: DEMO_MODEL.name, logger: quiet,
    onDecision: (_outcome, signal) => { const t = appendedAt.get(signal.event.data.tick.eventId); if (t !== undefined) decisions.push(performance.now() - t); },
  });
  const engine = new SignalEngine({ eventStore: store, keyValue, registry, models: [DEMO_MODEL.name], logger: quiet, batchSize: 100, flushMs: 1, onSignals: (s) => {
    for (const signal of s) { const t = appendedAt.get(signal.event.data.tick.eventId); if (t !== undefined) signalled.push(performance.now() - t); }
    return trader.onSignals(s);
  } });
  await engine.start();

  const ticks = syntheticTicks({ seed: 5, ticks: 64 + seconds * 100 });
  const appends: number[] = [];
  const offer = async (i: number) => {
    const tick = ticks[i]!;
    const at = new Date(tick.timeMs);
    now = at;
    const event = tickReceived({ symbol: 'XAUUSD', source: 'bench', sequence: BigInt(i + 1), bid: tick.bid, ask: tick.ask, timestamp: at });
    const eventId = randomUUID();
    await quotes.update({ symbol: 'XAUUSD', bid: tick.bid, ask: tick.ask, mid: (tick.bid + tick.ask) / 2n, timestamp: at, source: 'bench', sequence: BigInt(i + 1) });
    const started = performance.now();
    appendedAt.set(eventId, started);
    await store.append(tickStreamId('XAUUSD', at), [{ eventId, type: event.type, data: event.data, occurredAt: at }], 'any');
    appends.push(performance.now() - started);
  };
  progress('e2e: filling the feature window');
  for (let i = 0; i < 64; i += 1) await offer(i);
  appends.length = 0;
  await sleep(500);
  decisions.length = 0;
  signalled.length = 0;
  progress(`e2e: offering 100 ticks/s for ${seconds} s`);
  const start = performance.now();
  for (let i = 64; i < ticks.length; i += 1) {
    const due = start + (i - 64) * 10;
    if (due > performance.now()) await sleep(due - performance.now());
    await offer(i);
  }
  await sleep(1_000);
  progress(`e2e: ${decisions.length} order decisions from ${ticks.length - 64} ticks`);
  report({ bench: 'e2e', figure: 'p99_at_100', value: p99(decisions), unit: 'ms', baseline: p99(appends), target: 'value <= 25 ms' }, false);
  report({ bench: 'e2e', figure: 'p99_tick_to_signal_at_100', value: p99(signalled), unit: 'ms', baseline: p99(appends), target: 'informational' }, false);
  await engine.stop();
  await store.close();
  await sql.exec(`drop schema if exists ${schema} cascade`);
  await sql.close();
}

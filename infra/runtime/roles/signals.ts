// Role `signals`: the signal engine on the configured event store, scoring with ONNX Runtime. In embedded
// mode it first registers and promotes the shipped demo model so `npm start` produces signals at once.
import { createQuoteBook } from '../../../commands/market-data/quote-book.ts';
import { createTradingService } from '../../../commands/trading/index.ts';
import { AutoTrader } from '../../../commands/signals/auto-trader.ts';
import { DEMO_MODEL, ensureDemoModel } from '../../../commands/signals/demo-model.ts';
import { ModelRegistry } from '../../../commands/signals/registry.ts';
import { SignalEngine } from '../../../commands/signals/signal-engine.ts';
import { onnxRuntime } from '../../onnx/runtime.ts';
import { repositoryRootAbove } from '../repository-root.ts';
import { registerRole } from '../roles.ts';

const repositoryRoot = repositoryRootAbove(import.meta.url);

registerRole('signals', async ({ config, logger, metrics, backends, accountStates }) => {
  const log = logger.child({ role: 'signals' });
  const registry = new ModelRegistry({ eventStore: backends.eventStore, runtime: onnxRuntime, baseDir: repositoryRoot, source: 'signals' });
  if (!config.databaseUrl && config.eventStore === 'pglite') {
    const demo = await ensureDemoModel(registry);
    log.info(demo, 'demo model registered');
  }
  // Off by default; when on, its own trading service instance decides orders with the same risk checks as the api's.
  const autoTrader = config.autoTrader.enabled
    ? new AutoTrader({
      placer: createTradingService({ eventStore: backends.eventStore, keyValue: backends.keyValue, quotes: createQuoteBook(backends.keyValue), source: 'auto-trader', cache: accountStates }),
      accountId: config.autoTrader.accountId!, qty: config.autoTrader.qty, model: DEMO_MODEL.name, logger: log.child({ component: 'auto-trader' }),
    })
    : undefined;
  const engine = new SignalEngine({
    eventStore: backends.eventStore,
    keyValue: backends.checkpoints,
    registry,
    models: [DEMO_MODEL.name],
    logger: log,
    ...(autoTrader ? { onSignals: (signals: Parameters<AutoTrader['onSignals']>[0]) => autoTrader.onSignals(signals) } : {}),
    onDriftReading: (model, version, reading) => {
      for (const { name, psi } of reading.features) metrics.modelFeatureDrift.set({ model, version: String(version), feature: name }, psi);
    },
  });
  await engine.start();
  return { stop: () => engine.stop() };
});

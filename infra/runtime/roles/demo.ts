// The demo desk rides with the api role when DEMO=on (embedded development mode by default).
import { createQuoteBook } from '../../../commands/market-data/quote-book.ts';
import { openDemoDesk, startDemoOrderFlow } from '../../../commands/demo/demo-desk.ts';
import { createTradingService } from '../../../commands/trading/index.ts';
import { registerRole } from '../roles.ts';

const ORDER_INTERVAL_MS = 5_000;

registerRole('api', async ({ config, logger, backends, accountStates }) => {
  if (!config.demo) return { async stop() {} };
  const log = logger.child({ process: 'demo-desk' });
  const service = createTradingService({ eventStore: backends.eventStore, keyValue: backends.keyValue, quotes: createQuoteBook(backends.keyValue), source: 'demo', cache: accountStates });
  await openDemoDesk(service);
  const flow = startDemoOrderFlow({ service, intervalMs: ORDER_INTERVAL_MS, onError: (error) => log.warn({ err: error }, 'demo order failed') });
  log.info({ accounts: ['DEMO-1', 'DEMO-2'], everyMs: ORDER_INTERVAL_MS }, 'demo desk open: small market orders through the risk engine');
  return { stop: () => flow.stop() };
});

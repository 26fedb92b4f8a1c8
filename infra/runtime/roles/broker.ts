// Role `broker`: the paper broker executes accepted orders and reports fills back as commands, and the
// emergency stop's sweep cancels working orders in a stopped scope. Both follow the log, so one broker
// process serves every api process.
import { createQuoteBook } from '../../../commands/market-data/quote-book.ts';
import { BrokerReactor, PaperBroker, StopSweep, createTradingService } from '../../../commands/trading/index.ts';
import { instrumentTradingService } from '../../metrics/instrument.ts';
import { registerRole } from '../roles.ts';

registerRole('broker', async ({ config, logger, metrics, backends, accountStates }) => {
  const log = logger.child({ role: 'broker' });
  const service = instrumentTradingService(createTradingService({
    eventStore: backends.eventStore,
    keyValue: backends.keyValue,
    quotes: createQuoteBook(backends.keyValue),
    source: 'broker',
    fillBandBps: config.fillBandBps,
    cache: accountStates,
  }), metrics);
  const sweep = new StopSweep({ eventStore: backends.eventStore, service, keyValue: backends.checkpoints, logger: log.child({ process: 'stop-sweep' }) });
  const reactor = new BrokerReactor({
    eventStore: backends.eventStore,
    keyValue: backends.checkpoints,
    service,
    logger: log.child({ process: 'paper-broker' }),
    broker: (controlsFor) => new PaperBroker({ slippagePriceUnits: config.brokerSlippageUnits, latencyMs: config.brokerLatencyMs, controlsFor }),
  });
  await sweep.start();
  await reactor.start();
  log.info({ slippageUnits: String(config.brokerSlippageUnits), latencyMs: config.brokerLatencyMs }, 'paper broker and stop sweep following the log');
  return {
    async stop() {
      await sweep.stop();
      await reactor.stop();
    },
  };
});

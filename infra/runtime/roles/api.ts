// Role `api`: the command HTTP API over a trading service built from the backends. The server itself
// (health, readiness, metrics, other roles' plugins) is assembled by startLedger.
import { commandApiPlugin } from '../../../commands/http/index.ts';
import { createQuoteBook } from '../../../commands/market-data/quote-book.ts';
import { createSecondFactor } from '../../../commands/mfa/index.ts';
import { createTradingService } from '../../../commands/trading/index.ts';
import { createTokenVerifier } from '../../auth/index.ts';
import { instrumentTradingService } from '../../metrics/instrument.ts';
import { registerRole } from '../roles.ts';

registerRole('api', async ({ config, logger, metrics, backends, accountStates }) => {
  // One instance checks codes for the trading service and serves enrolment: one cache of the users' streams.
  const secondFactor = createSecondFactor({ eventStore: backends.eventStore, secretKey: config.mfaSecretKey, previousSecretKeys: config.mfaPreviousSecretKeys, source: 'api' });
  const tradingService = instrumentTradingService(createTradingService({
    eventStore: backends.eventStore,
    keyValue: backends.keyValue,
    quotes: createQuoteBook(backends.keyValue),
    source: 'api',
    fillBandBps: config.fillBandBps,
    cache: accountStates,
    secondFactor,
  }), metrics);
  const plugin = commandApiPlugin({
    tradingService,
    secondFactor,
    keyValue: backends.keyValue,
    auth: { verifyToken: createTokenVerifier(config.jwt), rateLimitPerSecond: config.rateLimitPerSecond },
  });
  logger.info({ role: 'api', jwt: config.jwt.algorithm, rateLimitPerSecond: config.rateLimitPerSecond }, 'command API at /v1, OpenAPI at /docs');
  return { plugins: [plugin], async stop() { /* in-flight requests finish when the server closes; the service holds no resources */ } };
});

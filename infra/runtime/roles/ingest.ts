// The ingest role: ticks in, events out. With NATS_URL it reads the durable JetStream consumer on
// md.ticks.>; without it (embedded mode) the synthetic XAUUSD feed calls the ingester directly at
// FEED_RATE ticks/s. Either way it serves POST /v1/ticks through the api role's server.
import { isWithinTradingSession, XAUUSD_SPEC } from '../../../domain/market-data/index.ts';
import { ticksRoutes } from '../../../commands/market-data/http-ticks.ts';
import type { TickIngester } from '../../../commands/market-data/tick-ingester.ts';
import type { KeyValueStore } from '../../../domain/ports/key-value.ts';
import type { Config } from '../../config/config.ts';
import { authPlugin, createTokenVerifier, principalOf, requireRole } from '../../auth/index.ts';
import type { FastifyPluginAsync } from 'fastify';
import { openMarketData } from '../../../commands/market-data/market-data.ts';
import { startSyntheticFeed, type RunningFeed } from '../../../commands/market-data/synthetic-feed.ts';
import { isUnreadable, type TickOutcome, type TickSubmission } from '../../../commands/market-data/tick-ingester.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import type { JetStreamIntake } from '../jetstream-intake.ts';
import { registerRole } from '../roles.ts';

const countOutcomes = (metrics: Metrics) => (outcomes: readonly TickOutcome[], submissions: readonly TickSubmission[]) => {
  outcomes.forEach((outcome, i) => {
    const submission = submissions[i];
    const source = submission === undefined || isUnreadable(submission) ? 'unreadable' : String(submission.source).slice(0, 64);
    metrics.ticksIngested.inc({ source, outcome: outcome.reason ?? outcome.status });
  });
};

registerRole('ingest', async ({ config, logger, metrics, backends }) => {
  const log = logger.child({ role: 'ingest' });
  const { instruments, ingester } = await openMarketData({
    eventStore: backends.eventStore, keyValue: backends.keyValue, marketHours: config.marketHours, onOutcomes: countOutcomes(metrics),
  });
  instruments.follow((error) => log.error({ err: error }, 'instrument spec subscription failed'));
  let intake: JetStreamIntake | undefined;
  let feed: RunningFeed | undefined;
  try {
    if (config.natsUrl) {
      const { startJetStreamIntake } = await import('../jetstream-intake.ts'); // the NATS client only when it is used
      intake = await startJetStreamIntake({ natsUrl: config.natsUrl, ingester, metrics, log });
    } else if (config.feedRate > 0) {
      if (config.marketHours === 'enforce' && !isWithinTradingSession(XAUUSD_SPEC.tradingSession, new Date())) {
        log.warn('XAUUSD is outside its trading session: synthetic ticks will be rejected OUTSIDE_TRADING_HOURS (set MARKET_HOURS=always-open for a demo)');
      }
      feed = startSyntheticFeed({
        rate: config.feedRate, seed: 1,
        publish: async (ticks) => { await ingester.ingest(ticks); },
        onError: (error) => log.error({ err: error }, 'synthetic tick batch not recorded'),
      });
      log.info({ rate: config.feedRate }, 'synthetic XAUUSD feed running in process');
    }
  } catch (error) {
    await instruments.close();
    throw error;
  }
  return {
    plugins: [authenticatedTicksRoutes(ingester, config, backends.keyValue)],
    async stop() {
      await feed?.stop();
      await intake?.consumer.stop(); // stop pulling, finish and acknowledge what was received
      await intake?.nc.drain();
      await instruments.close();
    },
  };
});

/** POST /v1/ticks behind the same bearer tokens and rate limit as the command API: feeds (service) and admins only. */
function authenticatedTicksRoutes(ingester: TickIngester, config: Config, keyValue: KeyValueStore): FastifyPluginAsync {
  return async (app) => {
    await app.register(authPlugin, { verifyToken: createTokenVerifier(config.jwt), keyValue, rateLimitPerSecond: config.rateLimitPerSecond });
    await app.register(ticksRoutes({
      ingester,
      preHandler: async (request) => { requireRole(principalOf(request), ['service', 'admin'], 'send ticks'); },
    }));
  };
}

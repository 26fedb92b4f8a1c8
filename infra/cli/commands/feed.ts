// `nicegold feed --rate 50 --seed 1 [--seconds N]`: publishes the synthetic XAUUSD feed to NATS_URL on
// md.ticks.XAUUSD.synthetic, where the ingest role's JetStream consumer picks it up.
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { ValidationError } from '../../../domain/shared/errors.ts';
import { tickIdempotencyKey } from '../../../domain/market-data/index.ts';
import { startSyntheticFeed } from '../../../commands/market-data/synthetic-feed.ts';
import { loadConfig } from '../../config/config.ts';
import { ensureTickStream } from '../../nats/jetstream.ts';
import { encodeTickMessage, tickSubject } from '../../nats/tick-messages.ts';
import { flag, parseArgs } from '../args.ts';
import type { CliCommand } from '../commands.ts';

function positiveNumber(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new ValidationError('CLI.INVALID_FLAG', `--${name} must be a positive number`);
  return parsed;
}

export const command: CliCommand = {
  name: 'feed',
  summary: 'publish the seeded synthetic XAUUSD feed to NATS_URL (--rate ticks/s, --seed n, --seconds to stop)',
  async run(args) {
    const parsed = parseArgs(args);
    const rate = positiveNumber(flag(parsed, 'rate'), 20, 'rate');
    const seed = Math.trunc(positiveNumber(flag(parsed, 'seed'), 1, 'seed'));
    const seconds = flag(parsed, 'seconds') === undefined ? undefined : positiveNumber(flag(parsed, 'seconds'), 1, 'seconds');
    const config = loadConfig();
    if (!config.natsUrl) throw new ValidationError('CLI.NATS_REQUIRED', 'NATS_URL must be set: the feed publishes to JetStream');
    const nc = await connect({ servers: config.natsUrl, name: 'nicegold-feed' });
    await ensureTickStream(await jetstreamManager(nc));
    const js = jetstream(nc);
    const feed = startSyntheticFeed({
      rate, seed,
      publish: async (ticks) => {
        // The message id (Nats-Msg-Id) lets JetStream drop a publish the feed had to retry.
        await Promise.all(ticks.map((tick) =>
          js.publish(tickSubject(tick.symbol, tick.source), encodeTickMessage(tick), { msgID: tickIdempotencyKey(tick.symbol, tick.source, tick.sequence) })));
      },
      onError: (error) => process.stderr.write(`publish failed: ${(error as Error).message}\n`),
    });
    process.stderr.write(`publishing synthetic XAUUSD ticks at ${rate}/s (seed ${seed}) to ${config.natsUrl}; Ctrl-C stops\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
      if (seconds !== undefined) setTimeout(resolve, seconds * 1_000);
    });
    await feed.stop();
    await nc.drain();
    process.stderr.write(`published ${feed.published()} ticks\n`);
    return 0;
  },
};

// The live bus contract on the in-process adapter and on real NATS.
import { connectNatsLiveBus, createMemoryLiveBus } from '../../../infra/bus/index.ts';
import { TEST_NATS_URL, natsService, uniqueName } from '../../support/services.ts';
import { describe } from 'vitest';
import { liveBusContract } from './live-bus.contract.ts';

const nats = await natsService();

liveBusContract('in-process', async () => createMemoryLiveBus(), () => uniqueName('t'));

describe.skipIf(!nats.available)(`NATS live bus${nats.skipReason}`, () => {
  liveBusContract('NATS core', () => connectNatsLiveBus({ servers: TEST_NATS_URL }), () => uniqueName('t'));
});

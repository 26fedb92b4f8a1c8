import { describe } from 'vitest';
import { createMemoryKeyValueStore } from '../../../infra/cache/memory.ts';
import { createRedisKeyValueStore } from '../../../infra/cache/redis.ts';
import { describeKeyValueContract } from '../../contracts/key-value.contract.ts';
import { redisService, TEST_REDIS_URL } from '../../support/services.ts';

const redis = await redisService();

describeKeyValueContract('in-process', async () => createMemoryKeyValueStore());

describe.skipIf(!redis.available)(`Redis key-value store${redis.skipReason}`, () => {
  describeKeyValueContract('Redis', async () => createRedisKeyValueStore(TEST_REDIS_URL, { keyPrefix: 'ngtest:' }));
});

import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger/index.js';
import { testBaseConfig, testRedisConfig, testServices } from '../testing/index.js';
import { createPlatform } from './index.js';

describe('createPlatform', () => {
  it('applies REDIS_KEY_PREFIX to every key it writes', async () => {
    const { redisMode, mongoUri } = testServices();
    expect(redisMode, 'this test needs a real Redis').toBeTruthy();
    const base = testBaseConfig({ mongoUri });
    const logger = createLogger({ name: 'test', level: 'silent' });
    const prefix = `kp${Date.now()}:`;
    const services = createPlatform(
      { ...base, redis: { ...testRedisConfig(), commandTimeoutMs: 1000, keyPrefix: prefix } },
      logger,
    );
    const raw = createPlatform({ ...base, redis: { ...testRedisConfig(), commandTimeoutMs: 1000 } }, logger);
    try {
      await Promise.all([services.cache.waitUntilReady(3000), raw.cache.waitUntilReady(3000)]);
      await services.cache.client?.set('probe', 'x', 'EX', 30);
      expect(await raw.cache.client?.get(`${prefix}probe`)).toBe('x');
      expect(await raw.cache.client?.get('probe')).toBeNull();
      await raw.cache.client?.del(`${prefix}probe`);
    } finally {
      await Promise.all([services.close(), raw.close()]);
    }
  });
});

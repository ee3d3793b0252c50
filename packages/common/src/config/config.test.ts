import { describe, expect, it } from 'vitest';
import { ConfigError, baseEnvShape, baseProductionRequired, loadConfig, mapBaseEnv } from './index.js';

const good = {
  MONGODB_URI: 'mongodb://127.0.0.1:27017/x',
  JWT_SECRET: 'x'.repeat(32),
  ENCRYPTION_KEY: 'a'.repeat(64),
};

describe('loadConfig', () => {
  it('maps a valid environment into a frozen nested config with defaults', () => {
    const config = loadConfig(baseEnvShape, good, mapBaseEnv);
    expect(config.mongodb.uri).toBe(good.MONGODB_URI);
    expect(config.redis.url).toBeNull();
    expect(config.http.bodyLimit).toBe('1mb');
    expect(Object.isFrozen(config.mongodb)).toBe(true);
  });

  it('names every bad variable at once and never prints values', () => {
    let error: unknown;
    try {
      loadConfig(
        baseEnvShape,
        { MONGODB_URI: 'postgres://secret-host', JWT_SECRET: 'short-secret-value', LOG_LEVEL: 'loud' },
        mapBaseEnv,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['MONGODB_URI', 'JWT_SECRET', 'ENCRYPTION_KEY', 'LOG_LEVEL']) expect(message).toContain(name);
    expect(message).not.toContain('secret-host');
    expect(message).not.toContain('short-secret-value');
  });

  it('requires production-only variables when NODE_ENV=production', () => {
    expect(() => loadConfig(baseEnvShape, { ...good, NODE_ENV: 'production' }, mapBaseEnv, baseProductionRequired)).toThrow(
      /REDIS_URL: is required in production/,
    );
  });

  it('keeps Redis keys of deployments apart with REDIS_KEY_PREFIX and refuses odd prefixes', () => {
    expect(loadConfig(baseEnvShape, { ...good, REDIS_KEY_PREFIX: 'staging:' }, mapBaseEnv).redis.keyPrefix).toBe('staging:');
    expect(() => loadConfig(baseEnvShape, { ...good, REDIS_KEY_PREFIX: 'has space' }, mapBaseEnv)).toThrow(/REDIS_KEY_PREFIX/);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, baseEnvShape, baseProductionRequired, loadConfig, mapBaseEnv, parseHostList } from './index.js';

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

describe('Redis deployments', () => {
  const load = (env: Record<string, string>) => loadConfig(baseEnvShape, { ...good, ...env }, mapBaseEnv, baseProductionRequired);
  const problems = (env: Record<string, string>) => {
    try {
      load(env);
    } catch (err) {
      return (err as ConfigError).problems;
    }
    return [];
  };

  it('maps Sentinel and Cluster variables', () => {
    const sentinel = load({
      REDIS_SENTINELS: ' s1:26379, [::1]:26380 ',
      REDIS_SENTINEL_NAME: 'mymaster',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
      REDIS_PASSWORD: 'data-secret',
    }).redis;
    expect(sentinel).toMatchObject({
      url: null,
      sentinel: { sentinels: 's1:26379,[::1]:26380', name: 'mymaster', password: 'sentinel-secret' },
      cluster: null,
      password: 'data-secret',
      tls: false,
    });
    const cluster = load({ REDIS_CLUSTER_NODES: 'n1:7000,n2:7001', REDIS_USERNAME: 'app', REDIS_TLS: 'true' }).redis;
    expect(cluster).toMatchObject({
      url: null,
      sentinel: null,
      cluster: { nodes: 'n1:7000,n2:7001' },
      username: 'app',
      tls: true,
    });
    expect(parseHostList('a:1,[fe80::1]:6379')).toEqual([
      { host: 'a', port: 1 },
      { host: 'fe80::1', port: 6379 },
    ]);
  });

  it('accepts any one deployment in production', () => {
    const prod = { NODE_ENV: 'production', PUBLIC_API_URL: 'https://api.example.com', DASHBOARD_URL: 'https://app.example.com' };
    expect(problems({ ...prod, REDIS_URL: 'redis://r:6379' })).toEqual([]);
    expect(problems({ ...prod, REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm' })).toEqual([]);
    expect(problems({ ...prod, REDIS_CLUSTER_NODES: 'n:7000' })).toEqual([]);
    expect(problems(prod)).toEqual(['REDIS_URL: is required in production (or REDIS_SENTINELS, or REDIS_CLUSTER_NODES)']);
  });

  it('refuses wrong combinations, naming the variables', () => {
    expect(problems({ REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'n:7000' })[0]).toMatch(
      /^REDIS_URL, REDIS_CLUSTER_NODES: set exactly one Redis deployment/,
    );
    expect(problems({ REDIS_SENTINELS: 's:26379', REDIS_CLUSTER_NODES: 'n:7000', REDIS_SENTINEL_NAME: 'm' })[0]).toMatch(
      /^REDIS_SENTINELS, REDIS_CLUSTER_NODES: set exactly one/,
    );
    expect(problems({ REDIS_SENTINELS: 's:26379' })).toEqual([
      'REDIS_SENTINEL_NAME: is required with REDIS_SENTINELS (the master name the sentinels monitor)',
    ]);
    expect(problems({ REDIS_SENTINEL_NAME: 'm' })).toEqual([
      'REDIS_SENTINELS: is required with REDIS_SENTINEL_NAME (comma list of sentinel host:port)',
    ]);
    expect(problems({ REDIS_URL: 'redis://r:6379', REDIS_SENTINEL_PASSWORD: 'x' })).toEqual([
      'REDIS_SENTINEL_PASSWORD: only applies with REDIS_SENTINELS',
    ]);
    expect(problems({ REDIS_URL: 'redis://r:6379', REDIS_PASSWORD: 'x', REDIS_TLS: 'true' }).join('\n')).toMatch(
      /REDIS_PASSWORD: only applies with REDIS_SENTINELS or REDIS_CLUSTER_NODES[\s\S]*REDIS_TLS: only applies/,
    );
    expect(problems({ REDIS_URL: 'redis://r:6379', REDIS_TLS: 'false' })).toEqual([]);
  });

  it('refuses malformed host lists and a key prefix with braces, without printing values', () => {
    const found = problems({ REDIS_CLUSTER_NODES: 'n1:7000,secret-host', REDIS_SENTINELS: 'x:99999', REDIS_SENTINEL_NAME: 'm' });
    expect(found.join('\n')).toMatch(/REDIS_CLUSTER_NODES: must be a comma list of host:port/);
    expect(found.join('\n')).toMatch(/REDIS_SENTINELS: must be a comma list of host:port/);
    expect(found.join('\n')).not.toContain('secret-host');
    expect(problems({ REDIS_KEY_PREFIX: '{staging}:' })[0]).toMatch(/^REDIS_KEY_PREFIX: .*no braces/);
  });
});

import { describe, expect, it } from 'vitest';
import { createRedisClient, describeRedis, hashTaggedPrefix, redisMode } from './connection.js';

describe('Redis connection config', () => {
  it('selects the mode from the one deployment configured', () => {
    expect(redisMode({ url: null })).toBeNull();
    expect(redisMode({ url: 'redis://r:6379' })).toBe('single');
    expect(redisMode({ url: null, sentinel: { sentinels: 's:26379', name: 'm' } })).toBe('sentinel');
    expect(redisMode({ url: null, cluster: { nodes: 'n:7000' } })).toBe('cluster');
  });

  it('describes the target for logs without credentials', () => {
    expect(describeRedis({ url: 'redis://:hunter2@r:6379/0' })).not.toContain('hunter2');
    expect(describeRedis({ url: null, sentinel: { sentinels: 's1:26379,s2:26379', name: 'm', password: 'x' } })).toBe(
      'sentinel master "m" via s1:26379,s2:26379',
    );
    expect(describeRedis({ url: null, cluster: { nodes: 'n1:7000' }, password: 'hunter2' })).toBe('cluster n1:7000');
  });

  it('hash-tags the last part of BullMQ prefixes, keeping the key prefix in front', () => {
    expect(hashTaggedPrefix('bull')).toBe('{bull}');
    expect(hashTaggedPrefix('staging:bull')).toBe('staging:{bull}');
    expect(hashTaggedPrefix('t_file_ab12:bull3')).toBe('t_file_ab12:{bull3}');
    expect(hashTaggedPrefix('{custom}')).toBe('{custom}');
    expect(hashTaggedPrefix('odd:')).toBe('{odd:}');
  });

  it('refuses a malformed host list when building a client', () => {
    const options = { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true };
    expect(() => createRedisClient({ url: null, cluster: { nodes: 'nope' } }, options)).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => createRedisClient({ url: null }, options)).toThrow(/no Redis configured/);
  });
});

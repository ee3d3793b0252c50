import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import type { RedisConnectionConfig } from '../config/index.js';
import { type RedisHost, parseHostList } from '../config/index.js';
import { redactUri } from '../logger/index.js';

export type { Cluster } from 'ioredis';

/** A Redis client of any deployment: one node or Sentinel (`Redis`), or Redis Cluster (`Cluster`). */
export type RedisClient = Redis | Cluster;

/** How the servers run: one node (`REDIS_URL`), Sentinel (`REDIS_SENTINELS`) or Cluster (`REDIS_CLUSTER_NODES`). */
export type RedisMode = 'single' | 'sentinel' | 'cluster';

export type { RedisHost } from '../config/index.js';

export type { RedisConnectionConfig } from '../config/index.js';

/** The mode `config` selects, or null when it names no Redis. */
export function redisMode(config: RedisConnectionConfig): RedisMode | null {
  if (config.cluster?.nodes) return 'cluster';
  if (config.sentinel?.sentinels) return 'sentinel';
  return config.url ? 'single' : null;
}

function hosts(list: string, variable: string): RedisHost[] {
  const parsed = parseHostList(list);
  if (!parsed) throw new Error(`${variable}: must be a comma list of host:port`);
  return parsed;
}

/** A log-safe description of the target (no credentials). */
export function describeRedis(config: RedisConnectionConfig): string {
  switch (redisMode(config)) {
    case 'cluster':
      return `cluster ${config.cluster?.nodes}`;
    case 'sentinel':
      return `sentinel master "${config.sentinel?.name}" via ${config.sentinel?.sentinels}`;
    case 'single':
      return redactUri(config.url ?? '');
    default:
      return 'none';
  }
}

/** Reconnect forever with a capped backoff, so a process recovers from an outage without a restart. */
export const reconnectDelay = (times: number): number => Math.min(times * 200, 2000);

export interface RedisClientOptions {
  /** Bound on every command (ioredis `commandTimeout`); none when absent (blocking clients). */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Prepended by ioredis to every key (never to channels). */
  keyPrefix?: string;
  /** 1 for fail-fast clients; null for blocking clients (BullMQ workers require it). */
  maxRetriesPerRequest: number | null;
  /** false: commands sent while disconnected fail at once instead of waiting. */
  enableOfflineQueue: boolean;
  lazyConnect?: boolean;
}

/**
 * Builds the client of `config`'s mode: `new Redis(url)`, `new Redis({sentinels, name})` or
 * `new Redis.Cluster(nodes)`, with the same timeouts, retry and prefix behaviour in each. Throws
 * when `config` names no Redis.
 */
export function createRedisClient(config: RedisConnectionConfig, options: RedisClientOptions): RedisClient {
  const mode = redisMode(config);
  const credentials: RedisOptions = {
    ...(config.username ? { username: config.username } : {}),
    ...(config.password ? { password: config.password } : {}),
    ...(config.tls ? { tls: {} } : {}),
  };
  const perNode: RedisOptions = {
    ...(options.commandTimeoutMs ? { commandTimeout: options.commandTimeoutMs } : {}),
    connectTimeout: options.connectTimeoutMs ?? 2000,
    maxRetriesPerRequest: options.maxRetriesPerRequest,
  };
  if (mode === 'cluster') {
    const clusterOptions: ClusterOptions = {
      keyPrefix: options.keyPrefix ?? '',
      enableOfflineQueue: options.enableOfflineQueue,
      lazyConnect: options.lazyConnect ?? false,
      clusterRetryStrategy: reconnectDelay,
      slotsRefreshTimeout: Math.max(options.commandTimeoutMs ?? 1000, 1000),
      redisOptions: { ...perNode, ...credentials },
      // With TLS the certificates name the configured hosts: keep them instead of resolved IPs.
      ...(config.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    };
    return new Cluster(hosts(config.cluster?.nodes ?? '', 'REDIS_CLUSTER_NODES'), clusterOptions);
  }
  const common: RedisOptions = {
    ...perNode,
    keyPrefix: options.keyPrefix ?? '',
    enableOfflineQueue: options.enableOfflineQueue,
    lazyConnect: options.lazyConnect ?? false,
    retryStrategy: reconnectDelay,
  };
  if (mode === 'sentinel') {
    const sentinel = config.sentinel as NonNullable<RedisConnectionConfig['sentinel']>;
    return new Redis({
      ...common,
      ...credentials,
      sentinels: hosts(sentinel.sentinels, 'REDIS_SENTINELS'),
      name: sentinel.name,
      ...(sentinel.password ? { sentinelPassword: sentinel.password } : {}),
      ...(config.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
      sentinelRetryStrategy: reconnectDelay,
      // Follow a failover as soon as the sentinels announce it, not only when the old primary drops us.
      failoverDetector: true,
      // A demoted primary answers READONLY: reconnect, which asks the sentinels for the new one.
      reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
    });
  }
  if (mode === 'single') return new Redis(config.url as string, common);
  throw new Error('createRedisClient: no Redis configured (REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES)');
}

/**
 * A BullMQ prefix that keeps every key of a queue in one Redis Cluster slot, BullMQ's scripts
 * touching several of them at once: its last `:`-separated part becomes a hash tag (`bull` →
 * `{bull}`, `staging:bull` → `staging:{bull}`), unless it already holds one. The key prefix stays a
 * prefix of every key, and the layout is the same in every mode.
 */
export function hashTaggedPrefix(prefix: string): string {
  if (/\{[^{}]+\}/.test(prefix)) return prefix;
  const cut = prefix.lastIndexOf(':');
  if (cut < 0 || cut === prefix.length - 1) return `{${prefix}}`;
  return `${prefix.slice(0, cut + 1)}{${prefix.slice(cut + 1)}}`;
}

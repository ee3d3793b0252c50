import { randomBytes } from 'node:crypto';
import { Cluster, type Redis } from 'ioredis';
import type { Logger } from '../logger/index.js';
import {
  type RedisClient,
  type RedisConnectionConfig,
  type RedisMode,
  createRedisClient,
  describeRedis,
  redisMode,
} from './connection.js';

export type { Redis } from 'ioredis';

export type RedisStatus = 'connected' | 'disconnected' | 'disabled';

/**
 * The Redis servers contradict the configuration (e.g. `REDIS_URL` names a node of a Redis
 * Cluster). Thrown by `Cache.assertDeployment`; the process must not start.
 */
export class RedisDeploymentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisDeploymentError';
  }
}

/**
 * Redis access with bounded latency. `client` is null in single-process mode (no Redis in
 * development); callers then fall back to per-process behaviour. When Redis is down, every
 * command rejects within `commandTimeoutMs` (no offline queue), so nothing hangs on it.
 */
export interface RedisConnection {
  /** One node or Sentinel: `Redis`; Redis Cluster: `Cluster`. Both have the same command methods. */
  readonly client: RedisClient | null;
  /** `single`, `sentinel` or `cluster`; null without Redis. */
  readonly mode: RedisMode | null;
  /** Key prefix applied to every command (per test file, or empty). */
  readonly prefix: string;
  /** True when a client exists and is connected right now. */
  isReady(): boolean;
  /**
   * `connected` when a write and a read of a health key both succeed within `timeoutMs` (so a
   * server that answers PING but refuses commands, e.g. a read-only replica or a cluster that
   * lost a slot range, is `disconnected`); `disabled` without Redis. Never throws.
   */
  status(timeoutMs?: number): Promise<RedisStatus>;
  /** A second connection (same options) for blocking or subscriber use; null when disabled. The caller closes it. */
  duplicate(): RedisClient | null;
  /** Waits up to `timeoutMs` for the first connection; resolves either way. */
  waitUntilReady(timeoutMs: number): Promise<boolean>;
  /**
   * Start-up check, called by each app's `main.ts` before it listens: waits up to `timeoutMs` for
   * Redis, then throws `RedisDeploymentError` when the servers contradict the configuration
   * (`REDIS_URL` pointing at a Redis Cluster node; `REDIS_CLUSTER_NODES` pointing at servers
   * without cluster mode). Resolves when they match, without Redis, or when Redis did not answer
   * in time (the process starts degraded; a mismatch found later is logged and `status()` reports
   * `disconnected`).
   */
  assertDeployment(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface RedisConnectionOptions extends RedisConnectionConfig {
  commandTimeoutMs: number;
  keyPrefix?: string;
  logger: Logger;
}

const HEALTH_TTL_MS = 60_000;

function clusterHint(evidence: string): string {
  const fix = 'set REDIS_CLUSTER_NODES to the cluster nodes (comma list of host:port) and unset REDIS_URL';
  return `REDIS_URL points at a Redis Cluster node (${evidence}). A single-node client cannot follow its slot redirections: ${fix}.`;
}

/** Creates the Redis client (connecting in the background) or a disabled cache when no Redis is configured. */
export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const prefix = options.keyPrefix ?? '';
  const { logger } = options;
  if (/[{}]/.test(prefix)) {
    // ioredis prepends the prefix to every key: a hash tag in it would put every key in one slot.
    throw new Error('Redis key prefix must not contain { or }: it would override the hash tags of every key');
  }
  const mode = redisMode(options);
  if (!mode) {
    return {
      client: null,
      mode: null,
      prefix,
      isReady: () => false,
      status: async () => 'disabled',
      duplicate: () => null,
      waitUntilReady: async () => false,
      assertDeployment: async () => undefined,
      close: async () => undefined,
    };
  }
  const client = createRedisClient(options, {
    keyPrefix: prefix,
    commandTimeoutMs: options.commandTimeoutMs,
    connectTimeoutMs: Math.max(options.commandTimeoutMs, 2000),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  const target = describeRedis(options);
  const healthKey = `urbackend:health:${randomBytes(6).toString('hex')}`;
  let wasReady = false;
  let warned = false;
  /** Set when the servers contradict the configuration; cleared when a later check finds them right. */
  let deploymentError: RedisDeploymentError | null = null;
  let deploymentCheck: Promise<void> = Promise.resolve();
  const deploymentWaiters = new Set<() => void>();

  function flagDeployment(message: string): void {
    if (!deploymentError) logger.error({ target }, message);
    deploymentError = new RedisDeploymentError(message);
    for (const wake of deploymentWaiters) wake();
  }

  /** One node: a server with cluster mode enabled answers MOVED for most keys; refuse it. */
  async function checkSingleNode(): Promise<void> {
    try {
      const info = await (client as Redis).info('cluster');
      if (/^cluster_enabled:1\b/m.test(info)) flagDeployment(clusterHint('INFO cluster shows cluster_enabled:1'));
      else deploymentError = null;
    } catch {
      // Not answering: the next connection checks again.
    }
  }

  client.on('ready', () => {
    wasReady = true;
    warned = false;
    logger.info({ target, mode }, 'Redis connected');
    if (mode === 'single') deploymentCheck = checkSingleNode();
  });
  client.on('error', (err: Error & { lastNodeError?: Error }) => {
    const detail = err.lastNodeError?.message ?? err.message;
    if (mode === 'cluster' && /cluster support disabled/i.test(detail)) {
      flagDeployment(
        'REDIS_CLUSTER_NODES points at Redis servers without cluster mode: use REDIS_URL (one node) or ' +
          'REDIS_SENTINELS + REDIS_SENTINEL_NAME (Sentinel) instead.',
      );
    }
    if (!warned) logger.warn({ err: { message: detail } }, 'Redis unavailable; degraded until it returns');
    warned = true;
  });
  client.on('end', () => {
    if (wasReady) logger.info('Redis connection closed');
  });
  client.connect().catch(() => undefined);

  let probe: Promise<RedisStatus> | null = null;
  /** SET then GET of this process's health key: proves commands work, not only the socket. */
  async function roundTrip(): Promise<RedisStatus> {
    const token = randomBytes(6).toString('hex');
    try {
      await client.set(healthKey, token, 'PX', HEALTH_TTL_MS);
      return (await client.get(healthKey)) === token ? 'connected' : 'disconnected';
    } catch (err) {
      const message = (err as Error).message;
      if (mode === 'single' && /^(MOVED|ASK) /.test(message)) flagDeployment(clusterHint(`a command failed with ${message}`));
      return 'disconnected';
    }
  }

  function waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (client.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        client.off('ready', onReady);
        resolve(false);
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      client.once('ready', onReady);
    });
  }

  return {
    client,
    mode,
    prefix,
    isReady: () => client.status === 'ready',
    async status(timeoutMs = 500) {
      if (client.status !== 'ready' || deploymentError) return 'disconnected';
      // Concurrent callers (health checks) share one round trip.
      probe ??= roundTrip().finally(() => {
        probe = null;
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'disconnected'>((resolve) => {
        timer = setTimeout(() => resolve('disconnected'), timeoutMs);
      });
      try {
        const result = await Promise.race([probe, timeout]);
        return deploymentError ? 'disconnected' : result;
      } finally {
        clearTimeout(timer);
      }
    },
    duplicate: () =>
      client instanceof Cluster ? client.duplicate([], { lazyConnect: false }) : client.duplicate({ lazyConnect: false }),
    waitUntilReady,
    async assertDeployment(timeoutMs = 5000) {
      if (deploymentError) throw deploymentError;
      let wake: () => void = () => undefined;
      const flagged = new Promise<false>((resolve) => {
        wake = () => resolve(false);
        deploymentWaiters.add(wake);
      });
      try {
        const ready = await Promise.race([waitUntilReady(timeoutMs), flagged]);
        if (ready) await deploymentCheck;
      } finally {
        deploymentWaiters.delete(wake);
      }
      if (deploymentError) throw deploymentError;
      if (client.status !== 'ready') {
        logger.warn(
          { target, timeoutMs },
          'Redis did not answer at start-up: starting degraded; its deployment is checked when it connects',
        );
      }
    },
    async close() {
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}

import { type ClientRateLimitInfo, MemoryStore, type Options, type Store } from 'express-rate-limit';
import { Cluster } from 'ioredis';
import { type RedisReply, RedisStore } from 'rate-limit-redis';
import type { RedisConnection } from '../cache/index.js';
import type { Logger } from '../logger/index.js';

/**
 * Runs one rate-limit-redis command on a Redis Cluster. `EVALSHA`, `DECR` and `DEL` go through
 * `cluster.call`, which routes by the key (the script's only key, prefixed like every key). A
 * script is loaded on every primary, because the node owning a key is only known per key and
 * changes with failovers and resharding (`NOSCRIPT` then makes rate-limit-redis load it again).
 */
async function sendToCluster(cluster: Cluster, command: string[]): Promise<RedisReply> {
  const [name = '', ...args] = command;
  if (name.toUpperCase() === 'SCRIPT' && args[0]?.toUpperCase() === 'LOAD') {
    const results = await Promise.allSettled(cluster.nodes('master').map((node) => node.call(name, ...args)));
    const loaded = results.find((r): r is PromiseFulfilledResult<unknown> => r.status === 'fulfilled');
    if (!loaded) throw (results[0] as PromiseRejectedResult | undefined)?.reason ?? new Error('no Redis Cluster primary');
    return loaded.value as RedisReply;
  }
  return (await cluster.call(name, ...args)) as RedisReply;
}

/**
 * An express-rate-limit store that counts in Redis (rate-limit-redis) while Redis answers and
 * in this process's memory while it does not. Redis trouble never fails a request; the Redis
 * store is (re)initialised lazily, so the limiter recovers when Redis returns.
 */
export class FallbackStore implements Store {
  readonly prefix: string;
  private readonly memory = new MemoryStore();
  private redis: RedisStore | null = null;
  private redisInit: Promise<RedisStore | null> | null = null;
  private options: Options | null = null;
  private degraded = false;

  constructor(
    private readonly cache: RedisConnection,
    name: string,
    private readonly logger?: Logger,
  ) {
    this.prefix = `rl:${name}:`;
  }

  init(options: Options): void {
    this.options = options;
    this.memory.init(options);
  }

  private async redisStore(): Promise<RedisStore | null> {
    const client = this.cache.client;
    if (!client || !this.cache.isReady() || !this.options) return null;
    if (this.redis) return this.redis;
    this.redisInit ??= (async () => {
      const store =
        client instanceof Cluster
          ? new RedisStore({ prefix: this.prefix, sendCommandCluster: ({ command }) => sendToCluster(client, command) })
          : new RedisStore({
              prefix: this.prefix,
              sendCommand: (command: string, ...args: string[]) => client.call(command, ...args) as never,
            });
      try {
        await store.init(this.options as Options);
        this.redis = store;
        return store;
      } catch {
        return null;
      } finally {
        this.redisInit = null;
      }
    })();
    return this.redisInit;
  }

  /** Runs `op` on Redis when possible, else (or on any Redis error) on the memory store. */
  private async run<T>(op: (store: Store) => Promise<T> | T): Promise<T> {
    const store = await this.redisStore();
    if (store) {
      try {
        const result = await op(store);
        if (this.degraded) this.logger?.info({ limiter: this.prefix }, 'rate limiter back on Redis');
        this.degraded = false;
        return result;
      } catch (err) {
        if (!this.degraded) {
          this.logger?.warn(
            { err: { message: (err as Error).message }, limiter: this.prefix },
            'rate limiter using per-process counts',
          );
        }
        this.degraded = true;
      }
    }
    return op(this.memory);
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    return this.run((s) => s.get?.(key));
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    return this.run((s) => s.increment(key));
  }

  async decrement(key: string): Promise<void> {
    await this.run((s) => s.decrement(key));
  }

  async resetKey(key: string): Promise<void> {
    await Promise.allSettled([this.memory.resetKey(key), this.run((s) => s.resetKey(key))]);
  }

  shutdown(): void {
    this.memory.shutdown();
  }
}

import type { RedisClient } from './connection.js';

/** A Lua script run by its SHA (`EVALSHA`), as `run(client, keys, args)`. */
export type RedisScript = (client: RedisClient, keys: string[], args: (string | number)[]) => Promise<unknown>;

/**
 * Defines a Lua script once per client object (ioredis `defineCommand`): every call sends
 * `EVALSHA` with the script's SHA, not its text, and falls back to `EVAL` when the server lost its
 * script cache (a restart, a failover). A reconnect keeps the client object, so the definition
 * stays. Keys of one call must share a Redis Cluster slot (a hash tag). A negative
 * `numberOfKeys` takes any number of keys (the call's `keys`).
 */
export function defineRedisScript(name: string, numberOfKeys: number, lua: string): RedisScript {
  const defined = new WeakSet<object>();
  const variadic = numberOfKeys < 0;
  return (client, keys, args) => {
    if (!variadic && keys.length !== numberOfKeys) throw new Error(`${name}: expects ${numberOfKeys} keys`);
    if (!defined.has(client)) {
      client.defineCommand(name, variadic ? { lua } : { numberOfKeys, lua });
      defined.add(client);
    }
    const run = (client as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>)[name];
    const head = variadic ? [keys.length, ...keys] : keys;
    return (run as (...a: (string | number)[]) => Promise<unknown>).call(client, ...head, ...args);
  };
}

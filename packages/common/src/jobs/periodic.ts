import type { RedisConnection } from '../cache/index.js';
import type { Logger } from '../logger/index.js';

/** A task every process schedules, run by one process at a time across the deployment. */
export interface PeriodicTask {
  /** Runs the task now if no other process holds its lock; resolves with the task's result, or null when skipped. */
  runOnce(): Promise<number | null>;
  /** Runs it every `intervalMs` in this process (timer unref'd); returns the stopper. */
  start(intervalMs: number): () => void;
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end return 1`;

/**
 * A periodic maintenance task (usage reconciliation, expired-upload cleanup) guarded by a Redis
 * lock (`SET NX PX`, released only by its holder), so N processes can all schedule it and it runs
 * once per round. Without Redis (single process) it simply runs. Errors are logged, never thrown
 * from the timer.
 */
export function createPeriodicTask(options: {
  name: string;
  cache: RedisConnection;
  logger: Logger;
  /** Longest a run may hold the lock (a crashed holder frees it after this). */
  lockMs: number;
  run(): Promise<number>;
}): PeriodicTask {
  const { cache, logger, name } = options;
  const lockKey = `task:${name}:lock`;
  async function runOnce(): Promise<number | null> {
    const token = `${process.pid}:${Math.random()}`;
    if (cache.client && (await cache.client.set(lockKey, token, 'PX', options.lockMs, 'NX')) !== 'OK') return null;
    try {
      return await options.run();
    } finally {
      await cache.client?.eval(RELEASE, 1, lockKey, token).catch(() => undefined);
    }
  }
  return {
    runOnce,
    start(intervalMs) {
      const timer = setInterval(() => {
        runOnce().catch((err: Error) => logger.warn({ err: { message: err.message }, task: name }, 'periodic task failed'));
      }, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

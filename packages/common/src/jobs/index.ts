import { type Job, Queue, Worker } from 'bullmq';
import {
  type RedisClient,
  type RedisConnectionConfig,
  createRedisClient,
  hashTaggedPrefix,
  redisMode,
} from '../cache/connection.js';
import type { Logger } from '../logger/index.js';

/** Handles one job. Throwing means "infrastructure failure": the job is retried a few times. */
export type JobHandler<T> = (data: T) => Promise<void>;

export interface JobQueueOptions<T> {
  /** Queue name, e.g. `webhook-delivery-queue`. */
  name: string;
  /** Where Redis is (one node, Sentinel or Cluster: `config.redis`); null or absent → `redisUrl`. */
  redis?: RedisConnectionConfig | null;
  /** One-node shorthand for `redis: { url }`. Neither set → in-process mode (single-process development). */
  redisUrl?: string | null;
  /**
   * BullMQ key prefix (keeps test files apart); default `bull`. Its last part becomes a hash tag
   * (`x:bull` → `x:{bull}`, see `hashTaggedPrefix`) unless it has one, so each queue's keys share
   * one Redis Cluster slot (BullMQ's scripts need it).
   */
  prefix?: string;
  logger: Logger;
  handler: JobHandler<T>;
  /** Jobs run at once by this process's worker. Default 5. */
  concurrency?: number;
}

/**
 * A durable job queue: BullMQ on Redis (jobs survive restarts, any process can work them), or
 * in-process timers when there is no Redis. Domain retry schedules are built by handlers
 * calling `add(next, delayMs)`, so they behave the same in both modes.
 */
export interface JobQueue<T> {
  readonly mode: 'redis' | 'in-process';
  /**
   * Enqueues `data` to run after `delayMs`. Never throws: when Redis refuses the job it runs in
   * this process instead (logged), so a Redis outage delays nothing that was accepted.
   */
  add(data: T, delayMs?: number): Promise<void>;
  /** Starts this process's worker (Redis mode; in-process jobs always run here). Idempotent. */
  startWorker(): void;
  /** Stops the worker and timers and closes connections. */
  close(): Promise<void>;
}

const ADD_TIMEOUT_MS = 2000;

/**
 * Crash recovery (BullMQ stalled jobs). A worker holds a lock on each job it runs for
 * `JOB_LOCK_MS`, renewed every half of that while its process lives. When the process dies
 * mid-job the lock lapses (≤ 4 s after the crash); every live worker runs the stalled check when
 * it starts and then every `JOB_STALLED_CHECK_MS` (at most one check per queue per interval
 * across processes): a check marks the active jobs, and the next one moves a marked job whose
 * lock is gone back to waiting. So a job interrupted by a crash runs again at most about 6 s
 * after a worker (re)starts (first check ≤ 2 s, lock gone ≤ 4 s, a marking check then a moving
 * one), well under 10 s. Handlers must tolerate such a re-run (the webhook dispatcher records an
 * attempt before making it, so a re-run never repeats an attempt). A job interrupted more than
 * `JOB_MAX_STALLED` times fails.
 */
export const JOB_LOCK_MS = 4000;
export const JOB_STALLED_CHECK_MS = 2000;
export const JOB_MAX_STALLED = 10;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Creates a job queue (connections open lazily; no worker until `startWorker`). */
export function createJobQueue<T extends object>(options: JobQueueOptions<T>): JobQueue<T> {
  const { logger, name } = options;
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  function runLocally(data: T, delayMs: number): void {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      options
        .handler(data)
        .catch((err: Error) => logger.error({ queue: name, err: { message: err.message } }, 'in-process job failed'));
    }, delayMs);
    timer.unref();
    timers.add(timer);
  }

  const closeTimers = () => {
    closed = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };

  const connection: RedisConnectionConfig | null = options.redis ?? (options.redisUrl ? { url: options.redisUrl } : null);
  if (!connection || !redisMode(connection)) {
    logger.warn({ queue: name }, 'no Redis: jobs run IN-PROCESS (not durable across restarts; single-process mode)');
    return {
      mode: 'in-process',
      add: async (data, delayMs = 0) => runLocally(data, delayMs),
      startWorker: () => undefined,
      close: async () => closeTimers(),
    };
  }

  const target: RedisConnectionConfig = connection;
  const prefix = hashTaggedPrefix(options.prefix ?? 'bull');
  let producer: RedisClient | null = null;
  let queue: Queue | null = null;
  let worker: Worker | null = null;
  let workerConnection: RedisClient | null = null;

  let waited = false;

  /**
   * Waits (bounded, once) for the producer connection: with no offline queue, commands sent while
   * connecting fail. Afterwards a connection that is not ready fails fast (the job runs here).
   */
  async function ready(connection: RedisClient): Promise<void> {
    if (connection.status === 'ready') return;
    if (waited) throw new Error('Redis is not connected');
    waited = true;
    await withTimeout(
      new Promise<void>((resolve) => {
        connection.once('ready', () => resolve());
      }),
      ADD_TIMEOUT_MS,
    );
  }

  function getQueue(): Queue {
    if (!queue) {
      // BullMQ applies `prefix` itself: these connections have no ioredis keyPrefix.
      producer = createRedisClient(target, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeoutMs: 2000 });
      producer.on('error', () => undefined);
      queue = new Queue(name, { connection: producer, prefix });
      queue.on('error', () => undefined);
    }
    return queue;
  }

  return {
    mode: 'redis',
    async add(data, delayMs = 0) {
      try {
        const q = getQueue();
        await ready(producer as RedisClient);
        await withTimeout(
          q.add('job', data, {
            delay: delayMs,
            attempts: 3,
            backoff: { type: 'exponential', delay: 5000 },
            removeOnComplete: true,
            removeOnFail: { count: 100 },
          }),
          ADD_TIMEOUT_MS,
        );
      } catch (err) {
        logger.warn({ queue: name, err: { message: (err as Error).message } }, 'Redis refused a job: running it in this process');
        runLocally(data, delayMs);
      }
    },
    startWorker() {
      if (worker || closed) return;
      // Blocking commands: no per-request retry limit and no command timeout (BullMQ requires both).
      workerConnection = createRedisClient(target, { maxRetriesPerRequest: null, enableOfflineQueue: true });
      workerConnection.on('error', () => undefined);
      worker = new Worker(name, async (job: Job) => options.handler(job.data as T), {
        connection: workerConnection,
        prefix,
        concurrency: options.concurrency ?? 5,
        lockDuration: JOB_LOCK_MS,
        stalledInterval: JOB_STALLED_CHECK_MS,
        maxStalledCount: JOB_MAX_STALLED,
      });
      let warned = false;
      worker.on('error', (err) => {
        if (!warned) logger.warn({ queue: name, err: { message: err.message } }, 'queue worker error (Redis down?); retrying');
        warned = true;
      });
      worker.on('ready', () => {
        warned = false;
      });
      worker.on('failed', (job, err) =>
        logger.warn({ queue: name, jobId: job?.id, err: { message: err.message } }, 'job failed'),
      );
    },
    async close() {
      closeTimers();
      // Bounded: closing waits for Redis, which may be gone; then connections are dropped.
      await withTimeout(Promise.allSettled([worker?.close(), queue?.close()]), 3000).catch(() => undefined);
      workerConnection?.disconnect();
      producer?.disconnect();
    },
  };
}
export { createPeriodicTask, type PeriodicTask } from './periodic.js';

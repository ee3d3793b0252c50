import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../logger/index.js';

/** Handles one job. Throwing means "infrastructure failure": the job is retried a few times. */
export type JobHandler<T> = (data: T) => Promise<void>;

export interface JobQueueOptions<T> {
  /** Queue name, e.g. `webhook-delivery-queue`. */
  name: string;
  /** Redis URL; null → in-process mode (single-process development). */
  redisUrl: string | null;
  /** BullMQ key prefix (keeps test files apart); default `bull`. */
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

  if (!options.redisUrl) {
    logger.warn({ queue: name }, 'no Redis: jobs run IN-PROCESS (not durable across restarts; single-process mode)');
    return {
      mode: 'in-process',
      add: async (data, delayMs = 0) => runLocally(data, delayMs),
      startWorker: () => undefined,
      close: async () => closeTimers(),
    };
  }

  const url = options.redisUrl;
  const prefix = options.prefix ?? 'bull';
  let producer: Redis | null = null;
  let queue: Queue | null = null;
  let worker: Worker | null = null;
  let workerConnection: Redis | null = null;

  let waited = false;

  /**
   * Waits (bounded, once) for the producer connection: with no offline queue, commands sent while
   * connecting fail. Afterwards a connection that is not ready fails fast (the job runs here).
   */
  async function ready(connection: Redis): Promise<void> {
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
      producer = new Redis(url, {
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        connectTimeout: 2000,
        retryStrategy: (n) => Math.min(n * 200, 2000),
      });
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
        await ready(producer as Redis);
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
      workerConnection = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 2000) });
      workerConnection.on('error', () => undefined);
      worker = new Worker(name, async (job: Job) => options.handler(job.data as T), {
        connection: workerConnection,
        prefix,
        concurrency: options.concurrency ?? 5,
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

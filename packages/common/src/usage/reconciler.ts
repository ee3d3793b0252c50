import type { Cache } from '../cache/index.js';
import type { Logger } from '../logger/index.js';
import type { ProjectModel } from '../models/index.js';
import type { UsageMeter } from './meter.js';

/** Periodic recomputation of every project's usage from its data. */
export interface UsageReconciler {
  /** Reconciles every project once (one process at a time across the deployment); returns how many. */
  runOnce(): Promise<number>;
  /** Runs `runOnce` every `intervalMs` in this process; returns the stopper. */
  start(intervalMs: number): () => void;
}

const SWEEP_LOCK = 'usage:reconcile:lock';

/**
 * Recomputes database and storage usage of every project from the data, corrects the hot
 * counters (only where nothing changed meanwhile) and stores the result on the project document
 * (`databaseUsed`, `storageUsed`: the durable copy shown when Redis is empty). One sweep at a
 * time across all processes (a Redis lock).
 */
export function createUsageReconciler(deps: {
  meter: UsageMeter;
  Project: ProjectModel;
  cache: Cache;
  logger: Logger;
}): UsageReconciler {
  const { meter, Project, cache, logger } = deps;
  async function runOnce(): Promise<number> {
    const token = `${process.pid}:${Math.random()}`;
    if (cache.client && (await cache.client.set(SWEEP_LOCK, token, 'PX', 10 * 60_000, 'NX').catch(() => null)) !== 'OK') return 0;
    let count = 0;
    try {
      for await (const p of Project.find({}).select('_id').lean().cursor()) {
        const pid = String(p._id);
        try {
          const [databaseUsed, storageUsed] = [await meter.reconcile(pid, 'db'), await meter.reconcile(pid, 'storage')];
          await Project.updateOne({ _id: p._id }, { $set: { databaseUsed, storageUsed } });
          count += 1;
        } catch (err) {
          logger.warn({ err: { message: (err as Error).message }, projectId: pid }, 'usage reconciliation failed');
        }
      }
    } finally {
      await cache.client
        ?.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end`, 1, SWEEP_LOCK, token)
        .catch(() => undefined);
    }
    return count;
  }
  return {
    runOnce,
    start(intervalMs) {
      const timer = setInterval(() => {
        runOnce().catch((err: Error) => logger.warn({ err: { message: err.message } }, 'usage reconciliation sweep failed'));
      }, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

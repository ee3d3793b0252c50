import type { RedisConnection } from '../cache/index.js';
import { type PeriodicTask, createPeriodicTask } from '../jobs/periodic.js';
import type { Logger } from '../logger/index.js';
import type { ProjectModel } from '../models/index.js';
import type { UsageMeter } from './meter.js';

/**
 * Recomputes database and storage usage of every project from the data, corrects the hot
 * counters (only where nothing changed meanwhile) and stores the result on the project document
 * (`databaseUsed`, `storageUsed`: the durable copy shown when Redis cannot answer). One sweep at a
 * time across all processes.
 */
export function createUsageReconciler(deps: {
  meter: UsageMeter;
  Project: ProjectModel;
  cache: RedisConnection;
  logger: Logger;
}): PeriodicTask {
  const { meter, Project, logger } = deps;
  return createPeriodicTask({
    name: 'usage-reconcile',
    cache: deps.cache,
    logger,
    lockMs: 10 * 60_000,
    async run() {
      let count = 0;
      for await (const p of Project.find({}).select('_id').lean().cursor()) {
        const pid = String(p._id);
        try {
          const databaseUsed = await meter.reconcile(pid, 'db');
          const storageUsed = await meter.reconcile(pid, 'storage');
          await Project.updateOne({ _id: p._id }, { $set: { databaseUsed, storageUsed } });
          count += 1;
        } catch (err) {
          logger.warn({ err: { message: (err as Error).message }, projectId: pid }, 'usage reconciliation failed');
        }
      }
      return count;
    },
  });
}

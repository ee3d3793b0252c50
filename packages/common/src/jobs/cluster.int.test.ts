/**
 * The BullMQ job queue on a real Redis Cluster: Cluster connections for the producer and the
 * worker, and a hash-tagged prefix (`{jobs_cluster}`) so each queue's keys share one slot (BullMQ's
 * scripts touch several keys at once).
 */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, createRedisClient } from '../cache/index.js';
import { createLogger } from '../logger/index.js';
import { type TestRedisCluster, startRedisCluster, waitFor } from '../testing/index.js';
import { createJobQueue } from './index.js';

const logger = createLogger({ name: 'jobs-cluster-test', level: 'silent' });
let cluster: TestRedisCluster;

beforeAll(async () => {
  cluster = await startRedisCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

describe('job queue on a Redis Cluster', () => {
  it('stores jobs in the cluster and works them, immediate and delayed', async () => {
    const seen: number[] = [];
    const queue = createJobQueue<{ n: number }>({
      name: 'cluster-jobs',
      redis: cluster.connection,
      prefix: 'jobs_cluster',
      logger,
      handler: async (d) => {
        seen.push(d.n);
      },
    });
    // An observer with BullMQ's own API, on the hash-tagged prefix the queue uses.
    const observerConnection = createRedisClient(cluster.connection, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
    const observer = new Queue('cluster-jobs', { connection: observerConnection, prefix: '{jobs_cluster}' });
    try {
      expect(queue.mode).toBe('redis');
      await queue.add({ n: 1 });
      await queue.add({ n: 2 }, 300);
      // Accepted by Redis, not run in this process: nothing runs before the worker starts.
      const counts = await observer.getJobCounts('waiting', 'delayed');
      expect(counts).toEqual({ waiting: 1, delayed: 1 });
      expect(seen).toEqual([]);

      queue.startWorker();
      await waitFor(() => seen.length === 2, { timeoutMs: 15_000, message: 'both jobs worked' });
      expect(seen.sort()).toEqual([1, 2]);
      expect(await observer.getJobCounts('waiting', 'delayed', 'active')).toEqual({ waiting: 0, delayed: 0, active: 0 });

      // Every key of the queue sits on one primary, under the hash-tagged prefix.
      const perNode = await Promise.all(
        (observerConnection as Cluster).nodes('master').map((node) => node.keys('*cluster-jobs*')),
      );
      const holding = perNode.filter((keys) => keys.length > 0);
      expect(holding).toHaveLength(1);
      for (const key of holding[0] ?? []) expect(key.startsWith('{jobs_cluster}:cluster-jobs:')).toBe(true);
    } finally {
      await queue.close();
      await observer.close();
      observerConnection.disconnect();
    }
  });
});

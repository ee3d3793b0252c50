import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger/index.js';
import { testRedisConfig, testServices } from '../testing/index.js';
import { createJobQueue } from './index.js';

const logger = createLogger({ name: 'jobs-test', level: 'silent' });

function collector() {
  const seen: number[] = [];
  let resolve: () => void = () => undefined;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  const handler = async (d: { n: number }) => {
    seen.push(d.n);
    if (seen.length === 2) resolve();
  };
  return { seen, done, handler };
}

describe('job queue', () => {
  it('runs delayed jobs through BullMQ when Redis is there', async () => {
    expect(testServices().redisMode, 'this test needs Redis').toBeTruthy();
    const c = collector();
    const queue = createJobQueue({
      name: 'jobs-test',
      redis: testRedisConfig(),
      prefix: `jobs_${Date.now()}`,
      logger,
      handler: c.handler,
    });
    queue.startWorker();
    expect(queue.mode).toBe('redis');
    await queue.add({ n: 1 }, 50);
    await queue.add({ n: 2 });
    await c.done;
    expect(c.seen.sort()).toEqual([1, 2]);
    await queue.close();
  });

  it('still runs jobs, in this process, when Redis is configured but unreachable', async () => {
    const c = collector();
    const queue = createJobQueue({ name: 'jobs-down', redisUrl: 'redis://127.0.0.1:1', logger, handler: c.handler });
    queue.startWorker();
    const started = Date.now();
    await queue.add({ n: 1 });
    await queue.add({ n: 2 });
    await c.done;
    expect(Date.now() - started).toBeLessThan(8000);
    await queue.close();
  });
});

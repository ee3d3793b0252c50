/**
 * Hot-path benchmark (issue 12): the public API's read and rejection paths side by side with a bare
 * Express + driver server on the same database, in the same run, from the same client:
 *
 * - GET one document (publishable key) vs a bare `findOne` by id;
 * - list 20 (default sort, `createdAt` desc) vs a bare `find().sort().limit(20)`;
 * - a flood of forged keys: requests/s against GET one, and the MongoDB and Redis commands one
 *   rejected request costs (driver command monitoring, Redis MONITOR), which must be 0 and 0.
 *
 * Prints req/s, p50 and p99 of each and the ratios, plus the product's RSS before and after.
 * Run: `pnpm bench` (all) or `tsx --conditions=development scripts/bench/hot-paths.ts`.
 * Env: BENCH_REQUESTS (1000 per scenario), BENCH_CONCURRENCY (10), BENCH_DOCS (1000).
 */
import express from 'express';
import { Redis } from 'ioredis';
import mongoose, { Types } from 'mongoose';
import { createApp } from '../../apps/public-api/src/app.js';
import { sha256Hex } from '../../packages/common/src/crypto/index.js';
import { listen, startBenchProduct } from './product.js';

const requests = Number(process.env.BENCH_REQUESTS ?? 1000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 10);
const docs = Number(process.env.BENCH_DOCS ?? 1000);

interface Result {
  rps: number;
  p50: number;
  p99: number;
}

/** `requests` GETs over `concurrency` workers; every answer must have status `expect`. */
async function measure(url: string | (() => string), headers: Record<string, string>, expect = 200): Promise<Result> {
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < requests) {
      next++;
      const t0 = performance.now();
      const res = await fetch(typeof url === 'string' ? url : url(), { headers });
      await res.arrayBuffer();
      if (res.status !== expect) throw new Error(`answered ${res.status}, expected ${expect}`);
      times.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { rps: (requests / elapsed) * 1000, p50: at(0.5), p99: at(0.99) };
}

const fmt = (r: Result) => `${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`;
const mb = () => `${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`;

/** Runs the benchmark and prints its lines with `log`. */
export async function runHotPathsBench(log: (line: string) => void): Promise<void> {
  const run = await startBenchProduct({
    label: 'benchhot',
    planLimits: { reqPerMinute: -1, reqPerDay: -1 },
    collections: [
      {
        name: 'items',
        model: [
          { key: 'title', type: 'String' },
          { key: 'views', type: 'Number' },
        ],
      },
    ],
  });
  const { deps, project, prefix } = run;
  // A key as the dashboard issues it (with its check value).
  const publishable = deps.keyIssuer.issue('pk_live_');
  await deps.models.Project.updateOne({ _id: project.projectId }, { $set: { publishableKeyHash: sha256Hex(publishable) } });
  const seed = Array.from({ length: docs }, (_, i) => ({
    _id: new Types.ObjectId(),
    title: `item ${i}`,
    views: i,
    createdAt: new Date(Date.now() - i * 1000),
    updatedAt: new Date(),
  }));
  const tenantItems = deps.db.tenantDb(project.projectId).collection('items');
  await tenantItems.insertMany(seed);
  await tenantItems.createIndex({ createdAt: -1, _id: -1 }, { name: 'q_createdAt' });
  const rssIdle = mb();
  const product = await listen(createApp(deps));

  const bareConn = await mongoose.createConnection(run.mongoUri).asPromise();
  const bareDb = bareConn.useDb(`benchhot_bare_${process.pid}`);
  const bareItems = bareDb.collection('items');
  await bareItems.insertMany(seed.map((d) => ({ ...d })));
  await bareItems.createIndex({ createdAt: -1, _id: -1 });
  const bareApp = express();
  bareApp.get('/items/:id', async (req, res) => {
    res.json(await bareItems.findOne({ _id: new Types.ObjectId(req.params.id) }));
  });
  bareApp.get('/items', async (_req, res) => {
    res.json(await bareItems.find({}).sort({ createdAt: -1, _id: -1 }).limit(20).toArray());
  });
  const bare = await listen(bareApp);

  const ids = seed.map((d) => String(d._id));
  let pick = 0;
  const someId = () => ids[pick++ % ids.length] as string;
  const key = { 'x-api-key': publishable };
  try {
    await measure(() => `${product.url}/api/data/items/${someId()}`, key); // warm
    await measure(() => `${bare.url}/items/${someId()}`, {});

    const getOne = await measure(() => `${product.url}/api/data/items/${someId()}`, key);
    const getOneBare = await measure(() => `${bare.url}/items/${someId()}`, {});
    log(`GET one (${requests} requests, ${concurrency} concurrent, ${docs} documents):`);
    log(`  urBackend ${fmt(getOne)}`);
    log(`  bare      ${fmt(getOneBare)}`);
    log(`  ratio     ${(getOne.rps / getOneBare.rps).toFixed(2)}x req/s, ${(getOne.p99 / getOneBare.p99).toFixed(2)}x p99`);

    const list = await measure(`${product.url}/api/data/items?limit=20`, key);
    const listBare = await measure(`${bare.url}/items`, {});
    log('list 20, default sort:');
    log(`  urBackend ${fmt(list)}`);
    log(`  bare      ${fmt(listBare)}`);
    log(`  ratio     ${(list.rps / listBare.rps).toFixed(2)}x req/s`);

    // Forged keys: what one costs, then how fast they are refused.
    const forged = () => `pk_live_${Math.random().toString(36).slice(2).padEnd(43, 'x')}0123abcd${'y'.repeat(22)}`;
    const client = deps.db.connection.getClient();
    let mongoCommands = 0;
    const onCommand = () => {
      mongoCommands++;
    };
    client.on('commandStarted', onCommand);
    const monitor = new Redis(run.redisUrl);
    const redisLines: string[] = [];
    const m = await monitor.monitor();
    m.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() !== 'ping' && args.some((a) => a.includes(prefix))) redisLines.push(args[0] ?? '');
    });
    const sampled = 50;
    for (let i = 0; i < sampled; i++) {
      const res = await fetch(`${product.url}/api/data/items/${someId()}`, { headers: { 'x-api-key': forged() } });
      await res.arrayBuffer();
    }
    await new Promise((r) => setTimeout(r, 200)); // MONITOR lines arrive asynchronously
    client.off('commandStarted', onCommand);
    m.disconnect();
    monitor.disconnect();
    const flood = await measure(() => `${product.url}/api/data/items/${someId()}`, { 'x-api-key': forged() }, 401);
    log('forged-key flood:');
    log(
      `  per rejected request: ${(mongoCommands / sampled).toFixed(2)} MongoDB, ${(redisLines.length / sampled).toFixed(2)} Redis commands`,
    );
    log(`  urBackend ${fmt(flood)} (${(flood.rps / getOne.rps).toFixed(2)}x GET one)`);
    log(`RSS of the benchmark process (product and baseline in it): ${rssIdle} idle, ${mb()} after the runs`);
  } finally {
    product.server.close();
    bare.server.close();
    await bareDb.dropDatabase();
    await bareConn.close();
    await run.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runHotPathsBench((line) => process.stdout.write(`${line}\n`));
}

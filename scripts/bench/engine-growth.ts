/**
 * Engine growth: what one `_id` read or write costs on the MongoDB-compatible server as a collection
 * grows, with the driver alone (no product code). FerretDB 1.24 on SQLite pushes an `_id` filter
 * down to SQLite but SQLite scans the table for it (`explain` says `SCAN`), and a filter with more
 * than `_id` is evaluated by FerretDB on every document; mongod answers both from the `_id` index.
 * The soak's p99 drift on FerretDB follows from this (docs/performance.md § The soak).
 *
 * Run: `pnpm bench` (all) or `tsx --conditions=development scripts/bench/engine-growth.ts`.
 * Env: BENCH_GROWTH_SIZES (comma-separated collection sizes, `500,5000,20000`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { ensureMongo } from '../services/mongo.js';
import { formatTable } from './stats.js';

const { MongoClient, ObjectId } = mongoose.mongo;

/** Mean milliseconds of `op` over `n` sequential runs. */
async function mean(n: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) await op(i);
  return (performance.now() - started) / n;
}

/** Runs the benchmark and prints its lines with `log`. */
export async function runEngineGrowthBench(log: (line: string) => void): Promise<void> {
  const sizes = (process.env.BENCH_GROWTH_SIZES ?? '500,5000,20000').split(',').map(Number);
  const dir = await mkdtemp(path.join(tmpdir(), 'ub-growth-'));
  const mongo = await ensureMongo({ dataDir: dir, log: () => undefined });
  const client = await MongoClient.connect(mongo.uri);
  const db = client.db(`growth_${process.pid}`);
  try {
    // Shaped like webhook deliveries: a 300-character body and an attempts array.
    const deliveries = db.collection('deliveries');
    const ids: InstanceType<typeof ObjectId>[] = [];
    const rows: string[][] = [];
    let plan = '';
    for (const size of sizes) {
      while (ids.length < size) {
        const batch = Array.from({ length: 500 }, () => ({
          _id: new ObjectId(),
          finalStatus: 'delivered',
          attempts: [{ attemptNumber: 1, status: 'success' }],
          body: 'x'.repeat(300),
        }));
        await deliveries.insertMany(batch);
        ids.push(...batch.map((b) => b._id));
      }
      const pick = (i: number) => ids[(i * 7919) % ids.length] as InstanceType<typeof ObjectId>;
      const runs = size >= 10_000 ? 20 : 50;
      rows.push([
        String(size),
        (await mean(runs, (i) => deliveries.findOne({ _id: pick(i) }))).toFixed(1),
        (await mean(runs, (i) => deliveries.updateOne({ _id: pick(i) }, { $set: { seen: i } }))).toFixed(1),
        (
          await mean(runs, (i) =>
            deliveries.updateOne(
              { _id: pick(i), finalStatus: 'delivered', 'attempts.attemptNumber': { $ne: 5 } },
              { $set: { checked: i } },
            ),
          )
        ).toFixed(1),
        (await mean(runs, () => deliveries.insertOne({ finalStatus: 'pending', attempts: [] }))).toFixed(1),
      ]);
      const explained = (await deliveries.find({ _id: pick(0) }).explain()) as { queryPlanner?: { Plan?: string[] } };
      plan = explained.queryPlanner?.Plan?.join('; ') ?? JSON.stringify(explained.queryPlanner ?? {}).slice(0, 120);
    }
    log(`engine growth (${mongo.kind}): mean ms of one operation, sequential, by collection size:`);
    log(formatTable(['documents', 'find by _id', 'update by _id', 'update by _id + 2 conditions', 'insert'], rows));
    log(`  plan of a find by _id: ${plan}`);
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
    await mongo.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runEngineGrowthBench((line) => process.stdout.write(`${line}\n`));
}

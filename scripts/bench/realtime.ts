/**
 * Realtime benchmark (issue 14): N SSE subscribers spread over two public-API instances sharing one
 * Redis and one database, W inserts per second through the first one; prints the delivery latency
 * (insert sent → event received, p50/p99 over every subscriber and event), the events delivered,
 * and the memory one connection costs (RSS before and after opening them).
 *
 * Run: `pnpm bench` (all) or `tsx --conditions=development scripts/bench/realtime.ts`.
 * Env: BENCH_RT_SUBSCRIBERS (200), BENCH_RT_WRITES_PER_SEC (50), BENCH_RT_SECONDS (5).
 */
import { createApp } from '../../apps/public-api/src/app.js';
import { createDeps } from '../../apps/public-api/src/deps.js';
import { createLogger } from '../../packages/common/src/logger/index.js';
import { listen, startBenchProduct } from './product.js';

const subscribers = Number(process.env.BENCH_RT_SUBSCRIBERS ?? 200);
const perSecond = Number(process.env.BENCH_RT_WRITES_PER_SEC ?? 50);
const seconds = Number(process.env.BENCH_RT_SECONDS ?? 5);

/** Opens an SSE subscription and records, for each insert, how long after its `sentAt` it arrived. */
async function subscribe(url: string, key: string, latencies: number[], signal: AbortSignal): Promise<void> {
  const res = await fetch(url, { headers: { accept: 'text/event-stream', 'x-api-key': key }, signal });
  if (res.status !== 200 || !res.body) throw new Error(`subscription answered ${res.status}`);
  let ready!: () => void;
  const opened = new Promise<void>((r) => {
    ready = r;
  });
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const now = Date.now();
        buffer += decoder.decode(chunk, { stream: true });
        let cut = buffer.indexOf('\n\n');
        while (cut >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (frame.includes('event: ready')) ready();
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (frame.includes('event: insert') && data) {
            const sentAt = (JSON.parse(data.slice(6)) as { document?: { sentAt?: number } }).document?.sentAt;
            if (typeof sentAt === 'number') latencies.push(now - sentAt);
          }
          cut = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted at the end of the run
    }
  })();
  await opened;
}

const mb = () => process.memoryUsage().rss / 1024 / 1024;

/** Runs the benchmark and prints its lines with `log`. */
export async function runRealtimeBench(log: (line: string) => void): Promise<void> {
  const run = await startBenchProduct({
    label: 'benchrt',
    planLimits: { reqPerMinute: -1, reqPerDay: -1, maxRealtimeConnections: -1, mongoBytes: -1 },
    collections: [
      {
        name: 'posts',
        model: [
          { key: 'title', type: 'String' },
          { key: 'sentAt', type: 'Number' },
        ],
      },
    ],
  });
  // A second public-API instance on the same Redis and database (what a second process sees).
  const second = createDeps(run.config, createLogger({ name: 'bench-b', level: 'silent' }));
  await second.db.connect();
  const a = await listen(createApp(run.deps));
  const b = await listen(createApp(second));
  const key = run.project.secretKey;
  const stop = new AbortController();
  const latencies: number[] = [];
  try {
    const before = mb();
    for (let i = 0; i < subscribers; i++) {
      await subscribe(`${(i % 2 ? b : a).url}/api/realtime/posts`, key, latencies, stop.signal);
    }
    const perConnection = ((mb() - before) * 1024) / subscribers;
    const total = perSecond * seconds;
    const started = Date.now();
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / perSecond;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const res = await fetch(`${a.url}/api/data/posts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ title: `post ${i}`, sentAt: Date.now() }),
      });
      if (res.status !== 201) throw new Error(`insert answered ${res.status}`);
    }
    const expected = total * subscribers;
    const deadline = Date.now() + 10_000;
    while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const sorted = [...latencies].sort((x, y) => x - y);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
    log(`realtime (${subscribers} SSE subscribers over 2 instances, ${perSecond} inserts/s for ${seconds} s):`);
    log(`  delivered ${latencies.length} of ${expected} events; latency p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);
    log(`  memory per connection: ${perConnection.toFixed(0)} KB (RSS of the benchmark process, client side included)`);
  } finally {
    stop.abort();
    a.server.closeAllConnections();
    b.server.closeAllConnections();
    a.server.close();
    b.server.close();
    await second.close();
    await run.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runRealtimeBench((line) => process.stdout.write(`${line}\n`));
}

/**
 * `pnpm bench --soak [--soak-minutes N]`: a mixed workload (reads, lists, RLS lists, updates,
 * inserts that fire a webhook to a local receiver, logins, uploads) against the built public-api at
 * half of the maximum it reaches on the same mix, for N minutes (10). Prints, each minute: requests,
 * errors, p50/p99, public-api RSS and open file descriptors (`/proc/<pid>/fd`), Redis
 * `connected_clients`, the public-api's MongoDB connections (its sockets to the database port) and
 * the webhooks received, MongoDB commands per request, the largest collections, and the size of the
 * webhook deliveries with the time of an `_id` lookup there (FerretDB 1.24 SQLite scans the table for
 * it, so every lookup slows as the data grows); then the drift between the first and the last minute.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import type { BenchRequest } from './load.js';
import { connectionsTo, openFds, rssMb } from './processes.js';
import { SCENARIOS, type ScenarioContext, createScenarioContext, loginRequests } from './scenarios.js';
import { type BenchStack, IGNORED_MONGO, startBenchStack } from './stack.js';
import { describeCounts, diffCounts, formatTable, percentile } from './stats.js';

const boundary = 'benchboundary7MA4YWxkTrZu0gW';
/** Monitoring commands, and the soak's own `listCollections` (its per-minute collection sizes). */
const SOAK_IGNORED_MONGO = [...IGNORED_MONGO, 'listcollections'];
const uploadBody = Buffer.from(
  `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="note.txt"\r\nContent-Type: text/plain\r\n\r\n${'x'.repeat(2048)}\r\n--${boundary}--\r\n`,
);

/** The mix: 20 requests per cycle, most of them reads. */
function mix(stack: BenchStack, c: ScenarioContext): (() => BenchRequest)[] {
  const byName = (name: string) => {
    const s = SCENARIOS.find((x) => x.name.startsWith(name));
    if (!s) throw new Error(`no scenario ${name}`);
    return () => s.product(c);
  };
  const [get, list, rls, update, insert] = ['GET one', 'list 20 (', 'RLS', 'update', 'insert'].map(
    byName,
  ) as (() => BenchRequest)[];
  const event = (): BenchRequest => ({ method: 'POST', path: '/api/data/events', headers: c.secret, body: '{"title":"event"}' });
  const upload = (): BenchRequest => ({
    method: 'POST',
    path: '/api/storage/upload',
    headers: { ...c.secret, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: uploadBody,
  });
  const login = loginRequests(stack, c).product;
  return [
    ...Array<() => BenchRequest>(8).fill(get as () => BenchRequest),
    ...Array<() => BenchRequest>(3).fill(list as () => BenchRequest),
    ...Array<() => BenchRequest>(2).fill(rls as () => BenchRequest),
    ...Array<() => BenchRequest>(2).fill(update as () => BenchRequest),
    insert as () => BenchRequest,
    event,
    event,
    login,
    upload,
  ];
}

interface Minute {
  latencies: number[];
  errors: number;
}

/** Runs the mix for `seconds` (at `rate` req/s when given); `onResponse` sees every answer. */
function runMix(
  url: string,
  requests: (() => BenchRequest)[],
  seconds: number,
  rate: number | undefined,
  onResponse: (status: number, ms: number) => void,
  onError: () => void,
): Promise<autocannon.Result> {
  let i = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: 10,
        duration: seconds,
        timeout: 30,
        ...(rate ? { overallRate: rate } : {}),
        requests: [
          {
            setupRequest: (req) => {
              const r = (requests[i++ % requests.length] as () => BenchRequest)();
              const type = r.body && !r.headers?.['content-type'] ? { 'content-type': 'application/json' } : {};
              return {
                ...req,
                method: r.method ?? 'GET',
                path: r.path,
                headers: { ...type, ...r.headers },
                body: r.body,
              } as typeof req;
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    instance.on('response', (_client, status, _bytes, ms) => onResponse(status, ms));
    instance.on('reqError', onError);
  });
}

async function startReceiver(): Promise<{ server: Server; url: string; received: () => number }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received: () => received };
}

/** Runs the soak and prints one line per minute, then the table and the drift. */
export async function runSoak(log: (line: string) => void, options: { minutes: number }): Promise<void> {
  const receiver = await startReceiver();
  // BENCH_SOAK_WEBHOOKS=0: the same mix without the webhook (its inserts deliver nothing), to tell
  // the deliveries' share of a drift.
  const webhooks = process.env.BENCH_SOAK_WEBHOOKS !== '0';
  const stack = await startBenchStack({ log, ...(webhooks ? { webhookUrl: receiver.url } : {}) });
  try {
    const c = await createScenarioContext(stack);
    const requests = mix(stack, c);
    const probe = await runMix(
      stack.publicApi.url,
      requests,
      10,
      undefined,
      () => undefined,
      () => undefined,
    );
    const max = probe.requests.total / probe.duration;
    // BENCH_SOAK_RATE: a fixed rate instead of half the maximum (to compare two versions at the same load).
    const fixed = Number(process.env.BENCH_SOAK_RATE ?? 0);
    const rate = fixed > 0 ? fixed : Math.max(1, Math.round(max / 2));
    log(
      `soak: mixed workload at ${rate} req/s (${fixed > 0 ? 'BENCH_SOAK_RATE; ' : 'half of '}the ${max.toFixed(0)} req/s measured on the same mix) for ${options.minutes} min; load average ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
    let current: Minute = { latencies: [], errors: 0 };
    const rows: string[][] = [];
    const samples: { p99: number; rss: number; fds: number; errors: number }[] = [];
    let minute = 0;
    let mongoBefore = await stack.mongoCommands();
    const sample = async () => {
      const done = current;
      current = { latencies: [], errors: 0 };
      minute++;
      const mongoNow = await stack.mongoCommands();
      log(
        `    MongoDB commands per request: ${describeCounts(diffCounts(mongoBefore, mongoNow, SOAK_IGNORED_MONGO), done.latencies.length, 6)}`,
      );
      mongoBefore = mongoNow;
      // Each webhook delivery reads its outbox record by `_id` and updates it twice with conditions;
      // the log (webhookdeliveries) only takes one insert per finished delivery.
      const growth = await stack.collectionGrowth(3, { db: 'platform', collection: 'webhookoutbox' });
      log(
        `    largest collections: ${growth.sizes.map((c) => `${c.name} ${c.docs}`).join(', ')}; webhook outbox ${growth.probed} (a missing _id looked up there: ${growth.lookupMs.toFixed(1)} ms), log ${growth.docsOf('platform.webhookdeliveries')}`,
      );
      const row = {
        p99: percentile(done.latencies, 0.99),
        rss: await rssMb(stack.publicApi.pid),
        fds: await openFds(stack.publicApi.pid),
        errors: done.errors,
      };
      samples.push(row);
      const cells = [
        String(minute),
        String(done.latencies.length),
        String(done.errors),
        `${percentile(done.latencies, 0.5).toFixed(0)} / ${row.p99.toFixed(0)}`,
        row.rss.toFixed(0),
        String(row.fds),
        String(await stack.redisConnectedClients()),
        String(await connectionsTo(stack.publicApi.pid, stack.mongoPort)),
        String(receiver.received()),
        (loadavg()[0] ?? 0).toFixed(2),
      ];
      rows.push(cells);
      log(`  minute ${cells.join(' | ')}`);
    };
    // One sample at a time; the stack closes only after the last one (it reads the database).
    let sampling: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      sampling = sampling.then(sample);
    }, 60_000);
    await runMix(
      stack.publicApi.url,
      requests,
      options.minutes * 60,
      rate,
      (status, ms) => {
        current.latencies.push(ms);
        if (status >= 400) current.errors++;
      },
      () => {
        current.errors++;
      },
    );
    clearInterval(timer);
    await sampling;
    if (current.latencies.length > 0 && minute < options.minutes) await sample();
    log(
      formatTable(
        [
          'minute',
          'requests',
          'errors',
          'p50/p99 ms',
          'RSS MB',
          'open fds',
          'Redis clients',
          'Mongo conns',
          'webhooks received (total)',
          'load1',
        ],
        rows,
      ),
    );
    const first = samples[0];
    const last = samples[samples.length - 1];
    if (first && last) {
      const pct = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(0)} %`;
      log(
        `drift first → last minute: p99 ${first.p99.toFixed(0)} → ${last.p99.toFixed(0)} ms (${pct(first.p99, last.p99)}), RSS ${first.rss.toFixed(0)} → ${last.rss.toFixed(0)} MB (${pct(first.rss, last.rss)}), open fds ${first.fds} → ${last.fds}; errors ${samples.reduce((s, x) => s + x.errors, 0)}`,
      );
    }
  } finally {
    await stack.close();
    receiver.server.close();
  }
}

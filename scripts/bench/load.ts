/**
 * The load generator of `pnpm bench`: autocannon in this process (pinned to the other core than
 * the servers), one request shape per run, built per request so ids and keys can vary.
 */
import autocannon from 'autocannon';

/** One request; `path` is relative to the server's URL. */
export interface BenchRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT';
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface LoadOptions {
  url: string;
  /** Called for every request sent. */
  request: () => BenchRequest;
  connections: number;
  /** Seconds (default) or `amount` requests. */
  seconds?: number;
  amount?: number;
  /** Requests per second over all connections (open loop), when set. */
  overallRate?: number;
  /** Status every answer must have (others count as errors). */
  expect: number;
}

export interface LoadResult {
  /** Requests answered. */
  requests: number;
  /** Requests sent (answered or still in flight at the end). */
  sent: number;
  rps: number;
  p50: number;
  p99: number;
  /** Connection errors, timeouts and answers with another status than expected. */
  errors: number;
  /** Another status seen, for the error message (`500×3`). */
  unexpected: string;
}

/** Runs one load and summarises it. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.seconds ?? 10 }),
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    timeout: 30,
    requests: [
      {
        setupRequest: (req) => {
          const r = options.request();
          return {
            ...req,
            method: r.method ?? 'GET',
            path: r.path,
            headers: { ...(r.body ? { 'content-type': 'application/json' } : {}), ...r.headers },
            ...(r.body !== undefined ? { body: r.body } : {}),
          } as typeof req;
        },
      },
    ],
  });
  const byStatus = Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s?.count ?? 0] as const);
  const wrong = byStatus.filter(([code]) => Number(code) !== options.expect);
  const answered = byStatus.reduce((sum, [, n]) => sum + n, 0);
  return {
    requests: answered,
    sent: Math.max(answered, result.requests.sent),
    rps: answered / Math.max(0.001, result.duration),
    p50: answered ? result.latency.p50 : Number.NaN,
    p99: answered ? result.latency.p99 : Number.NaN,
    errors: result.errors + wrong.reduce((sum, [, n]) => sum + n, 0),
    unexpected: wrong.map(([code, n]) => `${code}×${n}`).join(' '),
  };
}

/** The parts of a request log the analytics use. */
export interface LogPoint {
  method: string;
  route?: string;
  path: string;
  status: number;
  latencyMs: number;
  minute: string;
  hour: string;
  day: string;
}

export type AnalyticsRange = 'last1h' | 'last24h' | 'last7d' | 'last30d';

export const RANGE_MS: Record<AnalyticsRange, number> = {
  last1h: 3_600_000,
  last24h: 86_400_000,
  last7d: 7 * 86_400_000,
  last30d: 30 * 86_400_000,
};

/** Bucket key stored on each log at write time: minute for 1 h, hour for 24 h, day otherwise. */
function bucketOf(range: AnalyticsRange, p: LogPoint): string {
  if (range === 'last1h') return p.minute;
  if (range === 'last24h') return p.hour;
  return p.day;
}

/** The key of the bucket holding `at` (same format as the stored `minute` / `hour` / `day`). */
function keyAt(range: AnalyticsRange, at: Date): string {
  const iso = at.toISOString();
  if (range === 'last1h') return iso.slice(0, 16);
  if (range === 'last24h') return iso.slice(0, 13);
  return iso.slice(0, 10);
}

const STEP_MS: Record<AnalyticsRange, number> = {
  last1h: 60_000,
  last24h: 3_600_000,
  last7d: 86_400_000,
  last30d: 86_400_000,
};

/**
 * Every bucket key from the start of the range to `now`, oldest first: per minute for 1 h, per
 * hour for 24 h, per UTC day for 7 and 30 days (the first and last bucket may be partial).
 */
export function bucketKeys(range: AnalyticsRange, now: Date): string[] {
  const step = STEP_MS[range];
  const start = Math.floor((now.getTime() - RANGE_MS[range]) / step) * step;
  const keys: string[] = [];
  for (let t = start; t <= now.getTime(); t += step) keys.push(keyAt(range, new Date(t)));
  return [...new Set(keys)];
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? 0;
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Computes range statistics, a time series, top endpoints and distributions from log points
 * (in process, so the same code runs on MongoDB and FerretDB).
 */
export function computeAnalytics(points: readonly LogPoint[], range: AnalyticsRange, now: Date = new Date()) {
  const latencies = points.map((p) => p.latencyMs).sort((a, b) => a - b);
  const errors = points.filter((p) => p.status >= 400).length;
  const series = new Map<string, { success: number; errors: number; latency: number; latencies: number[] }>();
  // Every bucket of the range is drawn, empty ones as zeros.
  for (const key of bucketKeys(range, now)) series.set(key, { success: 0, errors: 0, latency: 0, latencies: [] });
  const errorStatuses = new Map<number, number>();
  const endpoints = new Map<string, { path: string; method: string; count: number; latency: number; errors: number }>();
  const statuses = new Map<string, number>();
  const methods = new Map<string, number>();
  for (const p of points) {
    const bucket = series.get(bucketOf(range, p)) ?? { success: 0, errors: 0, latency: 0, latencies: [] };
    if (p.status >= 400) {
      bucket.errors++;
      errorStatuses.set(p.status, (errorStatuses.get(p.status) ?? 0) + 1);
    } else bucket.success++;
    bucket.latency += p.latencyMs;
    bucket.latencies.push(p.latencyMs);
    series.set(bucketOf(range, p), bucket);
    const path = p.route || p.path;
    const key = `${p.method} ${path}`;
    const ep = endpoints.get(key) ?? { path, method: p.method, count: 0, latency: 0, errors: 0 };
    ep.count++;
    ep.latency += p.latencyMs;
    if (p.status >= 400) ep.errors++;
    endpoints.set(key, ep);
    const cls = `${Math.floor(p.status / 100)}xx`;
    statuses.set(cls, (statuses.get(cls) ?? 0) + 1);
    methods.set(p.method, (methods.get(p.method) ?? 0) + 1);
  }
  return {
    rangeStats: {
      totalRequests: points.length,
      avgResponseTimeMs: points.length ? round(latencies.reduce((a, b) => a + b, 0) / points.length) : 0,
      p50ResponseTimeMs: round(percentile(latencies, 0.5)),
      p95ResponseTimeMs: round(percentile(latencies, 0.95)),
      errorRate: points.length ? round((errors / points.length) * 100) : 0,
    },
    timeSeries: [...series.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([bucket, s]) => {
        const sorted = s.latencies.sort((a, b) => a - b);
        const count = s.success + s.errors;
        return {
          _id: bucket,
          success: s.success,
          errors: s.errors,
          avgLatency: count ? round(s.latency / count) : 0,
          p50Latency: round(percentile(sorted, 0.5)),
          p95Latency: round(percentile(sorted, 0.95)),
        };
      }),
    topEndpoints: [...endpoints.values()]
      .sort((a, b) => b.count - a.count)
      .slice(0, 10)
      .map((e) => ({
        path: e.path,
        method: e.method,
        count: e.count,
        avgLatency: round(e.latency / e.count),
        errorRate: round((e.errors / e.count) * 100),
      })),
    distributions: {
      statusCodes: [...statuses.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([_id, count]) => ({ _id, count })),
      methods: [...methods.entries()].sort(([, a], [, b]) => b - a).map(([_id, count]) => ({ _id, count })),
      /** Failed requests by exact status code (400, 401, 404, 500…). */
      errorStatuses: [...errorStatuses.entries()].sort(([a], [b]) => a - b).map(([status, count]) => ({ status, count })),
    },
  };
}

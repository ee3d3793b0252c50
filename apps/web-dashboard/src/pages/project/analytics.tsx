import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Line,
  LineChart,
  Pie,
  PieChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { insightsApi } from '../../api/extras.js';
import type { Analytics } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { SelectField } from '../../components/form.js';
import { QueryState } from '../../components/query-state.js';
import { Card, EmptyState, PageHeader } from '../../components/ui.js';
import { formatNumber } from '../../lib/format.js';
import { useProject } from './layout.js';

const RANGES = [
  { value: 'last1h', label: 'Last hour' },
  { value: 'last24h', label: 'Last 24 hours' },
  { value: 'last7d', label: 'Last 7 days' },
  { value: 'last30d', label: 'Last 30 days' },
];
const STATUS_COLORS: Record<string, string> = { '2xx': '#16a34a', '3xx': '#0ea5e9', '4xx': '#f59e0b', '5xx': '#dc2626' };

/** "2026-05-08T14" → "14:00", "2026-05-08T14:05" → "14:05", "2026-05-08" → "05-08" (UTC buckets). */
function bucketLabel(bucket: string): string {
  const hour = bucket.match(/T(\d\d)$/);
  if (hour) return `${hour[1]}:00`;
  const minute = bucket.match(/T(\d\d:\d\d)$/);
  if (minute?.[1]) return minute[1];
  return bucket.match(/^\d{4}-(\d\d-\d\d)$/)?.[1] ?? bucket;
}

/** What the analytics route answers now: every bucket (zeros included) with p50 / p95 latency. */
type Bucket = { _id: string; success: number; errors: number; avgLatency: number; p50Latency?: number; p95Latency?: number };
type Data = Analytics & {
  rangeStats?: Analytics['rangeStats'] & { p50ResponseTimeMs?: number };
  timeSeries?: Bucket[];
  distributions?: Analytics['distributions'] & { errorStatuses?: { status: number; count: number }[] };
};

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="stat">
      <div className="stat-value">{value}</div>
      <div className="stat-label">{label}</div>
    </div>
  );
}

function Charts({ data }: { data: Data }) {
  const stats = data.rangeStats ?? { totalRequests: 0, avgResponseTimeMs: 0, p95ResponseTimeMs: 0, errorRate: 0 };
  const series = data.timeSeries ?? [];
  const statuses = data.distributions?.statusCodes ?? [];
  const errorStatuses = data.distributions?.errorStatuses ?? [];
  const top = data.topEndpoints ?? [];
  if (!stats.totalRequests) {
    return (
      <EmptyState title="No requests in this period">
        Requests your apps make to the public API show up here within a few seconds.
      </EmptyState>
    );
  }
  return (
    <div className="stack-lg">
      <div className="stats" aria-label="Summary">
        <Stat label="Requests" value={formatNumber(stats.totalRequests)} />
        <Stat label="Avg latency" value={`${Math.round(stats.avgResponseTimeMs)} ms`} />
        {stats.p50ResponseTimeMs !== undefined && (
          <Stat label="p50 latency" value={`${Math.round(stats.p50ResponseTimeMs)} ms`} />
        )}
        <Stat label="p95 latency" value={`${Math.round(stats.p95ResponseTimeMs)} ms`} />
        <Stat label="Error rate" value={`${Number(stats.errorRate).toFixed(1)} %`} />
      </div>
      <div className="grid-2">
        <Card title="Requests over time (UTC)">
          <div className="chart" role="img" aria-label="Successful and failed requests over time">
            <ResponsiveContainer width="100%" height={260}>
              <BarChart data={series}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="_id" fontSize={12} tickFormatter={bucketLabel} />
                <YAxis allowDecimals={false} fontSize={12} />
                <Tooltip labelFormatter={(l) => bucketLabel(String(l))} />
                <Legend />
                <Bar dataKey="success" name="Success" stackId="a" fill="#4f46e5" isAnimationActive={false} />
                <Bar dataKey="errors" name="Errors" stackId="a" fill="#dc2626" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </Card>
        <Card title="Latency (p50 / p95)">
          <div className="chart" role="img" aria-label="Median (p50) and p95 latency over time">
            <ResponsiveContainer width="100%" height={260}>
              <LineChart data={series}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="_id" fontSize={12} tickFormatter={bucketLabel} />
                <YAxis unit=" ms" fontSize={12} />
                <Tooltip labelFormatter={(l) => bucketLabel(String(l))} />
                <Legend />
                <Line
                  type="linear"
                  dataKey="p50Latency"
                  name="p50 (ms)"
                  stroke="#0ea5e9"
                  strokeWidth={2}
                  dot={false}
                  isAnimationActive={false}
                />
                <Line
                  type="linear"
                  dataKey="p95Latency"
                  name="p95 (ms)"
                  stroke="#f59e0b"
                  strokeWidth={2}
                  dot={false}
                  isAnimationActive={false}
                />
              </LineChart>
            </ResponsiveContainer>
          </div>
        </Card>
      </div>
      <div className="grid-side">
        <Card title="Status codes">
          <div className="chart" role="img" aria-label="Responses by status class">
            <ResponsiveContainer width="100%" height={260}>
              <PieChart>
                <Pie
                  data={statuses}
                  dataKey="count"
                  nameKey="_id"
                  innerRadius={55}
                  outerRadius={90}
                  label
                  isAnimationActive={false}
                >
                  {statuses.map((s) => (
                    <Cell key={s._id} fill={STATUS_COLORS[s._id] ?? '#64748b'} />
                  ))}
                </Pie>
                <Tooltip />
                <Legend />
              </PieChart>
            </ResponsiveContainer>
          </div>
          {errorStatuses.length > 0 && (
            <>
              <h3 className="small-heading">Errors by status</h3>
              <ul className="error-statuses">
                {errorStatuses.map((e) => (
                  <li key={e.status}>
                    <code>{e.status}</code> <span>{formatNumber(e.count)}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </Card>
        <Card title="Top endpoints">
          {top.length === 0 ? (
            <p className="muted">No endpoint data.</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Endpoint</th>
                    <th scope="col">Requests</th>
                    <th scope="col">Avg ms</th>
                    <th scope="col">Errors</th>
                  </tr>
                </thead>
                <tbody>
                  {top.map((t) => (
                    <tr key={`${t.method} ${t.path}`}>
                      <td className="mono small">
                        {t.method} {t.path}
                      </td>
                      <td>{formatNumber(t.count)}</td>
                      <td>{Math.round(t.avgLatency)}</td>
                      <td>{Number(t.errorRate).toFixed(1)} %</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
      </div>
    </div>
  );
}

export function AnalyticsPage() {
  const { projectId } = useProject();
  const api = useApi();
  const [range, setRange] = useState('last24h');
  const query = useQuery({
    queryKey: ['analytics', projectId, range],
    queryFn: () => insightsApi.analytics(api, projectId, range),
    refetchInterval: 30_000,
  });
  return (
    <>
      <PageHeader
        title="Analytics"
        subtitle="Traffic of this project’s public API."
        actions={<SelectField label="Period" value={range} options={RANGES} onChange={(e) => setRange(e.target.value)} />}
      />
      <QueryState query={query} label="analytics">
        {(data) => <Charts data={data as Data} />}
      </QueryState>
    </>
  );
}

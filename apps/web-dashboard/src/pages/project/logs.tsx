import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { insightsApi } from '../../api/extras.js';
import { useApi } from '../../auth/auth-context.js';
import { SelectField, TextField } from '../../components/form.js';
import { Badge, Button, EmptyState, ErrorBanner, Loading, PageHeader } from '../../components/ui.js';
import { formatDate } from '../../lib/format.js';
import { useProject } from './layout.js';

const tone = (s: number) => (s >= 500 ? 'bad' : s >= 400 ? 'warn' : 'good');

/** "::ffff:127.0.0.1" (an IPv4 client seen over IPv6) → "127.0.0.1". */
export function readableIp(ip: string | undefined | null): string {
  if (!ip) return '—';
  return ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}

const PERIODS = [
  { value: '', label: 'Any time' },
  { value: '15m', label: 'Last 15 minutes' },
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: 'custom', label: 'Custom range' },
];
const PERIOD_MS: Record<string, number> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};

/** A `datetime-local` value (local time) as an ISO instant, or undefined when empty/invalid. */
function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Request logs of the project's public API with filters (CONTRACT §5). */
export function LogsPage() {
  const { projectId } = useProject();
  const api = useApi();
  const [method, setMethod] = useState('');
  const [status, setStatus] = useState('');
  const [path, setPath] = useState('');
  const [period, setPeriod] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [applied, setApplied] = useState<Record<string, string>>({});
  const [page, setPage] = useState(1);
  const query = { ...applied, page: String(page), limit: '50' };
  const logs = useQuery({
    queryKey: ['logs', projectId, query],
    queryFn: () => insightsApi.logs(api, projectId, query),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next: Record<string, string> = {};
    if (method) next.method = method;
    if (status) next.statusClass = status.charAt(0);
    if (path.trim()) next.path = path.trim();
    const span = PERIOD_MS[period];
    if (span) next.from = new Date(Date.now() - span).toISOString();
    if (period === 'custom') {
      const f = isoOf(from);
      const t = isoOf(to);
      if (f) next.from = f;
      if (t) next.to = t;
    }
    setApplied(next);
    setPage(1);
  };
  const items = logs.data?.items ?? [];
  return (
    <>
      <PageHeader title="Request logs" subtitle="Recent requests to this project’s public API." />
      <form className="filter-bar filter-row" onSubmit={submit} aria-label="Filter logs">
        <SelectField
          label="Method"
          value={method}
          options={[{ value: '', label: 'Any' }, 'GET', 'POST', 'PUT', 'PATCH', 'DELETE']}
          onChange={(e) => setMethod(e.target.value)}
        />
        <SelectField
          label="Status"
          value={status}
          options={[{ value: '', label: 'Any' }, '2xx', '3xx', '4xx', '5xx']}
          onChange={(e) => setStatus(e.target.value)}
        />
        <TextField label="Path contains" value={path} onChange={(e) => setPath(e.target.value)} />
        <SelectField label="Time" value={period} options={PERIODS} onChange={(e) => setPeriod(e.target.value)} />
        {period === 'custom' && (
          <>
            <TextField label="From" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
            <TextField label="To" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
          </>
        )}
        <Button type="submit" variant="primary" small>
          Apply
        </Button>
      </form>
      {logs.isPending ? (
        <Loading label="Loading logs…" />
      ) : logs.error ? (
        <ErrorBanner error={logs.error} title="Could not load logs" onRetry={() => void logs.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No requests logged">Requests appear here as soon as your app calls the public API.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Status</th>
                <th scope="col">Method</th>
                <th scope="col">Path</th>
                <th scope="col">Latency</th>
                <th scope="col">Key</th>
                <th scope="col">IP</th>
              </tr>
            </thead>
            <tbody>
              {items.map((l, i) => {
                const s = l.status ?? l.statusCode ?? 0;
                return (
                  <tr key={l._id ?? `${l.at ?? l.timestamp}-${i}`}>
                    <td className="nowrap">{formatDate(l.at ?? l.timestamp)}</td>
                    <td>
                      <Badge tone={tone(s)}>{s}</Badge>
                    </td>
                    <td className="mono">{l.method}</td>
                    <td className="mono small" title={(l as { route?: string }).route || undefined}>
                      {l.path ?? l.endpoint}
                    </td>
                    <td>
                      {(l.latencyMs ?? l.responseTimeMs) !== undefined
                        ? `${Math.round(l.latencyMs ?? l.responseTimeMs ?? 0)} ms`
                        : '—'}
                    </td>
                    <td className="small">{l.keyRole ?? '—'}</td>
                    <td className="small">{readableIp(l.ip)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        <Button small disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Newer
        </Button>
        <span className="muted small">Page {page}</span>
        <Button small disabled={items.length < 50} onClick={() => setPage(page + 1)}>
          Older
        </Button>
      </nav>
    </>
  );
}

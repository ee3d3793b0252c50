import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { insightsApi } from '../../api/extras.js';
import type { LogEntry } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { SelectField, TextField } from '../../components/form.js';
import { Drawer } from '../../components/grid/drawer.js';
import { Badge, Button, EmptyState, ErrorBanner, Loading, PageHeader } from '../../components/ui.js';
import { formatDate } from '../../lib/format.js';
import { useProject } from './layout.js';

const tone = (s: number) => (s >= 500 ? 'bad' : s >= 400 ? 'warn' : 'good');
const PAGE_SIZE = 50;

/** "::ffff:127.0.0.1" (an IPv4 client seen over IPv6) → "127.0.0.1". */
export function readableIp(ip: string | undefined | null): string {
  if (!ip) return '—';
  return ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}

/** Time windows: presets are the server's `range` (computed there), "custom" sends `from` / `to`. */
const PERIODS = [
  { value: '', label: 'Any time' },
  { value: 'last1h', label: 'Last hour' },
  { value: 'last24h', label: 'Last 24 hours' },
  { value: 'last7d', label: 'Last 7 days' },
  { value: 'last30d', label: 'Last 30 days' },
  { value: 'custom', label: 'Custom range' },
];

/** A `datetime-local` value (local time) as an ISO instant, or undefined when empty/invalid. */
function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

const statusOf = (l: LogEntry) => l.status ?? l.statusCode ?? 0;
const latencyOf = (l: LogEntry) => l.latencyMs ?? l.responseTimeMs;
const pathOf = (l: LogEntry) => l.path ?? l.endpoint ?? '';

function Fact({ label, children, mono }: { label: string; children: ReactNode; mono?: boolean }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd className={mono ? 'mono' : undefined}>{children}</dd>
    </div>
  );
}

/** Every recorded field of one request, in the side drawer. */
function LogDetail({ log, onClose }: { log: LogEntry; onClose: () => void }) {
  const status = statusOf(log);
  const latency = latencyOf(log);
  return (
    <Drawer
      title={
        <>
          {log.method} {pathOf(log)}
        </>
      }
      onClose={onClose}
    >
      <dl className="log-facts" aria-label="Request details">
        <Fact label="Status">
          <Badge tone={tone(status)}>{status}</Badge>
        </Fact>
        <Fact label="Method" mono>
          {log.method}
        </Fact>
        <Fact label="Route template" mono>
          {log.route || '—'}
        </Fact>
        <Fact label="Path" mono>
          {pathOf(log) || '—'}
        </Fact>
        <Fact label="Latency">{latency !== undefined ? `${latency.toFixed(1)} ms` : '—'}</Fact>
        <Fact label="Time">
          {formatDate(log.at ?? log.timestamp)}
          {(log.at ?? log.timestamp) && <span className="muted small"> ({log.at ?? log.timestamp})</span>}
        </Fact>
        <Fact label="Key">{log.keyRole ?? '—'}</Fact>
        <Fact label="IP" mono>
          {readableIp(log.ip)}
        </Fact>
        <Fact label="User agent" mono>
          {log.userAgent || '—'}
        </Fact>
        <Fact label="End user" mono>
          {log.userId || 'none (no user token)'}
        </Fact>
        <Fact label="Error">{log.error ? <span className="log-error">{log.error}</span> : 'none'}</Fact>
      </dl>
    </Drawer>
  );
}

/** Request logs of the project's public API with filters, a time window and a detail drawer (CONTRACT §5). */
export function LogsPage() {
  const { projectId } = useProject();
  const api = useApi();
  const [method, setMethod] = useState('');
  const [status, setStatus] = useState('');
  const [path, setPath] = useState('');
  const [period, setPeriod] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [rangeError, setRangeError] = useState<string | undefined>();
  const [applied, setApplied] = useState<Record<string, string>>({});
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<LogEntry | null>(null);
  const query = { ...applied, page: String(page), limit: String(PAGE_SIZE) };
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
    if (period === 'custom') {
      const f = isoOf(from);
      const t = isoOf(to);
      if (f && t && f > t) return setRangeError('“From” must be before “To”.');
      if (f) next.from = f;
      if (t) next.to = t;
    } else if (period) next.range = period;
    setRangeError(undefined);
    setApplied(next);
    setPage(1);
  };
  const items = logs.data?.items ?? [];
  const total = logs.data?.total ?? null;
  const lastPage = total !== null && Number.isFinite(total) ? Math.max(1, Math.ceil(total / PAGE_SIZE)) : null;
  return (
    <>
      <PageHeader title="Request logs" subtitle="Requests to this project’s public API. Click a row for every detail." />
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
            <TextField label="To" type="datetime-local" value={to} error={rangeError} onChange={(e) => setTo(e.target.value)} />
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
        <EmptyState title={Object.keys(applied).length ? 'No requests match these filters' : 'No requests logged'}>
          {Object.keys(applied).length
            ? 'Widen the time window or remove a filter.'
            : 'Requests appear here as soon as your app calls the public API.'}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table log-table">
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
                const s = statusOf(l);
                const latency = latencyOf(l);
                return (
                  // biome-ignore lint/a11y/useKeyWithClickEvents: the row click is a shortcut; the time cell is a button for keyboards
                  <tr
                    key={l._id ?? `${l.at ?? l.timestamp}-${i}`}
                    className={`log-row ${open?._id && open._id === l._id ? 'row-selected' : ''}`}
                    onClick={() => setOpen(l)}
                  >
                    <td className="nowrap">
                      <button
                        type="button"
                        className="link-btn"
                        aria-label={`Details of ${l.method} ${pathOf(l)} at ${formatDate(l.at ?? l.timestamp)}`}
                        onClick={(e) => {
                          e.stopPropagation();
                          setOpen(l);
                        }}
                      >
                        {formatDate(l.at ?? l.timestamp)}
                      </button>
                    </td>
                    <td>
                      <Badge tone={tone(s)}>{s}</Badge>
                    </td>
                    <td className="mono">{l.method}</td>
                    <td className="mono small" title={l.route || undefined}>
                      {pathOf(l)}
                    </td>
                    <td>{latency !== undefined ? `${Math.round(latency)} ms` : '—'}</td>
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
        <span className="muted small">
          Page {page}
          {lastPage !== null ? ` of ${lastPage} · ${total} requests` : ''}
        </span>
        <Button
          small
          disabled={lastPage !== null ? page >= lastPage : items.length < PAGE_SIZE}
          onClick={() => setPage(page + 1)}
        >
          Older
        </Button>
      </nav>
      {open && <LogDetail log={open} onClose={() => setOpen(null)} />}
    </>
  );
}

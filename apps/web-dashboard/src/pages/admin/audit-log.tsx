import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { adminApi } from '../../api/admin.js';
import { useApi } from '../../auth/auth-context.js';
import { Badge, Button, EmptyState, ErrorBanner, Loading } from '../../components/ui.js';
import { formatDate } from '../../lib/format.js';

const LIMIT = 50;

/** `{from:'free',to:'pro'}` → "from: free · to: pro". */
function detailsText(details: Record<string, unknown> | undefined): string {
  if (!details) return '';
  return Object.entries(details)
    .map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

/** The platform admin actions, newest first. */
export function AuditLogPanel() {
  const api = useApi();
  const [page, setPage] = useState(1);
  const log = useQuery({
    queryKey: ['admin', 'audit', page],
    queryFn: () => adminApi.auditLog(api, { page, limit: LIMIT }),
    placeholderData: keepPreviousData,
  });
  const items = log.data?.items ?? [];
  const lastPage = log.data?.totalPages ?? 1;
  return (
    <div className="stack">
      {log.isPending ? (
        <Loading label="Loading the audit log…" />
      ) : log.error ? (
        <ErrorBanner error={log.error} title="Could not load the audit log" onRetry={() => void log.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No admin actions yet">
          Plan changes, disabled developers and registration changes appear here.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Admin</th>
                <th scope="col">Action</th>
                <th scope="col">On</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e._id}>
                  <td className="nowrap">{formatDate(e.at)}</td>
                  <td>{e.adminEmail}</td>
                  <td>
                    <Badge tone="info">{e.action}</Badge>
                  </td>
                  <td>{e.target?.label || '—'}</td>
                  <td className="small muted">{detailsText(e.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        <Button small disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Newer
        </Button>
        <span className="muted small">
          Page {page} of {lastPage}
          {log.data ? ` · ${log.data.total} actions` : ''}
        </span>
        <Button small disabled={page >= lastPage} onClick={() => setPage(page + 1)}>
          Older
        </Button>
      </nav>
    </div>
  );
}

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { projectPath } from '../../api/projects.js';
import { useApi } from '../../auth/auth-context.js';
import { Badge, Button, Card, EmptyState, ErrorBanner, Loading } from '../../components/ui.js';
import type { ApiClient } from '../../lib/api-client.js';
import { formatDate } from '../../lib/format.js';
import { useProject } from './layout.js';

/** One row of `GET /api/projects/:projectId/mail/deliveries`. */
export interface MailDeliveryRow {
  _id: string;
  to: string[];
  subject: string;
  template: string | null;
  status: 'queued' | 'sent' | 'failed';
  attempts: { attemptNumber: number; status: string; error: string | null; attemptedAt: string }[];
  lastError: string | null;
  nextRetryAt: string | null;
  provider?: 'byok' | 'default';
  providerMessageId?: string | null;
  createdAt: string;
}

interface DeliveriesPage {
  data: MailDeliveryRow[];
  pagination: { page: number; limit: number; total: number; totalPages: number };
}

const PAGE_SIZE = 20;
const STATUSES = ['', 'queued', 'sent', 'failed'] as const;

function fetchDeliveries(api: ApiClient, projectId: string, page: number, status: string): Promise<DeliveriesPage> {
  return api.get<DeliveriesPage>(projectPath(projectId, '/mail/deliveries'), {
    query: { page, limit: PAGE_SIZE, status: status || undefined },
  });
}

const tone = (s: MailDeliveryRow['status']) => (s === 'sent' ? 'good' : s === 'failed' ? 'bad' : 'warn');

/**
 * A mail "sent" by the platform mailer without a message id was only printed to the server log:
 * the server runs without SMTP_URL (development). SMTP always answers with a message id.
 */
export const onlyLogged = (d: MailDeliveryRow) => d.status === 'sent' && d.provider === 'default' && !d.providerMessageId;

function DeliveryRow({ d }: { d: MailDeliveryRow }) {
  const recipients = d.to.length > 2 ? `${d.to.slice(0, 2).join(', ')} +${d.to.length - 2}` : d.to.join(', ');
  return (
    <tr>
      <td className="nowrap">{formatDate(d.createdAt)}</td>
      <td>
        {onlyLogged(d) ? (
          <span title="The server has no SMTP_URL: this mail was printed to its log, not delivered.">
            <Badge>logged (no SMTP)</Badge>
          </span>
        ) : (
          <Badge tone={tone(d.status)}>{d.status}</Badge>
        )}
        {d.status === 'queued' && d.nextRetryAt && <div className="muted small">retry {formatDate(d.nextRetryAt)}</div>}
      </td>
      <td className="small" title={d.to.join(', ')}>
        {recipients}
      </td>
      <td>
        {d.subject}
        {d.template && <div className="muted small mono">{d.template}</div>}
      </td>
      <td>{d.attempts.length}</td>
      <td className="small">{d.lastError ?? '—'}</td>
    </tr>
  );
}

/** The project's mail delivery log: every `mail.send`, its attempts and the last error. */
export function MailDeliveryLog() {
  const { projectId } = useProject();
  const api = useApi();
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState('');
  const list = useQuery({
    queryKey: ['mail-deliveries', projectId, page, status],
    queryFn: () => fetchDeliveries(api, projectId, page, status),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
  const items = list.data?.data ?? [];
  const totalPages = list.data?.pagination.totalPages ?? 1;
  const filter = (
    <label className="small">
      Status{' '}
      <select
        value={status}
        onChange={(e) => {
          setStatus(e.target.value);
          setPage(1);
        }}
      >
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {s || 'all'}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <Card title="Delivery log" actions={filter}>
      {list.isPending ? (
        <Loading label="Loading deliveries…" />
      ) : list.error ? (
        <ErrorBanner error={list.error} title="Could not load the delivery log" onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No mail sent yet">
          Every mail.send appears here with its status, attempts and the last error.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Status</th>
                <th scope="col">Recipients</th>
                <th scope="col">Subject</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <DeliveryRow key={d._id} d={d} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {totalPages > 1 && (
        <nav className="pager" aria-label="Delivery log pages">
          <Button small disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Newer
          </Button>
          <span className="muted small">
            Page {page} of {totalPages}
          </span>
          <Button small disabled={page >= totalPages} onClick={() => setPage(page + 1)}>
            Older
          </Button>
        </nav>
      )}
    </Card>
  );
}

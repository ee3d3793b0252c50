import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { CONFIG_CATEGORIES, type ConfigLogEntry, configLogApi } from '../../api/teams.js';
import { useApi } from '../../auth/auth-context.js';
import { SelectField } from '../../components/form.js';
import { Badge, Button, EmptyState, ErrorBanner, Loading, PageHeader } from '../../components/ui.js';
import { formatDate } from '../../lib/format.js';
import { useProject } from './layout.js';

const LIMIT = 30;
const categoryLabel = (value: string) => CONFIG_CATEGORIES.find((c) => c.value === value)?.label ?? value;

/** A before/after value as text: `—` when absent, JSON for objects. */
function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function DiffTable({ entry }: { entry: ConfigLogEntry }) {
  const diff = entry.diff ?? [];
  if (diff.length === 0) return <p className="muted small">No field-level details were recorded for this change.</p>;
  return (
    <table className="table diff-table">
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {diff.map((d) => (
          <tr key={d.field}>
            <td>{d.field}</td>
            <td>{show(d.from)}</td>
            <td>{show(d.to)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Who changed what in the project's configuration, newest first (secrets are masked by the server). */
export function ConfigLogPage() {
  const { projectId } = useProject();
  const api = useApi();
  const [category, setCategory] = useState('');
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const query = { page, limit: LIMIT, ...(category ? { category } : {}) };
  const logs = useQuery({
    queryKey: ['config-logs', projectId, query],
    queryFn: () => configLogApi.list(api, projectId, query),
    placeholderData: keepPreviousData,
  });
  const toggle = (id: string) => {
    const next = new Set(open);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setOpen(next);
  };
  const items = logs.data?.logs ?? [];
  const pagination = logs.data?.pagination;
  const lastPage = Math.max(1, pagination?.totalPages ?? 1);
  return (
    <>
      <PageHeader
        title="Config log"
        subtitle="Every change to keys, collections, access rules, auth, domains, storage, webhooks, mail and members."
      />
      <div className="filter-bar filter-row">
        <SelectField
          label="Category"
          value={category}
          options={[{ value: '', label: 'All categories' }, ...CONFIG_CATEGORIES]}
          onChange={(e) => {
            setCategory(e.target.value);
            setPage(1);
          }}
        />
      </div>
      {logs.isPending ? (
        <Loading label="Loading the config log…" />
      ) : logs.error ? (
        <ErrorBanner error={logs.error} title="Could not load the config log" onRetry={() => void logs.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={category ? 'No changes in this category' : 'No changes yet'}>
          {category ? 'Pick another category.' : 'Changes to this project’s configuration appear here.'}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Category</th>
                <th scope="col">Change</th>
                <th scope="col">
                  <span className="sr-only">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((l) => (
                <Fragment key={l._id}>
                  <tr>
                    <td className="nowrap">{formatDate(l.changedAt)}</td>
                    <td>{l.changedByEmail ?? l.changedBy ?? '—'}</td>
                    <td>
                      <Badge tone="info">{categoryLabel(l.category)}</Badge>
                    </td>
                    <td>{l.label}</td>
                    <td className="row-end">
                      <Button
                        small
                        variant="ghost"
                        aria-expanded={open.has(l._id)}
                        aria-controls={`diff-${l._id}`}
                        onClick={() => toggle(l._id)}
                      >
                        {open.has(l._id) ? 'Hide changes' : 'Show changes'}
                      </Button>
                    </td>
                  </tr>
                  {open.has(l._id) && (
                    <tr className="diff-row" id={`diff-${l._id}`}>
                      <td colSpan={5}>
                        <DiffTable entry={l} />
                      </td>
                    </tr>
                  )}
                </Fragment>
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
          {pagination ? ` · ${pagination.total} changes` : ''}
        </span>
        <Button small disabled={page >= lastPage} onClick={() => setPage(page + 1)}>
          Older
        </Button>
      </nav>
    </>
  );
}

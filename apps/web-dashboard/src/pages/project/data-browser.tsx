import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { collectionsApi } from '../../api/projects.js';
import type { Collection, DataRow } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { CopyButton } from '../../components/copy-button.js';
import { SelectField, TextField } from '../../components/form.js';
import { ConfirmDialog, Modal } from '../../components/modal.js';
import { useToast } from '../../components/toast.js';
import { Button, EmptyState, ErrorBanner, Loading } from '../../components/ui.js';
import { cellText, formatDate } from '../../lib/format.js';
import { useProject } from './layout.js';
import { ExportDialog, ImportDialog } from './lifecycle.js';
import { LiveControls, useLiveCollection } from './live-controls.js';
import { RecordForm } from './record-form.js';
import { useGuard } from './role.js';

interface Filter {
  field: string;
  op: string;
  value: string;
}

const OPS = [
  { value: '', label: 'equals' },
  { value: '_ne', label: 'not equal' },
  { value: '_gt', label: '>' },
  { value: '_gte', label: '≥' },
  { value: '_lt', label: '<' },
  { value: '_lte', label: '≤' },
  { value: '_in', label: 'one of (a,b)' },
  { value: '_regex', label: 'matches regex' },
  { value: '_exists', label: 'exists (true/false)' },
];

/** The public API query string for these filters (reference §4): `field_op=value&sort=f:dir&page&limit`. */
function toQuery(filters: Filter[], sort: string, dir: string, page: number, limit: number): Record<string, string> {
  const q: Record<string, string> = { page: String(page), limit: String(limit) };
  if (sort) q.sort = `${sort}:${dir}`;
  for (const f of filters) if (f.field && f.value !== '') q[`${f.field}${f.op}`] = f.value;
  return q;
}

function FilterBar({ fields, onApply }: { fields: string[]; onApply: (filters: Filter[], sort: string, dir: string) => void }) {
  const [filters, setFilters] = useState<Filter[]>([]);
  const [sort, setSort] = useState('createdAt');
  const [dir, setDir] = useState('desc');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(filters, sort, dir);
  };
  const set = (i: number, patch: Partial<Filter>) => setFilters(filters.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  return (
    <form className="filter-bar" onSubmit={submit} aria-label="Filter and sort">
      {filters.map((f, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: filter rows have no identity beyond their position
        <div className="filter-row" key={i}>
          <SelectField label="Field" value={f.field} options={fields} onChange={(e) => set(i, { field: e.target.value })} />
          <SelectField label="Operator" value={f.op} options={OPS} onChange={(e) => set(i, { op: e.target.value })} />
          <TextField label="Value" value={f.value} onChange={(e) => set(i, { value: e.target.value })} />
          <Button
            small
            variant="ghost"
            aria-label={`Remove filter ${i + 1}`}
            onClick={() => setFilters(filters.filter((_, j) => j !== i))}
          >
            Remove
          </Button>
        </div>
      ))}
      <div className="filter-row">
        <SelectField label="Sort by" value={sort} options={fields} onChange={(e) => setSort(e.target.value)} />
        <SelectField
          label="Order"
          value={dir}
          options={[
            { value: 'desc', label: 'Descending' },
            { value: 'asc', label: 'Ascending' },
          ]}
          onChange={(e) => setDir(e.target.value)}
        />
        <Button small onClick={() => setFilters([...filters, { field: fields[0] ?? '_id', op: '', value: '' }])}>
          + Filter
        </Button>
        <Button small type="submit" variant="primary">
          Apply
        </Button>
      </div>
    </form>
  );
}

/** Paged table of a collection's documents with filters, sort, add/edit/delete and a JSON view. */
export function DataBrowser({ collection }: { collection: Collection }) {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [page, setPage] = useState(1);
  const [limit, setLimit] = useState(20);
  const [applied, setApplied] = useState<{ filters: Filter[]; sort: string; dir: string }>({
    filters: [],
    sort: 'createdAt',
    dir: 'desc',
  });
  const [editing, setEditing] = useState<DataRow | 'new' | null>(null);
  const [viewing, setViewing] = useState<DataRow | null>(null);
  const [deleting, setDeleting] = useState<DataRow | null>(null);
  const [transfer, setTransfer] = useState<'export' | 'import' | null>(null);
  const guard = useGuard();
  const query = toQuery(applied.filters, applied.sort, applied.dir, page, limit);
  const key = ['data', projectId, collection.name, query];
  const data = useQuery({
    queryKey: key,
    queryFn: () => collectionsApi.listData(api, projectId, collection.name, query),
    placeholderData: keepPreviousData,
  });
  const columns = ['_id', ...collection.model.map((f) => f.key), 'createdAt'];
  const fields = ['_id', ...collection.model.map((f) => f.key), 'createdAt', 'updatedAt'];
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['data', projectId, collection.name] });
  // Live updates (docs/realtime.md#dashboard): the same filters, without paging and sort.
  const liveFilters = Object.fromEntries(Object.entries(query).filter(([k]) => k !== 'page' && k !== 'limit' && k !== 'sort'));
  const live = useLiveCollection(projectId, collection.name, liveFilters, () => void refresh());
  const qs = Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%3A/gi, ':').replace(/%2C/gi, ',')}`)
    .join('&');
  const dateColumns = new Set(['createdAt', ...collection.model.filter((f) => f.type === 'Date').map((f) => f.key)]);
  const rows = data.data?.items ?? [];
  const total = data.data?.total ?? null;
  const lastPage = total !== null ? Math.max(1, Math.ceil(total / limit)) : rows.length < limit ? page : page + 1;

  return (
    <div className="stack">
      <FilterBar
        fields={fields}
        onApply={(filters, sort, dir) => {
          setApplied({ filters, sort, dir });
          setPage(1);
        }}
      />
      <div className="row-between">
        <p className="muted small">
          Public API equivalent:{' '}
          <code className="wrap">
            GET /api/data/{collection.name}?{qs}
          </code>{' '}
          <CopyButton text={`/api/data/${collection.name}?${qs}`} label="Copy query" />
        </p>
        <LiveControls live={live} />
        <div className="row-end nowrap">
          <Button onClick={() => setTransfer('export')}>Export</Button>
          <Button {...guard} onClick={() => setTransfer('import')}>
            Import
          </Button>
        </div>
        {collection.name === 'users' ? (
          <Link className="btn btn-primary" to={`/projects/${projectId}/users`}>
            Manage users
          </Link>
        ) : (
          <Button variant="primary" {...guard} onClick={() => setEditing('new')}>
            Add document
          </Button>
        )}
      </div>
      {data.isPending ? (
        <Loading label="Loading documents…" />
      ) : data.error ? (
        <ErrorBanner error={data.error} title="Could not load documents" onRetry={() => void data.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title={applied.filters.length ? 'No documents match these filters' : 'No documents yet'}>
          {applied.filters.length ? 'Change or remove a filter.' : 'Add one here or insert from your app with the API.'}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table data-table">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row._id} className={live.recent.has(row._id) ? 'row-live' : undefined}>
                  {columns.map((c) => (
                    <td key={c} className={c === '_id' ? 'mono small' : undefined} title={cellText(row[c])}>
                      {dateColumns.has(c) && row[c] ? formatDate(row[c] as string) : cellText(row[c])}
                    </td>
                  ))}
                  <td className="row-end nowrap">
                    <Button small variant="ghost" onClick={() => setViewing(row)} aria-label={`View ${row._id} as JSON`}>
                      JSON
                    </Button>
                    <Button small {...guard} onClick={() => setEditing(row)} aria-label={`Edit ${row._id}`}>
                      Edit
                    </Button>
                    <Button small variant="danger" {...guard} onClick={() => setDeleting(row)} aria-label={`Delete ${row._id}`}>
                      Delete
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        <Button small disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </Button>
        <span className="muted small">
          Page {page}
          {total !== null ? ` of ${lastPage} · ${total} documents` : ''}
        </span>
        <Button small disabled={page >= lastPage} onClick={() => setPage(page + 1)}>
          Next
        </Button>
        <SelectField
          label="Per page"
          value={String(limit)}
          options={['10', '20', '50', '100']}
          onChange={(e) => {
            setLimit(Number(e.target.value));
            setPage(1);
          }}
        />
      </nav>
      {editing && (
        <RecordForm
          schema={collection.model}
          row={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSave={async (doc) => {
            if (editing === 'new') await collectionsApi.insert(api, projectId, collection.name, doc);
            else await collectionsApi.update(api, projectId, collection.name, editing._id, doc);
            toast(editing === 'new' ? 'Document added' : 'Document saved');
            await refresh();
          }}
        />
      )}
      {transfer === 'export' && (
        <ExportDialog
          collection={collection}
          filters={Object.fromEntries(Object.entries(query).filter(([k]) => k !== 'page' && k !== 'limit'))}
          onClose={() => setTransfer(null)}
        />
      )}
      {transfer === 'import' && <ImportDialog collection={collection} onClose={() => setTransfer(null)} />}
      {viewing && (
        <Modal
          title={`Document ${viewing._id}`}
          onClose={() => setViewing(null)}
          wide
          footer={<CopyButton text={JSON.stringify(viewing, null, 2)} label="Copy JSON" small={false} />}
        >
          <pre className="code">{JSON.stringify(viewing, null, 2)}</pre>
        </Modal>
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete this document?"
          message={
            <>
              Document <code>{deleting._id}</code> moves to the trash (the Trash tab restores it) unless the trash is off for this
              collection.
            </>
          }
          confirmLabel="Delete"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await collectionsApi.removeRow(api, projectId, collection.name, deleting._id);
            toast('Document deleted');
            await refresh();
          }}
        />
      )}
    </div>
  );
}

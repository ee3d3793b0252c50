import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { Link } from 'react-router';
import { API_PAGE_LIMIT, GRID_PAGE_SIZES, listGridPage } from '../../api/data-pages.js';
import { collectionsApi } from '../../api/projects.js';
import type { Collection, DataRow } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { CopyButton } from '../../components/copy-button.js';
import { SelectField, TextField } from '../../components/form.js';
import { confirmDiscard } from '../../components/forms/unsaved.js';
import { DataGrid, type GridSort } from '../../components/grid/data-grid.js';
import { Drawer } from '../../components/grid/drawer.js';
import { ConfirmDialog, Modal } from '../../components/modal.js';
import { useToast } from '../../components/toast.js';
import { Button, EmptyState, ErrorBanner, Loading } from '../../components/ui.js';
import { escapeRegex, fieldPaths } from '../../schema/field-rules.js';
import { useProject } from './layout.js';
import { ExportAction, ExportDialog, ImportDialog } from './lifecycle.js';
import { LiveControls, useLiveCollection } from './live-controls.js';
import { RecordEditor, RecordForm } from './record-form.js';
import { useGuard } from './role.js';

interface Search {
  field: string;
  text: string;
}

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
function toQuery(filters: Filter[], search: Search, sort: GridSort, page: number, limit: number): Record<string, string> {
  const q: Record<string, string> = { page: String(page), limit: String(limit) };
  if (sort.field) q.sort = `${sort.field}:${sort.dir}`;
  // Free-text search is a case-insensitive `_regex` filter on one String field (reference §4).
  if (search.field && search.text.trim()) q[`${search.field}_regex`] = escapeRegex(search.text.trim());
  for (const f of filters) if (f.field && f.value !== '') q[`${f.field}${f.op}`] = f.value;
  return q;
}

function FilterBar({
  fields,
  stringFields,
  onApply,
}: { fields: string[]; stringFields: string[]; onApply: (filters: Filter[], search: Search) => void }) {
  const [filters, setFilters] = useState<Filter[]>([]);
  const [search, setSearch] = useState<Search>({ field: stringFields[0] ?? '', text: '' });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(filters, search);
  };
  const set = (i: number, patch: Partial<Filter>) => setFilters(filters.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  return (
    <form className="filter-bar" onSubmit={submit} aria-label="Search and filter">
      {stringFields.length > 0 && (
        <div className="filter-row">
          <TextField
            label="Search"
            type="search"
            placeholder="Text contained in the field…"
            value={search.text}
            onChange={(e) => setSearch({ ...search, text: e.target.value })}
          />
          <SelectField
            label="Search in"
            value={search.field}
            options={stringFields}
            onChange={(e) => setSearch({ ...search, field: e.target.value })}
          />
        </div>
      )}
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
        <Button small onClick={() => setFilters([...filters, { field: fields[0] ?? '_id', op: '', value: '' }])}>
          + Filter
        </Button>
        <Button small type="submit" variant="primary">
          Apply
        </Button>
        <span className="muted small">Sort by clicking a column header.</span>
      </div>
    </form>
  );
}

/**
 * A collection's documents in the data grid: search, filters (nested paths too), header sort,
 * inline edit, a details drawer (form + JSON), multi-select with bulk delete, add, export/import
 * and live updates.
 */
export function DataBrowser({ collection }: { collection: Collection }) {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [page, setPage] = useState(1);
  const [limit, setLimit] = useState(20);
  const [applied, setApplied] = useState<{ filters: Filter[]; search: Search }>({
    filters: [],
    search: { field: '', text: '' },
  });
  const [sort, setSort] = useState<GridSort>({ field: 'createdAt', dir: 'desc' });
  const [selected, setSelected] = useState<string[]>([]);
  const [editing, setEditing] = useState<DataRow | 'new' | null>(null);
  const [viewing, setViewing] = useState<DataRow | null>(null);
  const [open, setOpen] = useState<{ row: DataRow; tab: 'form' | 'json' } | null>(null);
  const drawerDirty = useRef(false);
  const [deleting, setDeleting] = useState<DataRow | null>(null);
  const [bulkDeleting, setBulkDeleting] = useState(false);
  const [transfer, setTransfer] = useState<'export' | 'import' | null>(null);
  const guard = useGuard();
  const query = toQuery(applied.filters, applied.search, sort, page, limit);
  const key = ['data', projectId, collection.name, query];
  const data = useQuery({
    queryKey: key,
    queryFn: () => listGridPage(api, projectId, collection.name, query),
    placeholderData: keepPreviousData,
  });
  const paths = fieldPaths(collection.model);
  const fields = ['_id', ...paths.map((p) => p.path), 'createdAt', 'updatedAt'];
  const stringFields = paths.filter((p) => p.field.type === 'String').map((p) => p.path);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['data', projectId, collection.name] });
  // Live updates (docs/realtime.md#dashboard): the same filters, without paging and sort.
  const liveFilters = Object.fromEntries(Object.entries(query).filter(([k]) => k !== 'page' && k !== 'limit' && k !== 'sort'));
  const live = useLiveCollection(projectId, collection.name, liveFilters, () => void refresh());
  // The public API pages by at most 100: a bigger page of this view is several of its pages
  // (joined by listGridPage), shown here as the first of them.
  const apiPages = Math.ceil(limit / API_PAGE_LIMIT);
  const apiQuery = apiPages > 1 ? { ...query, page: String((page - 1) * apiPages + 1), limit: String(API_PAGE_LIMIT) } : query;
  const qs = Object.entries(apiQuery)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%3A/gi, ':').replace(/%2C/gi, ',')}`)
    .join('&');
  const rows = data.data?.items ?? [];
  const total = data.data?.total ?? null;
  const lastPage = total !== null ? Math.max(1, Math.ceil(total / limit)) : rows.length < limit ? page : page + 1;
  const filtered = applied.filters.length > 0 || applied.search.text.trim() !== '';
  const isUsers = collection.name === 'users';
  const visibleSelected = selected.filter((id) => rows.some((r) => r._id === id));
  const closeDrawer = () => confirmDiscard(drawerDirty.current, () => setOpen(null));
  const withoutMeta = (row: DataRow) => Object.fromEntries(Object.entries(row).filter(([k]) => k !== '__v'));

  return (
    <div className="stack">
      <FilterBar
        fields={fields}
        stringFields={stringFields}
        onApply={(filters, search) => {
          setApplied({ filters, search });
          setPage(1);
          setSelected([]);
        }}
      />
      <div className="row-between wrap-row">
        <p className="muted small api-equivalent">
          Public API equivalent:{' '}
          <code className="wrap">
            GET /api/data/{collection.name}?{qs}
          </code>{' '}
          {apiPages > 1 && <>(and the next {apiPages - 1} pages) </>}
          <CopyButton text={`/api/data/${collection.name}?${qs}`} label="Copy query" />
        </p>
        <LiveControls live={live} />
        <div className="row-end nowrap">
          <ExportAction onClick={() => setTransfer('export')} />
          <Button {...guard} onClick={() => setTransfer('import')}>
            Import
          </Button>
        </div>
        {isUsers ? (
          <Link className="btn btn-primary" to={`/projects/${projectId}/users`}>
            Manage users
          </Link>
        ) : (
          <Button variant="primary" {...guard} onClick={() => setEditing('new')}>
            Add document
          </Button>
        )}
      </div>
      {visibleSelected.length > 0 && (
        <section className="bulk-bar" aria-label="Selection">
          <span>{visibleSelected.length} selected</span>
          <Button small onClick={() => setSelected([])}>
            Clear selection
          </Button>
          <Button small variant="danger" {...guard} onClick={() => setBulkDeleting(true)}>
            Delete {visibleSelected.length} selected
          </Button>
        </section>
      )}
      {data.isPending ? (
        <Loading label="Loading documents…" />
      ) : data.error ? (
        <ErrorBanner error={data.error} title="Could not load documents" onRetry={() => void data.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title={filtered ? 'No documents match these filters' : 'No documents yet'}>
          {filtered ? 'Change or remove a filter.' : 'Add one here or insert from your app with the API.'}
        </EmptyState>
      ) : (
        <DataGrid
          label={`Documents in ${collection.name}`}
          rows={rows}
          schema={collection.model}
          prefsKey={`urbackend.grid.${projectId}.${collection.name}`}
          sort={sort}
          onSort={(s) => {
            setSort(s);
            setPage(1);
          }}
          selected={selected}
          onSelect={setSelected}
          onOpen={(row) => {
            if (open?.row._id === row._id) return;
            confirmDiscard(drawerDirty.current, () => {
              drawerDirty.current = false;
              setOpen({ row, tab: open?.tab ?? 'form' });
            });
          }}
          onEditStart={() => {
            if (!drawerDirty.current) setOpen(null);
          }}
          rowClassName={(row) => (live.recent.has(row._id) ? 'row-live' : undefined)}
          onCellSave={
            guard.disabled || isUsers
              ? undefined
              : async (row, f, value) => {
                  await collectionsApi.update(api, projectId, collection.name, row._id, { [f.key]: value });
                  toast(`${f.key} saved`);
                  await refresh();
                }
          }
          actions={(row) => (
            <>
              <Button small variant="ghost" onClick={() => setViewing(row)} aria-label={`View ${row._id} as JSON`}>
                JSON
              </Button>
              <Button small {...guard} onClick={() => setEditing(row)} aria-label={`Edit ${row._id}`}>
                Edit
              </Button>
              <Button small variant="danger" {...guard} onClick={() => setDeleting(row)} aria-label={`Delete ${row._id}`}>
                Delete
              </Button>
            </>
          )}
        />
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
          options={GRID_PAGE_SIZES.map(String)}
          onChange={(e) => {
            setLimit(Number(e.target.value));
            setPage(1);
          }}
        />
      </nav>
      {open && (
        <Drawer title={`Document ${open.row._id}`} onClose={closeDrawer}>
          <div className="tabs" role="tablist" aria-label="Details view">
            {(['form', 'json'] as const).map((t) => (
              <button
                key={t}
                type="button"
                role="tab"
                aria-selected={open.tab === t}
                className={`tab ${open.tab === t ? 'active' : ''}`}
                onClick={() => confirmDiscard(t === 'json' && drawerDirty.current, () => setOpen({ ...open, tab: t }))}
              >
                {t === 'form' ? 'Form' : 'JSON'}
              </button>
            ))}
          </div>
          {open.tab === 'json' || isUsers || guard.disabled ? (
            <div className="stack">
              <pre className="code">{JSON.stringify(withoutMeta(open.row), null, 2)}</pre>
              <CopyButton text={JSON.stringify(withoutMeta(open.row), null, 2)} label="Copy JSON" small={false} />
            </div>
          ) : (
            <RecordEditor
              key={`${open.row._id}-${String(open.row.updatedAt ?? '')}`}
              schema={collection.model}
              row={open.row}
              onDirtyChange={(d) => {
                drawerDirty.current = d;
              }}
              onCancel={(d) => confirmDiscard(d, () => setOpen(null))}
              onDone={() => {
                drawerDirty.current = false;
                setOpen(null);
              }}
              onSave={async (doc) => {
                await collectionsApi.update(api, projectId, collection.name, open.row._id, doc);
                toast('Document saved');
                await refresh();
              }}
            />
          )}
        </Drawer>
      )}
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
          footer={<CopyButton text={JSON.stringify(withoutMeta(viewing), null, 2)} label="Copy JSON" small={false} />}
        >
          <pre className="code">{JSON.stringify(withoutMeta(viewing), null, 2)}</pre>
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
            if (open?.row._id === deleting._id) setOpen(null);
            toast('Document deleted');
            await refresh();
          }}
        />
      )}
      {bulkDeleting && (
        <ConfirmDialog
          title={`Delete ${visibleSelected.length} documents?`}
          message={
            <>
              The {visibleSelected.length} selected documents move to the trash (the Trash tab restores them) unless the trash is
              off for this collection.
            </>
          }
          confirmLabel={`Delete ${visibleSelected.length}`}
          onClose={() => setBulkDeleting(false)}
          onConfirm={async () => {
            // One call per document through the ordinary delete route, so trash, RLS-free admin rules,
            // webhooks and realtime apply to each exactly as for a single delete.
            const done: string[] = [];
            try {
              for (const id of visibleSelected) {
                await collectionsApi.removeRow(api, projectId, collection.name, id);
                done.push(id);
              }
            } finally {
              setSelected(selected.filter((id) => !done.includes(id)));
              if (done.length) toast(`${done.length} document${done.length === 1 ? '' : 's'} deleted`);
              await refresh();
            }
          }}
        />
      )}
    </div>
  );
}

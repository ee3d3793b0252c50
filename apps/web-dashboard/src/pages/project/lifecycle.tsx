import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { type ExportFormat, type ImportFormat, type ImportReport, lifecycleApi } from '../../api/lifecycle.js';
import type { Collection } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { Checkbox, SelectField } from '../../components/form.js';
import { ConfirmDialog, Modal } from '../../components/modal.js';
import { PlanReason, planBlock, useProjectUsage } from '../../components/plan.js';
import { useToast } from '../../components/toast.js';
import { Button, Card, EmptyState, ErrorBanner, Loading, Notice } from '../../components/ui.js';
import { errorMessage } from '../../lib/api-client.js';
import { formatBytes, formatDate } from '../../lib/format.js';
import { useProject } from './layout.js';
import { useGuard } from './role.js';

function preview(data: Record<string, unknown>): string {
  const { _id: _i, createdAt: _c, updatedAt: _u, __v: _v, ...rest } = data;
  const text = JSON.stringify(rest);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/** A collection's trash: restore, delete forever, empty; the collection's trash switch and the retention. */
export function TrashPanel({ collection }: { collection: Collection }) {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const guard = useGuard();
  const [page, setPage] = useState(1);
  const [confirm, setConfirm] = useState<{ kind: 'one'; id: string } | { kind: 'all' } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const key = ['trash', projectId, collection.name, page];
  const trash = useQuery({ queryKey: key, queryFn: () => lifecycleApi.trash(api, projectId, collection.name, page) });
  const settings = useQuery({ queryKey: ['lifecycle', projectId], queryFn: () => lifecycleApi.settings(api, projectId) });
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['trash', projectId, collection.name] });
    await queryClient.invalidateQueries({ queryKey: ['data', projectId, collection.name] });
  };
  const enabled = !(settings.data?.trashDisabled ?? []).includes(collection.name);

  const restore = async (id: string) => {
    setBusy(id);
    try {
      await lifecycleApi.recover(api, projectId, collection.name, id);
      toast('Document restored');
      await refresh();
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setBusy(null);
    }
  };

  const toggle = async (on: boolean) => {
    const current = settings.data?.trashDisabled ?? [];
    const next = on ? current.filter((n) => n !== collection.name) : [...current, collection.name];
    try {
      await lifecycleApi.saveSettings(api, projectId, { trashDisabled: next });
      await queryClient.invalidateQueries({ queryKey: ['lifecycle', projectId] });
      toast(on ? 'Deletes now go to the trash' : 'Deletes in this collection are now permanent');
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  };

  const data = trash.data;
  const lastPage = data ? Math.max(1, Math.ceil(data.total / data.limit)) : 1;
  return (
    <div className="stack">
      <Card title="Trash settings">
        <Checkbox
          label="Move deleted documents to the trash"
          hint={`Deleted documents can be restored for ${settings.data?.trashRetentionDays ?? 30} days (project setting); they keep counting toward the database size until they expire or are deleted forever. When off, deletes are permanent.`}
          checked={enabled}
          disabled={guard.disabled || settings.isPending}
          title={guard.title}
          onChange={(e) => void toggle(e.target.checked)}
        />
      </Card>
      <Card
        title={`Trash${data ? ` (${data.total})` : ''}`}
        actions={
          <Button
            small
            variant="danger"
            {...guard}
            disabled={guard.disabled || !data?.total}
            onClick={() => setConfirm({ kind: 'all' })}
          >
            Empty trash
          </Button>
        }
      >
        {trash.isPending ? (
          <Loading label="Loading the trash…" />
        ) : trash.error ? (
          <ErrorBanner error={trash.error} title="Could not load the trash" onRetry={() => void trash.refetch()} />
        ) : !data?.items.length ? (
          <EmptyState title="The trash is empty">Deleted documents appear here until they expire.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table data-table">
              <thead>
                <tr>
                  <th scope="col">_id</th>
                  <th scope="col">Document</th>
                  <th scope="col">Deleted</th>
                  <th scope="col">By</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((item) => (
                  <tr key={item.id}>
                    <td className="mono small">{item.id}</td>
                    <td className="small" title={JSON.stringify(item.data)}>
                      {preview(item.data)}
                    </td>
                    <td>{formatDate(item.deletedAt)}</td>
                    <td className="small">{item.deletedBy}</td>
                    <td>{formatDate(item.expiresAt)}</td>
                    <td className="row-end nowrap">
                      <Button
                        small
                        {...guard}
                        busy={busy === item.id}
                        onClick={() => void restore(item.id)}
                        aria-label={`Restore ${item.id}`}
                      >
                        Restore
                      </Button>
                      <Button
                        small
                        variant="danger"
                        {...guard}
                        onClick={() => setConfirm({ kind: 'one', id: item.id })}
                        aria-label={`Delete ${item.id} forever`}
                      >
                        Delete forever
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {data && data.total > data.limit && (
          <nav className="pager" aria-label="Trash pages">
            <Button small disabled={page <= 1} onClick={() => setPage(page - 1)}>
              Previous
            </Button>
            <span className="muted small">
              Page {page} of {lastPage}
            </span>
            <Button small disabled={page >= lastPage} onClick={() => setPage(page + 1)}>
              Next
            </Button>
          </nav>
        )}
      </Card>
      {confirm && (
        <ConfirmDialog
          title={confirm.kind === 'all' ? 'Empty the trash?' : 'Delete this document forever?'}
          message={
            confirm.kind === 'all'
              ? `Every document in the trash of ${collection.name} is deleted permanently. This cannot be undone.`
              : 'The document is deleted permanently. This cannot be undone.'
          }
          confirmLabel={confirm.kind === 'all' ? 'Empty trash' : 'Delete forever'}
          onClose={() => setConfirm(null)}
          onConfirm={async () => {
            if (confirm.kind === 'all') await lifecycleApi.empty(api, projectId, collection.name);
            else await lifecycleApi.destroy(api, projectId, collection.name, confirm.id);
            toast(confirm.kind === 'all' ? 'Trash emptied' : 'Document deleted forever');
            await refresh();
          }}
        />
      )}
    </div>
  );
}

const EXPORT_FORMATS = [
  { value: 'csv', label: 'CSV (nested fields as a.b columns)' },
  { value: 'ndjson', label: 'NDJSON (one JSON document per line)' },
  { value: 'json', label: 'JSON (one array)' },
];

/** Why the plan refuses another export today (`Free plan: 1 of 1 exports used today (UTC). …`), or null. */
export function useExportBlock(): string | null {
  const { projectId } = useProject();
  const usage = useProjectUsage(projectId);
  return planBlock('export', usage.data?.plan, usage.data?.limits, usage.data?.usage.exportsToday ?? 0);
}

/** The data view's "Export" button: disabled with the plan's reason next to it when no export is left today. */
export function ExportAction({ onClick }: { onClick: () => void }) {
  const blocked = useExportBlock();
  return (
    <span className="plan-action">
      <Button onClick={onClick} disabled={Boolean(blocked)} aria-describedby={blocked ? 'export-limit' : undefined}>
        Export
      </Button>
      <PlanReason reason={blocked} id="export-limit" />
    </span>
  );
}

/** Export dialog: format, the data browser's current filters, a streamed download with progress. */
export function ExportDialog({
  collection,
  filters,
  onClose,
}: { collection: Collection; filters: Record<string, string>; onClose: () => void }) {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const blocked = useExportBlock();
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [received, setReceived] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const entries = Object.entries(filters);

  const run = async () => {
    setError(null);
    setReceived(0);
    abort.current = new AbortController();
    try {
      const { blob, filename } = await lifecycleApi.exportFile(
        api,
        projectId,
        collection.name,
        format,
        filters,
        setReceived,
        abort.current.signal,
      );
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename;
      a.click();
      URL.revokeObjectURL(url);
      toast(`Exported ${formatBytes(blob.size)}`);
      onClose();
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'AbortError')) setError(errorMessage(err));
      setReceived(null);
    } finally {
      // The export took one of today's slots (or was refused for lack of one): recount.
      void queryClient.invalidateQueries({ queryKey: ['usage', projectId] });
    }
  };

  return (
    <Modal
      title={`Export ${collection.name}`}
      onClose={() => {
        abort.current?.abort();
        onClose();
      }}
      footer={
        <>
          <Button
            onClick={() => {
              abort.current?.abort();
              onClose();
            }}
          >
            Cancel
          </Button>
          <Button
            variant="primary"
            busy={received !== null}
            disabled={Boolean(blocked)}
            aria-describedby={blocked ? 'export-dialog-limit' : undefined}
            onClick={() => void run()}
          >
            Download
          </Button>
        </>
      }
    >
      <div className="stack">
        <PlanReason reason={blocked} id="export-dialog-limit" />
        <SelectField
          label="Format"
          value={format}
          options={EXPORT_FORMATS}
          onChange={(e) => setFormat(e.target.value as ExportFormat)}
        />
        <p className="muted small">
          {entries.length ? (
            <>
              Filters and sort of the data view: <code className="wrap">{entries.map(([k, v]) => `${k}=${v}`).join('&')}</code>
            </>
          ) : (
            'The whole collection (no filters applied in the data view).'
          )}{' '}
          Passwords are never exported. Exports per project per day are limited by the plan.
        </p>
        {received !== null && (
          <div className="stack">
            <progress aria-label="Export progress" />
            <p className="small" aria-live="polite">
              Received {formatBytes(received)}…
            </p>
          </div>
        )}
        {error && <Notice kind="warning">{error}</Notice>}
      </div>
    </Modal>
  );
}

function formatOf(file: File): ImportFormat {
  const name = file.name.toLowerCase();
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson';
  if (name.endsWith('.json')) return 'json';
  return 'csv';
}

function ReportView({ report }: { report: ImportReport }) {
  return (
    <div className="stack">
      <Notice kind={report.rejected.length ? 'warning' : 'success'}>
        {report.dryRun ? 'Check: ' : 'Imported: '}
        {report.accepted} of {report.total} row(s) {report.dryRun ? 'can be imported' : 'stored'}
        {report.rejected.length ? `, ${report.rejected.length} rejected.` : '.'}
      </Notice>
      {report.rejected.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Errors</th>
              </tr>
            </thead>
            <tbody>
              {report.rejected.slice(0, 500).map((r) => (
                <tr key={r.row}>
                  <td className="mono">{r.row}</td>
                  <td className="small">{r.errors.join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.rejected.length > 500 && <p className="muted small">First 500 of {report.rejected.length} rejected rows.</p>}
        </div>
      )}
    </div>
  );
}

/** Import dialog: a file, a dry run with the error report by row, then the import. */
export function ImportDialog({ collection, onClose }: { collection: Collection; onClose: () => void }) {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<ImportFormat>('csv');
  const [report, setReport] = useState<ImportReport | null>(null);
  const [busy, setBusy] = useState<'check' | 'import' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tooBig = file !== null && file.size > 20 * 1024 * 1024;

  const run = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(dryRun ? 'check' : 'import');
    setError(null);
    try {
      const result = await lifecycleApi.importFile(api, projectId, collection.name, file, format, dryRun);
      setReport(result);
      if (!dryRun) {
        toast(`Imported ${result.accepted} document(s)`);
        await queryClient.invalidateQueries({ queryKey: ['data', projectId, collection.name] });
      }
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Modal
      title={`Import into ${collection.name}`}
      onClose={onClose}
      wide
      footer={
        <>
          <Button onClick={onClose}>{report && !report.dryRun ? 'Close' : 'Cancel'}</Button>
          <Button busy={busy === 'check'} disabled={!file || tooBig || busy !== null} onClick={() => void run(true)}>
            Check (dry run)
          </Button>
          <Button
            variant="primary"
            busy={busy === 'import'}
            disabled={!file || tooBig || busy !== null || !report?.dryRun || report.accepted === 0}
            onClick={() => void run(false)}
          >
            Import {report?.dryRun ? `${report.accepted} row(s)` : ''}
          </Button>
        </>
      }
    >
      <div className="stack">
        <div className="field">
          <label htmlFor="import-file">File (CSV, JSON or NDJSON, up to 20 MB)</label>
          <input
            id="import-file"
            type="file"
            accept=".csv,.json,.ndjson,.jsonl,text/csv,application/json"
            onChange={(e) => {
              const f = e.target.files?.[0] ?? null;
              setFile(f);
              setReport(null);
              if (f) setFormat(formatOf(f));
            }}
          />
        </div>
        <SelectField
          label="Format"
          value={format}
          options={['csv', 'json', 'ndjson']}
          onChange={(e) => {
            setFormat(e.target.value as ImportFormat);
            setReport(null);
          }}
        />
        <p className="muted small">
          CSV columns map to fields by header name (dotted headers for nested fields); values are converted by the schema and
          every row is validated. Check first: nothing is written until you import.
        </p>
        {tooBig && <Notice kind="warning">The file is larger than 20 MB.</Notice>}
        {busy === 'import' && (
          <div className="stack">
            <progress aria-label="Import progress" />
            <p className="small">Importing {file ? formatBytes(file.size) : ''}…</p>
          </div>
        )}
        {error && <Notice kind="warning">{error}</Notice>}
        {report && <ReportView report={report} />}
      </div>
    </Modal>
  );
}

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { type BackupItem, type CloneResult, type RestoreReport, backupsApi, saveBlob } from '../../api/backups.js';
import type { CreatedProject } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { CopyField } from '../../components/copy-button.js';
import { TextField } from '../../components/form.js';
import { ConfirmDialog, Modal } from '../../components/modal.js';
import { QueryState } from '../../components/query-state.js';
import { useToast } from '../../components/toast.js';
import { Button, Card, EmptyState, ErrorBanner, Notice, PageHeader } from '../../components/ui.js';
import { formatBytes, formatDate } from '../../lib/format.js';
import { KeysOnce } from '../create-project.js';
import { useProject } from './layout.js';
import { useGuard } from './role.js';

/** What a restore or clone did, with the new webhook secrets (shown once) and its notes. */
function ReportView({ report }: { report: RestoreReport }) {
  return (
    <div className="stack">
      <p>
        {report.collections} collection(s), {report.documents} document(s) ({report.users} user(s)), {report.files} file(s),{' '}
        {report.webhooks} webhook(s), {report.mailTemplates} mail template(s). Usage now: {formatBytes(report.usage.databaseUsed)}{' '}
        database, {formatBytes(report.usage.storageUsed)} storage.
      </p>
      {report.notes.map((n) => (
        <Notice key={n} kind="warning">
          {n}
        </Notice>
      ))}
      {report.newWebhookSecrets.map((w, i) => (
        <CopyField
          key={`${w.name}-${i}`}
          id={`whsec-${i}`}
          label={`New signing secret of webhook “${w.name}”`}
          value={w.secret}
        />
      ))}
    </div>
  );
}

/** "Clone from a backup file": a new project from an archive made here or on another instance. */
export function CloneFromFileModal({ onClose }: { onClose: () => void }) {
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<CloneResult | null>(null);

  if (done) {
    const created = { ...done.project, publishableKey: done.publishableKey, secretKey: done.secretKey } as CreatedProject;
    return (
      <Modal title={`“${done.project.name}” is ready`} onClose={() => navigate(`/projects/${done.project._id}`)}>
        <div className="stack">
          <ReportView report={done.report} />
          <KeysOnce project={created} onDone={() => navigate(`/projects/${done.project._id}`)} />
        </div>
      </Modal>
    );
  }
  const submit = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      setDone(await backupsApi.cloneFromFile(api, file, name.trim()));
      void queryClient.invalidateQueries({ queryKey: ['projects'] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      title="Clone from a backup file"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" busy={busy} disabled={!file} onClick={() => void submit()}>
            {busy ? 'Uploading and restoring…' : 'Create project'}
          </Button>
        </>
      }
    >
      <div className="stack">
        <p className="muted">
          A new project of yours with the backup’s schemas, data, users (they keep their passwords), files, webhooks and mail
          templates, and new API keys. Up to 100 MB.
        </p>
        <div className="field">
          <label htmlFor="clone-file">Backup file (.ndjson.gz)</label>
          <input
            id="clone-file"
            type="file"
            accept=".gz,application/gzip"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </div>
        <TextField
          label="Project name (optional)"
          placeholder="Same name + (clone)"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <ErrorBanner error={error} />
      </div>
    </Modal>
  );
}

function BackupRow({ backup, onChanged }: { backup: BackupItem; onChanged: () => void }) {
  const { project, projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const ownerGuard = useGuard('owner');
  const [restoring, setRestoring] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [downloading, setDownloading] = useState(false);
  const [report, setReport] = useState<RestoreReport | null>(null);
  const c = backup.counts;
  return (
    <tr>
      <td>{formatDate(backup.createdAt)}</td>
      <td>{formatBytes(backup.size)}</td>
      <td>
        {c.collections} coll. · {c.documents} docs · {c.users} users · {c.files} files
      </td>
      <td className="muted">{backup.createdBy}</td>
      <td>
        <div className="row">
          <Button
            small
            busy={downloading}
            onClick={async () => {
              setDownloading(true);
              try {
                const { blob, filename } = await backupsApi.download(api, projectId, backup._id);
                saveBlob(blob, filename);
              } catch (err) {
                toast(String((err as Error).message ?? err));
              } finally {
                setDownloading(false);
              }
            }}
          >
            Download
          </Button>
          <Button small {...ownerGuard} onClick={() => setRestoring(true)}>
            Restore
          </Button>
          <Button small variant="danger" {...ownerGuard} onClick={() => setDeleting(true)}>
            Delete
          </Button>
        </div>
        {restoring && (
          <ConfirmDialog
            title={`Restore “${project.name}” from this backup?`}
            message={
              <>
                The project’s collections, documents, users, files, webhooks, mail templates and settings are{' '}
                <strong>replaced</strong> by the backup of {formatDate(backup.createdAt)}. The trash is emptied and end users are
                signed out. API keys do not change.
              </>
            }
            confirmText={project.name}
            confirmLabel="Restore"
            onClose={() => setRestoring(false)}
            onConfirm={async () => {
              setReport(await backupsApi.restore(api, projectId, backup._id, project.name));
              toast('Backup restored');
              onChanged();
            }}
          />
        )}
        {report && (
          <Modal title="Backup restored" onClose={() => setReport(null)}>
            <ReportView report={report} />
          </Modal>
        )}
        {deleting && (
          <ConfirmDialog
            title="Delete this backup?"
            message={`The backup of ${formatDate(backup.createdAt)} (${formatBytes(backup.size)}) is deleted from storage.`}
            confirmLabel="Delete backup"
            onClose={() => setDeleting(false)}
            onConfirm={async () => {
              await backupsApi.remove(api, projectId, backup._id);
              toast('Backup deleted');
              onChanged();
            }}
          />
        )}
      </td>
    </tr>
  );
}

export function BackupsPage() {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const writeGuard = useGuard('admin');
  const key = ['backups', projectId];
  const list = useQuery({ queryKey: key, queryFn: () => backupsApi.list(api, projectId), enabled: !writeGuard.disabled });
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [cloning, setCloning] = useState(false);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: key });
    void queryClient.invalidateQueries({ queryKey: ['project', projectId] });
  };
  const create = async () => {
    setCreating(true);
    setError(null);
    try {
      await backupsApi.create(api, projectId);
      toast('Backup created');
      refresh();
    } catch (err) {
      setError(err);
    } finally {
      setCreating(false);
    }
  };
  return (
    <>
      <PageHeader
        title="Backups"
        subtitle="One archive of the whole project: schemas, RLS, settings, webhooks, mail templates, users with their password hashes, documents and files. Never API keys or sessions."
        actions={
          <>
            <Button onClick={() => setCloning(true)}>Clone from a file</Button>
            <Button variant="primary" busy={creating} {...writeGuard} onClick={() => void create()}>
              Create backup
            </Button>
          </>
        }
      />
      <ErrorBanner error={error} />
      {writeGuard.disabled ? (
        <Notice>Backups hold end users’ password hashes: only the owner and admins see them.</Notice>
      ) : (
        <QueryState query={list} label="backups">
          {(data) =>
            data.items.length === 0 ? (
              <EmptyState title="No backups yet">Create one now; it is written to the project’s storage.</EmptyState>
            ) : (
              <Card title={`Backups (${data.items.length}/${data.max})`}>
                <div className="table-wrap">
                  <table className="table">
                    <thead>
                      <tr>
                        <th>Created</th>
                        <th>Size</th>
                        <th>Contents</th>
                        <th>By</th>
                        <th />
                      </tr>
                    </thead>
                    <tbody>
                      {data.items.map((b) => (
                        <BackupRow key={b._id} backup={b} onChanged={refresh} />
                      ))}
                    </tbody>
                  </table>
                </div>
              </Card>
            )
          }
        </QueryState>
      )}
      {cloning && <CloneFromFileModal onClose={() => setCloning(false)} />}
    </>
  );
}

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type DragEvent, useRef, useState } from 'react';
import { storageApi } from '../../api/extras.js';
import type { StoredFile } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { CopyButton } from '../../components/copy-button.js';
import { ConfirmDialog } from '../../components/modal.js';
import { useProjectUsage } from '../../components/plan.js';
import { QueryState } from '../../components/query-state.js';
import { useToast } from '../../components/toast.js';
import { Button, Card, EmptyState, PageHeader, UsageBar } from '../../components/ui.js';
import { errorMessage } from '../../lib/api-client.js';
import { formatBytes, formatDate } from '../../lib/format.js';
import { useProject } from './layout.js';
import { useGuard } from './role.js';

interface Upload {
  name: string;
  progress: number;
  error?: string;
}

/** PUTs the file to the presigned URL, reporting progress (fetch cannot report upload progress). */
function putWithProgress(url: string, file: File, onProgress: (pct: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve()
        : reject(new Error(`The storage server refused the upload (${xhr.status}).`));
    xhr.onerror = () => reject(new Error('The upload failed: the storage server could not be reached.'));
    xhr.send(file);
  });
}

const fileUrl = (f: StoredFile) => f.publicUrl ?? f.url ?? '';
/**
 * The name the developer uploaded: stored keys are `<projectId>/<uuid>_<name>` (or `<uuid>-<name>`),
 * so the UUID prefix is dropped for display (the full key stays in the tooltip).
 */
export function displayFileName(key: string): string {
  const last = key.split('/').pop() ?? key;
  return last.replace(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}[_-]/i, '') || last;
}
const fileName = (f: StoredFile) => displayFileName(f.name ?? f.path);

/** A size with one decimal under 100 (`12.4 MB`, `10 MB`), as in the server's 413 message. */
export function preciseBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  const i = n > 0 ? Math.min(units.length - 1, Math.floor(Math.log(n) / Math.log(1024))) : 0;
  const x = n / 1024 ** i;
  return `${x >= 100 || i === 0 ? Math.round(x) : x.toFixed(1).replace(/\.0$/, '')} ${units[i]}`;
}

/** "photo.jpg is 12.4 MB; this project's limit is 10 MB." (in bytes when both round alike). */
export function oversizeMessage(name: string, size: number, limit: number): string {
  const alike = preciseBytes(size) === preciseBytes(limit);
  const [is, max] = alike ? [`${size} bytes`, `${limit} bytes`] : [preciseBytes(size), preciseBytes(limit)];
  return `${name} is ${is}; this project's limit is ${max} per file.`;
}
const fileSize = (f: StoredFile) => f.size ?? f.metadata?.size;
const isImage = (f: StoredFile) =>
  /^image\//.test(f.contentType ?? f.mimetype ?? f.metadata?.mimetype ?? '') || /\.(png|jpe?g|gif|webp|svg)$/i.test(f.path);

export function StoragePage() {
  const { project, projectId, reload } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const [deleting, setDeleting] = useState<StoredFile | null>(null);
  const guard = useGuard();
  const files = useQuery({ queryKey: ['files', projectId], queryFn: () => storageApi.list(api, projectId) });
  // The server's per-file limit (`UPLOAD_LIMIT_BYTES`), known before any byte is sent.
  const usage = useProjectUsage(projectId);
  const uploadLimit = usage.data?.limits.uploadBytes;

  const storageUsed = project.metrics?.storage?.used ?? project.storageUsed ?? 0;
  const storageLimit = project.metrics?.storage?.limit ?? project.storageLimit ?? 0;
  /** Why a file cannot be uploaded, checked before any byte is sent (both sizes in the message). */
  const refusal = (file: File): string | null => {
    if (uploadLimit !== undefined && file.size > uploadLimit) return oversizeMessage(file.name, file.size, uploadLimit);
    if (storageLimit > 0 && storageUsed + file.size > storageLimit) {
      return `${file.name} is ${formatBytes(file.size)}, but only ${formatBytes(Math.max(0, storageLimit - storageUsed))} of this project's ${formatBytes(storageLimit)} storage is left.`;
    }
    return null;
  };
  const uploadOne = async (file: File) => {
    const patch = (p: Partial<Upload>) => setUploads((u) => u.map((x) => (x.name === file.name ? { ...x, ...p } : x)));
    const refused = refusal(file);
    setUploads((u) => [
      ...u.filter((x) => x.name !== file.name),
      { name: file.name, progress: 0, ...(refused ? { error: refused } : {}) },
    ]);
    if (refused) return;
    try {
      const ticket = await storageApi.requestUpload(api, projectId, file);
      await putWithProgress(ticket.signedUrl, file, (progress) => patch({ progress }));
      await storageApi.confirmUpload(api, projectId, ticket.filePath, file.size);
      patch({ progress: 100 });
      toast(`Uploaded ${file.name}`);
      setUploads((u) => u.filter((x) => x.name !== file.name));
    } catch (err) {
      // The server's 413 names both sizes itself.
      patch({ error: errorMessage(err) });
    }
  };
  const uploadAll = async (list: FileList | null) => {
    if (!list) return;
    for (const file of Array.from(list)) await uploadOne(file);
    await queryClient.invalidateQueries({ queryKey: ['files', projectId] });
    void queryClient.invalidateQueries({ queryKey: ['usage', projectId] });
    reload();
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (guard.disabled) return;
    void uploadAll(e.dataTransfer.files);
  };

  return (
    <>
      <PageHeader
        title="Storage"
        subtitle={`Files your app uploads.${uploadLimit !== undefined ? ` Up to ${preciseBytes(uploadLimit)} each.` : ''}`}
      />
      <Card>
        <UsageBar
          label="Storage used"
          used={project.metrics?.storage?.used ?? project.storageUsed ?? 0}
          limit={project.metrics?.storage?.limit ?? project.storageLimit ?? 0}
          format={formatBytes}
        />
        <section
          className={`dropzone ${dragging ? 'dropzone-active' : ''}`}
          aria-label="Upload files"
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <p>Drag files here, or</p>
          <Button variant="primary" {...guard} onClick={() => input.current?.click()}>
            Choose files
          </Button>
          <input
            ref={input}
            type="file"
            multiple
            hidden
            disabled={guard.disabled}
            aria-label="Files to upload"
            data-testid="file-input"
            onChange={(e) => {
              void uploadAll(e.target.files);
              e.target.value = '';
            }}
          />
        </section>
        {uploads.map((u) => (
          <div key={u.name} className="upload-row">
            <span>{u.name}</span>
            {u.error ? (
              <span className="field-error" role="alert">
                {u.error}
              </span>
            ) : (
              <progress max={100} value={u.progress} aria-label={`Uploading ${u.name}`}>
                {u.progress}%
              </progress>
            )}
          </div>
        ))}
      </Card>
      <QueryState query={files} label="files">
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="No files yet">Upload one above, or from your app with the SDK’s storage.upload().</EmptyState>
          ) : (
            <ul className="file-grid">
              {list.map((f) => (
                <li key={f.path} className="card file-card">
                  <div className="file-preview">
                    {isImage(f) && fileUrl(f) ? (
                      <img src={fileUrl(f)} alt={fileName(f)} loading="lazy" />
                    ) : (
                      <span aria-hidden="true">📄</span>
                    )}
                  </div>
                  <div className="file-name" title={`${fileName(f)} (stored as ${f.path})`}>
                    {fileName(f)}
                  </div>
                  <div className="muted small">
                    {formatBytes(fileSize(f))} · {formatDate(f.createdAt ?? f.created_at ?? f.updatedAt)}
                  </div>
                  <div className="row-end">
                    {fileUrl(f) && <CopyButton text={fileUrl(f)} label="Copy URL" />}
                    <Button small variant="danger" {...guard} onClick={() => setDeleting(f)} aria-label={`Delete ${fileName(f)}`}>
                      Delete
                    </Button>
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
      {deleting && (
        <ConfirmDialog
          title="Delete this file?"
          message={<>“{fileName(deleting)}” is deleted and its URL stops working.</>}
          confirmLabel="Delete file"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await storageApi.remove(api, projectId, deleting.path);
            await queryClient.invalidateQueries({ queryKey: ['files', projectId] });
            reload();
            toast('File deleted');
          }}
        />
      )}
    </>
  );
}

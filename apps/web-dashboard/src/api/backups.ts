import type { ApiClient } from '../lib/api-client.js';
import { unwrap } from './unwrap.js';

const base = (projectId: string, rest = '') => `/api/projects/${encodeURIComponent(projectId)}/backups${rest}`;

export interface BackupItem {
  _id: string;
  size: number;
  provider: 'internal' | 'external';
  createdBy: string;
  counts: { collections: number; documents: number; users: number; files: number; webhooks: number };
  createdAt: string;
}

export interface RestoreReport {
  mode: 'replace' | 'clone';
  projectId: string;
  collections: number;
  documents: number;
  users: number;
  files: number;
  webhooks: number;
  mailTemplates: number;
  secrets: 'restored' | 'unavailable' | 'none';
  newWebhookSecrets: { name: string; secret: string }[];
  usage: { databaseUsed: number; storageUsed: number };
  notes: string[];
}

export interface CloneResult {
  project: { _id: string; name: string };
  publishableKey: string;
  secretKey: string;
  report: RestoreReport;
}

/** Project backups, restore and clone (docs/data-lifecycle.md § Backups). */
export const backupsApi = {
  list: async (api: ApiClient, projectId: string) => unwrap<{ items: BackupItem[]; max: number }>(await api.get(base(projectId))),
  create: async (api: ApiClient, projectId: string) => unwrap<BackupItem>(await api.post(base(projectId))),
  remove: (api: ApiClient, projectId: string, id: string) => api.del<unknown>(base(projectId, `/${encodeURIComponent(id)}`)),
  restore: async (api: ApiClient, projectId: string, id: string, confirm: string) =>
    unwrap<RestoreReport>(await api.post(base(projectId, `/${encodeURIComponent(id)}/restore`), { confirm })),
  async download(api: ApiClient, projectId: string, id: string): Promise<{ blob: Blob; filename: string }> {
    const res = await api.response('GET', base(projectId, `/${encodeURIComponent(id)}/download`));
    const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'backup.ndjson.gz';
    return { blob: await res.blob(), filename };
  },
  /** A new project from a backup file (this or another instance). */
  cloneFromFile: async (api: ApiClient, file: File, name?: string) =>
    unwrap<CloneResult>(
      await api.post('/api/projects/clone', undefined, {
        query: { name: name || undefined },
        raw: { body: file, contentType: 'application/gzip' },
      }),
    ),
  /** A new project from one of the caller's backups. */
  cloneFromBackup: async (api: ApiClient, backupId: string, name?: string) =>
    unwrap<CloneResult>(await api.post('/api/projects/clone', { backupId, ...(name ? { name } : {}) })),
};

/** Saves a Blob as a file in the browser. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

import type { ApiClient } from '../lib/api-client.js';
import type { DataRow } from './types.js';
import { unwrap } from './unwrap.js';

const c = (projectId: string, name: string, rest = '') =>
  `/api/projects/${encodeURIComponent(projectId)}/collections/${encodeURIComponent(name)}${rest}`;

export interface TrashItem {
  id: string;
  deletedAt: string;
  expiresAt: string;
  deletedBy: string;
  data: DataRow;
}

export interface TrashPage {
  items: TrashItem[];
  total: number;
  page: number;
  limit: number;
  retentionDays: number;
}

export interface ImportReport {
  dryRun: boolean;
  total: number;
  accepted: number;
  rejected: { row: number; errors: string[] }[];
}

export interface LifecycleSettings {
  trashRetentionDays: number;
  trashDisabled: string[];
}

export type ExportFormat = 'ndjson' | 'json' | 'csv';
export type ImportFormat = 'csv' | 'json' | 'ndjson';

/** Trash, export and import (docs/data-lifecycle.md). */
export const lifecycleApi = {
  trash: async (api: ApiClient, projectId: string, name: string, page: number) =>
    unwrap<TrashPage>(await api.get(c(projectId, name, '/trash'), { query: { page, limit: 20 } })),
  recover: (api: ApiClient, projectId: string, name: string, id: string) =>
    api.patch<unknown>(c(projectId, name, `/data/${encodeURIComponent(id)}/recover`)),
  destroy: (api: ApiClient, projectId: string, name: string, id: string) =>
    api.del<unknown>(c(projectId, name, `/trash/${encodeURIComponent(id)}`)),
  empty: (api: ApiClient, projectId: string, name: string) => api.del<unknown>(c(projectId, name, '/trash')),
  settings: async (api: ApiClient, projectId: string) =>
    unwrap<LifecycleSettings>(await api.get(`/api/projects/${encodeURIComponent(projectId)}/lifecycle`)),
  saveSettings: (api: ApiClient, projectId: string, patch: Partial<LifecycleSettings>) =>
    api.patch<unknown>(`/api/projects/${encodeURIComponent(projectId)}/lifecycle`, patch),

  /**
   * Downloads an export as a Blob, reading the stream to report progress (bytes received; the
   * total is unknown while the server streams).
   */
  async exportFile(
    api: ApiClient,
    projectId: string,
    name: string,
    format: ExportFormat,
    filters: Record<string, string>,
    onProgress: (bytes: number) => void,
    signal?: AbortSignal,
  ): Promise<{ blob: Blob; filename: string }> {
    const res = await api.response('GET', c(projectId, name, '/export'), { query: { ...filters, format }, signal });
    const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `${name}.${format}`;
    const reader = res.body?.getReader();
    if (!reader) return { blob: await res.blob(), filename };
    const parts: BlobPart[] = [];
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      bytes += value.byteLength;
      onProgress(bytes);
    }
    return { blob: new Blob(parts, { type: res.headers.get('content-type') ?? 'application/octet-stream' }), filename };
  },

  importFile: async (api: ApiClient, projectId: string, name: string, file: File, format: ImportFormat, dryRun: boolean) =>
    unwrap<ImportReport>(
      await api.post(c(projectId, name, '/import'), undefined, {
        query: { format, dryRun: dryRun ? 'true' : undefined },
        raw: { body: file, contentType: format === 'csv' ? 'text/csv' : 'application/octet-stream' },
      }),
    ),
};

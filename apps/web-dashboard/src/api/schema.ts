import type { ApiClient } from '../lib/api-client.js';
import { projectPath as p } from './projects.js';
import type { FieldDef } from './types.js';
import { unwrap } from './unwrap.js';

/** The schema document of `GET .../schema` and `PUT .../sync-schema` (docs/schema-as-code.md). */
export interface SchemaDocument {
  collections: { name: string; model: FieldDef[] }[];
}

export interface FieldChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  from?: Record<string, unknown>;
  to?: Record<string, unknown>;
}

export interface SchemaViolation {
  collection: string;
  kind: 'unique' | 'schema';
  path: string;
  message: string;
  count: number;
  examples: Record<string, unknown>[];
}

/** The plan a dry run answers and a real run applies. */
export interface SchemaPlan {
  changes: number;
  collections: {
    added: { name: string; fields: string[]; documents: number }[];
    changed: { name: string; fields: FieldChange[]; reordered?: boolean }[];
    removed: { name: string; documents: number }[];
    unchanged: string[];
  };
  uniqueIndexes: { build: { collection: string; field: string }[]; drop: { collection: string; field: string }[] };
  violations: SchemaViolation[];
  scanned: { collection: string; documents: number; truncated: boolean }[];
  warnings: string[];
  blocked: boolean;
}

export interface SyncAnswer {
  dryRun: boolean;
  synced: number;
  collections: string[];
  plan: SchemaPlan;
}

export type KeyKind = 'publishable' | 'secret';

/** Schema as code: pull, dry run / push, generated types and the OpenAPI document. */
export const schemaApi = {
  pull: async (api: ApiClient, projectId: string) => unwrap<SchemaDocument>(await api.get(p(projectId, '/schema'))),
  sync: async (api: ApiClient, projectId: string, doc: unknown, dryRun: boolean) => {
    const body = await api.put<{ data: SyncAnswer; message: string }>(p(projectId, '/sync-schema'), doc, {
      query: dryRun ? { dryRun: 'true' } : undefined,
    });
    return { ...body.data, message: body.message };
  },
  /** The generated `.d.ts` (or the zod module) as text. */
  types: (api: ApiClient, projectId: string, format: 'ts' | 'zod') =>
    api.get<string>(p(projectId, '/types.d.ts'), { query: format === 'zod' ? { format: 'zod' } : undefined }),
  openApi: (api: ApiClient, projectId: string, keyType: KeyKind) =>
    api.get<Record<string, unknown>>(p(projectId, '/openapi.json'), { query: { keyType } }),
};

/** Saves text as a file download in the browser. */
export function downloadText(filename: string, text: string, type = 'text/plain'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

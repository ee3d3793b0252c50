import type { ApiClient } from '../lib/api-client.js';
import type {
  Collection,
  CreatedProject,
  DataPage,
  DataRow,
  FieldDef,
  KeyType,
  Project,
  ProjectSummary,
  RlsConfig,
} from './types.js';
import { unwrap, unwrapList } from './unwrap.js';

const p = (projectId: string, rest = '') => `/api/projects/${encodeURIComponent(projectId)}${rest}`;
const c = (projectId: string, name: string, rest = '') => p(projectId, `/collections/${encodeURIComponent(name)}${rest}`);

export interface ProjectInput {
  name: string;
  description?: string;
  siteUrl?: string;
}

export interface ProjectPatch {
  name?: string;
  description?: string;
  siteUrl?: string;
  allowPublishableUploads?: boolean;
}

export interface ProviderInput {
  enabled: boolean;
  clientId: string;
  clientSecret?: string;
}

/** Project-level calls (reference §6.2 + CONTRACT §5). */
export const projectsApi = {
  list: async (api: ApiClient) => unwrapList<ProjectSummary>(await api.get('/api/projects'), 'projects'),
  get: async (api: ApiClient, id: string) => {
    const body = unwrap<Project | { project: Project }>(await api.get(p(id)));
    return 'project' in body ? body.project : body;
  },
  create: async (api: ApiClient, input: ProjectInput) => {
    const body = unwrap<CreatedProject | { project: CreatedProject }>(await api.post('/api/projects', input));
    return 'project' in body ? body.project : body;
  },
  update: (api: ApiClient, id: string, patch: ProjectPatch) => api.patch<unknown>(p(id), patch),
  remove: (api: ApiClient, id: string) => api.del<unknown>(p(id)),
  rotateKey: async (api: ApiClient, id: string, keyType: KeyType) =>
    unwrap<{ apiKey: string; keyType: KeyType }>(await api.post(p(id, '/api-key'), { keyType })),
  setAllowedDomains: (api: ApiClient, id: string, domains: string[]) =>
    api.patch<unknown>(p(id, '/allowed-domains'), { domains }),
  toggleAuth: (api: ApiClient, id: string, enable: boolean) => api.patch<unknown>(p(id, '/auth/toggle'), { enable }),
  setProviders: (api: ApiClient, id: string, providers: { github?: ProviderInput; google?: ProviderInput }) =>
    api.patch<unknown>(p(id, '/auth/providers'), providers),
};

/** Collections, schema, RLS and data (reference §5, §6.2; CONTRACT §8 PATCH collection). */
export const collectionsApi = {
  create: (api: ApiClient, projectId: string, name: string, schema: FieldDef[]) =>
    api.post<unknown>(p(projectId, '/collections'), { projectId, collectionName: name, schema }),
  updateSchema: async (api: ApiClient, projectId: string, name: string, schema: FieldDef[]) =>
    unwrap<{ message?: string; collection?: Collection }>(await api.patch(c(projectId, name), { schema })),
  remove: (api: ApiClient, projectId: string, name: string) => api.del<unknown>(c(projectId, name)),
  setRls: (api: ApiClient, projectId: string, name: string, rls: Partial<RlsConfig>) =>
    api.patch<unknown>(c(projectId, name, '/rls'), rls),
  listData: async (api: ApiClient, projectId: string, name: string, query: Record<string, string>): Promise<DataPage> => {
    const seen: { total: string | null } = { total: null };
    const onHeaders = (h: Headers) => {
      seen.total = h.get('x-total-count');
    };
    const raw = await api.get(c(projectId, name, '/data'), { query, onHeaders });
    const header = seen.total;
    const body = unwrap<unknown>(raw);
    const page = Number(query.page ?? 1);
    const limit = Number(query.limit ?? 20);
    const total = header !== null && Number.isFinite(Number(header)) ? Number(header) : null;
    if (Array.isArray(body)) return { items: body as DataRow[], total, page, limit };
    const o = (body ?? {}) as Partial<DataPage> & { items?: DataRow[] };
    return {
      items: o.items ?? [],
      total: typeof o.total === 'number' ? o.total : null,
      page: o.page ?? page,
      limit: o.limit ?? limit,
    };
  },
  insert: async (api: ApiClient, projectId: string, name: string, doc: Record<string, unknown>) =>
    unwrap<DataRow>(await api.post(c(projectId, name, '/data'), doc)),
  update: async (api: ApiClient, projectId: string, name: string, id: string, doc: Record<string, unknown>) =>
    unwrap<DataRow>(await api.patch(c(projectId, name, `/data/${encodeURIComponent(id)}`), doc)),
  removeRow: (api: ApiClient, projectId: string, name: string, id: string) =>
    api.del<unknown>(c(projectId, name, `/data/${encodeURIComponent(id)}`)),
};

export { p as projectPath };

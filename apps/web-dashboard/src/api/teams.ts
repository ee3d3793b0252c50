import type { ApiClient } from '../lib/api-client.js';
import { projectPath as p } from './projects.js';
import type { ProjectRole } from './types.js';
import { unwrap, unwrapList } from './unwrap.js';

const enc = encodeURIComponent;

export type { ProjectRole };
export type MemberRole = Exclude<ProjectRole, 'owner'>;

export interface Member {
  _id: string;
  email: string;
  name?: string;
  role: ProjectRole;
  addedAt?: string;
}

export interface PendingInvitation {
  _id: string;
  email: string;
  role: MemberRole;
  expiresAt?: string;
  createdAt?: string;
}

export interface MyInvitation {
  _id: string;
  project: { _id: string; name: string; description?: string };
  invitedBy?: { email: string; name?: string };
  role: MemberRole;
  expiresAt?: string;
  createdAt?: string;
}

/** The envelope's human `message` (e.g. "Invitation sent to a@b.c"), or the fallback. */
function messageOf(body: unknown, fallback: string): string {
  const m = body && typeof body === 'object' ? (body as { message?: unknown }).message : undefined;
  return typeof m === 'string' && m ? m : fallback;
}

/** Members and invitations of one project (owner-only writes). */
export const membersApi = {
  list: async (api: ApiClient, id: string) => unwrapList<Member>(await api.get(p(id, '/members')), 'members'),
  invite: async (api: ApiClient, id: string, email: string, role: MemberRole) =>
    messageOf(await api.post(p(id, '/members/invite'), { email, role }), `Invitation sent to ${email}`),
  invitations: async (api: ApiClient, id: string) =>
    unwrapList<PendingInvitation>(await api.get(p(id, '/invitations')), 'invitations'),
  revokeInvitation: (api: ApiClient, id: string, invitationId: string) =>
    api.del<unknown>(p(id, `/invitations/${enc(invitationId)}`)),
  setRole: async (api: ApiClient, id: string, memberId: string, role: MemberRole) =>
    messageOf(await api.patch(p(id, `/members/${enc(memberId)}/role`), { role }), 'Member role updated'),
  remove: async (api: ApiClient, id: string, memberId: string) =>
    messageOf(await api.del(p(id, `/members/${enc(memberId)}`)), 'Member removed from project'),
  leave: (api: ApiClient, id: string) => api.post<unknown>(p(id, '/leave')),
  transfer: async (api: ApiClient, id: string, memberId: string, confirm: string) =>
    messageOf(await api.post(p(id, '/transfer'), { memberId, confirm }), 'Ownership transferred'),
};

/** The signed-in developer's pending invitations. */
export const invitationsApi = {
  list: async (api: ApiClient) => unwrapList<MyInvitation>(await api.get('/api/invitations'), 'invitations'),
  accept: async (api: ApiClient, invitationId: string) => {
    const body = await api.post<unknown>(`/api/invitations/${enc(invitationId)}/accept`);
    return { ...unwrap<{ projectId?: string; role?: MemberRole }>(body), message: messageOf(body, 'Invitation accepted') };
  },
  decline: (api: ApiClient, invitationId: string) => api.post<unknown>(`/api/invitations/${enc(invitationId)}/decline`),
};

export type PatScope = 'api:all' | 'api:read';

export interface Pat {
  id: string;
  suffix: string;
  label: string;
  type?: 'human' | 'agent';
  scopes: string[];
  createdAt?: string;
  expiresAt?: string;
  lastUsedAt?: string | null;
  lastUsedIp?: string | null;
}

/** Personal access tokens of the signed-in developer (for the CLI and scripts). */
export const patsApi = {
  list: async (api: ApiClient) => unwrapList<Pat>(await api.get('/api/user/pats'), 'pats'),
  create: async (api: ApiClient, input: { label: string; scopes: PatScope[]; ttlDays: number }) =>
    unwrap<{ rawToken: string; pat: Pat }>(await api.post('/api/user/pats', { ...input, type: 'human' })),
  revoke: (api: ApiClient, id: string) => api.del<unknown>(`/api/user/pats/${enc(id)}`),
};

export interface ConfigChange {
  field: string;
  from?: unknown;
  to?: unknown;
}

export interface ConfigLogEntry {
  _id: string;
  projectId?: string;
  changedBy?: string;
  changedByEmail?: string;
  category: string;
  label: string;
  diff?: ConfigChange[];
  changedAt: string;
}

export interface Pagination {
  page: number;
  limit: number;
  total: number;
  totalPages: number;
}

/** Categories of the config audit log, with the words the dashboard shows for them. */
export const CONFIG_CATEGORIES: readonly { value: string; label: string }[] = [
  { value: 'project_info', label: 'Project info' },
  { value: 'api_key', label: 'API keys' },
  { value: 'auth', label: 'Authentication' },
  { value: 'public_signup', label: 'Public sign-up' },
  { value: 'auth_providers', label: 'OAuth providers' },
  { value: 'allowed_domains', label: 'Allowed domains' },
  { value: 'byod_db', label: 'Your database' },
  { value: 'byod_storage', label: 'Your storage' },
  { value: 'collection_schema', label: 'Collection schema' },
  { value: 'collection_rls', label: 'Access rules' },
  { value: 'mail_template', label: 'Mail templates' },
  { value: 'mail_settings', label: 'Mail settings' },
  { value: 'webhook', label: 'Webhooks' },
  { value: 'storage', label: 'Storage' },
  { value: 'member', label: 'Members' },
];

/** The config audit log of one project (any member may read it). */
export const configLogApi = {
  list: async (api: ApiClient, id: string, query: { page: number; limit: number; category?: string }) => {
    const body = unwrap<{ logs?: ConfigLogEntry[]; pagination?: Pagination }>(await api.get(p(id, '/config-logs'), { query }));
    const logs = body.logs ?? [];
    const pagination = body.pagination ?? { page: query.page, limit: query.limit, total: logs.length, totalPages: 1 };
    return { logs, pagination };
  },
};

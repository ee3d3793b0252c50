import type { ApiClient } from '../lib/api-client.js';
import { unwrap, unwrapList } from './unwrap.js';

const enc = encodeURIComponent;

export type RegistrationMode = 'open' | 'invite-only' | 'closed';

export interface AdminDeveloper {
  _id: string;
  email: string;
  isVerified: boolean;
  isAdmin: boolean;
  plan: string;
  disabledAt?: string | null;
  createdAt?: string;
  projectCount?: number;
  usage?: { requests?: number; storageBytes?: number; databaseBytes?: number };
}

export interface DeveloperPage {
  items: AdminDeveloper[];
  total: number;
  page: number;
  limit: number;
}

export interface PlanInfo {
  name: string;
  limits: Record<string, unknown>;
}

export interface InviteCode {
  _id: string;
  /** The raw code: only in the answer that created it. */
  code?: string;
  suffix: string;
  maxUses: number;
  uses: number;
  remaining?: number;
  usedBy?: string[];
  expiresAt?: string;
  note?: string;
  createdByEmail?: string;
  createdAt?: string;
  revokedAt?: string | null;
  status?: 'active' | 'expired' | 'used' | 'revoked';
}

export interface AuditEntry {
  _id: string;
  adminEmail: string;
  action: string;
  target?: { type: string; id: string | null; label: string };
  details?: Record<string, unknown>;
  at: string;
}

/** Platform administration (admin developers only). */
export const adminApi = {
  developers: async (api: ApiClient, query: { search?: string; page: number; limit: number }): Promise<DeveloperPage> => {
    const body = unwrap<Partial<DeveloperPage>>(await api.get('/api/admin/developers', { query }));
    return { items: body.items ?? [], total: body.total ?? 0, page: body.page ?? query.page, limit: body.limit ?? query.limit };
  },
  setPlan: (api: ApiClient, id: string, plan: string) => api.patch<unknown>(`/api/admin/developers/${enc(id)}/plan`, { plan }),
  disable: (api: ApiClient, id: string) => api.post<unknown>(`/api/admin/developers/${enc(id)}/disable`),
  enable: (api: ApiClient, id: string) => api.post<unknown>(`/api/admin/developers/${enc(id)}/enable`),
  remove: (api: ApiClient, id: string) => api.del<unknown>(`/api/admin/developers/${enc(id)}`),
  plans: async (api: ApiClient) => {
    const body = unwrap<{ plans?: PlanInfo[]; defaultPlan?: string }>(await api.get('/api/admin/plans'));
    return { plans: body.plans ?? [], defaultPlan: body.defaultPlan ?? '' };
  },
  registration: async (api: ApiClient) => unwrap<{ mode: RegistrationMode }>(await api.get('/api/admin/registration')).mode,
  setRegistration: (api: ApiClient, mode: RegistrationMode) => api.put<unknown>('/api/admin/registration', { mode }),
  inviteCodes: async (api: ApiClient) => unwrapList<InviteCode>(await api.get('/api/admin/invite-codes'), 'codes'),
  createInviteCode: async (api: ApiClient, input: { maxUses: number; expiresInDays: number; note?: string }) =>
    unwrap<InviteCode & { code: string }>(await api.post('/api/admin/invite-codes', input)),
  revokeInviteCode: (api: ApiClient, id: string) => api.del<unknown>(`/api/admin/invite-codes/${enc(id)}`),
  auditLog: async (api: ApiClient, query: { page: number; limit: number }) => {
    const body = unwrap<{ entries?: AuditEntry[]; total?: number; totalPages?: number }>(
      await api.get('/api/admin/audit-log', { query }),
    );
    return { items: body.entries ?? [], total: body.total ?? 0, totalPages: Math.max(1, body.totalPages ?? 1) };
  },
};

/** The public registration mode (`GET /api/auth/registration`); `open` when the server does not say. */
export async function fetchRegistrationMode(api: ApiClient): Promise<RegistrationMode> {
  try {
    const body = unwrap<{ mode?: RegistrationMode }>(await api.get('/api/auth/registration', { noRefresh: true }));
    return body.mode ?? 'open';
  } catch {
    return 'open';
  }
}

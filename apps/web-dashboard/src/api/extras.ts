import type { ApiClient } from '../lib/api-client.js';
import { projectPath as p } from './projects.js';
import type {
  Analytics,
  EndUser,
  EndUserSession,
  LogEntry,
  MailTemplate,
  StoredFile,
  Webhook,
  WebhookDelivery,
} from './types.js';
import { unwrap, unwrapList } from './unwrap.js';

const enc = encodeURIComponent;

export interface UploadTicket {
  signedUrl: string;
  filePath: string;
  token?: string;
}

/** Storage (reference §6.2 storage routes). */
export const storageApi = {
  list: async (api: ApiClient, id: string) => unwrapList<StoredFile>(await api.get(p(id, '/storage/files')), 'files'),
  remove: (api: ApiClient, id: string, path: string) => api.post<unknown>(p(id, '/storage/delete'), { path }),
  requestUpload: async (api: ApiClient, id: string, file: File) =>
    unwrap<UploadTicket>(
      await api.post(p(id, '/storage/upload-request'), {
        filename: file.name,
        contentType: file.type || 'application/octet-stream',
        size: file.size,
      }),
    ),
  confirmUpload: (api: ApiClient, id: string, filePath: string, size: number) =>
    api.post<unknown>(p(id, '/storage/upload-confirm'), { filePath, size }),
};

/** End-user admin (CONTRACT §5; reference §6.2 admin routes). */
export const usersApi = {
  list: async (api: ApiClient, id: string, query: Record<string, string>) => {
    const body = unwrap<unknown>(await api.get(p(id, '/admin/users'), { query }));
    const items = unwrapList<EndUser>(body, 'users');
    const total = body && typeof body === 'object' && 'total' in body ? Number((body as { total: unknown }).total) : null;
    return { items, total };
  },
  create: (api: ApiClient, id: string, input: { email: string; password: string; username?: string; emailVerified?: boolean }) =>
    api.post<unknown>(p(id, '/admin/users'), input),
  update: (api: ApiClient, id: string, userId: string, patch: Record<string, unknown>) =>
    api.put<unknown>(p(id, `/admin/users/${enc(userId)}`), patch),
  resetPassword: (api: ApiClient, id: string, userId: string, newPassword: string) =>
    api.patch<unknown>(p(id, `/admin/users/${enc(userId)}/password`), { newPassword }),
  sessions: async (api: ApiClient, id: string, userId: string) =>
    unwrapList<EndUserSession>(await api.get(p(id, `/admin/users/${enc(userId)}/sessions`)), 'sessions'),
  revokeSession: (api: ApiClient, id: string, userId: string, sessionId: string) =>
    api.del<unknown>(p(id, `/admin/users/${enc(userId)}/sessions/${enc(sessionId)}`)),
  /** Disables (signs out everywhere, refuses login) or enables a user. */
  setDisabled: (api: ApiClient, id: string, userId: string, disabled: boolean) =>
    api.patch<{ message: string; user: EndUser }>(p(id, `/admin/users/${enc(userId)}/status`), { disabled }),
  /** Mails the user the public API's password-reset code; the answer's message names the address. */
  sendPasswordReset: (api: ApiClient, id: string, userId: string) =>
    api.post<{ message: string }>(p(id, `/admin/users/${enc(userId)}/password-reset`), {}),
};

/** Mail templates (reference §6.2). */
export const mailApi = {
  list: async (api: ApiClient, id: string) => unwrapList<MailTemplate>(await api.get(p(id, '/mail/templates')), 'templates'),
  get: async (api: ApiClient, id: string, templateId: string) => {
    const body = unwrap<{ template?: MailTemplate } & MailTemplate>(await api.get(p(id, `/mail/templates/${enc(templateId)}`)));
    return body.template ?? body;
  },
  create: (api: ApiClient, id: string, t: Partial<MailTemplate>) => api.post<unknown>(p(id, '/mail/templates'), t),
  update: (api: ApiClient, id: string, templateId: string, t: Partial<MailTemplate>) =>
    api.patch<unknown>(p(id, `/mail/templates/${enc(templateId)}`), t),
  remove: (api: ApiClient, id: string, templateId: string) => api.del<unknown>(p(id, `/mail/templates/${enc(templateId)}`)),
};

export interface WebhookInput {
  name: string;
  url: string;
  secret?: string;
  events: Webhook['events'];
  enabled: boolean;
}

/** Webhooks (reference §6.2 webhook admin routes). */
export const webhooksApi = {
  list: async (api: ApiClient, id: string) => unwrapList<Webhook>(await api.get(p(id, '/webhooks')), 'webhooks'),
  create: (api: ApiClient, id: string, w: WebhookInput) => api.post<unknown>(p(id, '/webhooks'), w),
  update: (api: ApiClient, id: string, wid: string, w: Partial<WebhookInput>) =>
    api.patch<unknown>(p(id, `/webhooks/${enc(wid)}`), w),
  remove: (api: ApiClient, id: string, wid: string) => api.del<unknown>(p(id, `/webhooks/${enc(wid)}`)),
  test: async (api: ApiClient, id: string, wid: string) =>
    unwrap<{ success: boolean; statusCode?: number; error?: string | null; durationMs?: number }>(
      await api.post(p(id, `/webhooks/${enc(wid)}/test`)),
    ),
  deliveries: async (api: ApiClient, id: string, wid: string) =>
    unwrapList<WebhookDelivery>(await api.get(p(id, `/webhooks/${enc(wid)}/deliveries`), { query: { limit: 50 } }), 'deliveries'),
  replay: (api: ApiClient, id: string, wid: string, did: string) =>
    api.post<unknown>(p(id, `/webhooks/${enc(wid)}/deliveries/${enc(did)}/replay`)),
};

export interface ByodInput {
  dbUri?: string;
  storageProvider?: string;
  storageUrl?: string;
  storageKey?: string;
  s3AccessKeyId?: string;
  s3SecretAccessKey?: string;
  s3Region?: string;
  s3Endpoint?: string;
  s3Bucket?: string;
  publicUrlHost?: string;
}

/** Bring-your-own database / storage (reference §6.2 byod-config). */
export const byodApi = {
  save: (api: ApiClient, id: string, input: ByodInput) => api.patch<{ message?: string }>(p(id, '/byod-config'), input),
  test: (api: ApiClient, id: string, input: ByodInput) =>
    api.post<{ message?: string; ok?: boolean }>(p(id, '/byod-config/test'), input),
  removeDb: (api: ApiClient, id: string) => api.del<unknown>(p(id, '/byod-config/db'), { projectId: id }),
  removeStorage: (api: ApiClient, id: string) => api.del<unknown>(p(id, '/byod-config/storage'), { projectId: id }),
};

/** Analytics and request logs. */
export const insightsApi = {
  analytics: async (api: ApiClient, id: string, range: string) =>
    unwrap<Analytics>(await api.get(p(id, '/analytics'), { query: { range } })),
  logs: async (api: ApiClient, id: string, query: Record<string, string>) => {
    const body = unwrap<unknown>(await api.get(p(id, '/logs'), { query }));
    const items = unwrapList<LogEntry>(body, 'logs');
    const total = body && typeof body === 'object' && 'total' in body ? Number((body as { total: unknown }).total) : null;
    return { items, total };
  },
};

import type { ApiClient } from '../lib/api-client.js';
import { projectPath as p } from './projects.js';
import { unwrap } from './unwrap.js';

/** Effective plan limits (`-1` unlimited, `0` forbidden), as the dashboard API returns them. */
export interface PlanLimits {
  maxProjects: number;
  maxCollections: number;
  reqPerDay: number;
  reqPerMinute: number;
  storageBytes: number;
  mongoBytes: number;
  authUsersLimit: number;
  mailPerMonth: number;
  mailTemplatesEnabled: boolean;
  webhooksLimit: number;
  byomEnabled: boolean;
  byosEnabled: boolean;
  byokEnabled: boolean;
  maxMembers: number;
  /** Collection exports per project per UTC day. */
  exportsPerDay?: number;
  /** Largest file one upload may carry (the server's `UPLOAD_LIMIT_BYTES`; project usage answer only). */
  uploadBytes?: number;
}

/** `GET /api/projects/:id/usage`: the project's limits (its owner's plan) next to its usage. */
export interface ProjectUsage {
  plan: string;
  limits: PlanLimits;
  usage: {
    collections: number;
    storageBytes: number;
    databaseBytes: number;
    requestsToday: number;
    mailThisMonth: number;
    webhooks: number;
    members: number;
    /** Exports made today (UTC), counted against `exportsPerDay`. */
    exportsToday?: number;
  };
}

/** `GET /api/analytics/stats`: the account's plan and usage over every owned project. */
export interface AccountStats {
  plan: string;
  limits: PlanLimits;
  usage: {
    totalProjects: number;
    totalCollections: number;
    totalStorageUsed: number;
    totalDatabaseUsed: number;
    totalRequests: number;
    totalWebhooks: number;
    totalUsers: number;
  };
}

export const usageApi = {
  project: async (api: ApiClient, id: string) => unwrap<ProjectUsage>(await api.get(p(id, '/usage'))),
  account: async (api: ApiClient) => unwrap<AccountStats>(await api.get('/api/analytics/stats')),
};

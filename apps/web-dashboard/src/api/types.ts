/** Shapes the dashboard reads from the dashboard API (reference §6 + CONTRACT §5). Fields the UI does not need are omitted. */

export type FieldType = 'String' | 'Number' | 'Boolean' | 'Date' | 'Object' | 'Array' | 'Ref';
export const FIELD_TYPES: readonly FieldType[] = ['String', 'Number', 'Boolean', 'Date', 'Object', 'Array', 'Ref'];

export interface FieldDef {
  key: string;
  type: FieldType;
  required?: boolean;
  unique?: boolean;
  default?: unknown;
  ref?: string;
  items?: { type: Exclude<FieldType, 'Array'>; fields?: FieldDef[]; ref?: string };
  fields?: FieldDef[];
  enum?: (string | number)[];
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: 'email' | 'url' | 'slug' | 'color';
}

export type RlsMode = 'public-read' | 'private' | 'owner-write-only';

export interface RlsConfig {
  enabled: boolean;
  mode: RlsMode;
  ownerField: string;
  requireAuthForWrite: boolean;
}

export interface Collection {
  _id?: string;
  name: string;
  model: FieldDef[];
  rls?: RlsConfig;
  version?: number;
}

export interface ProviderState {
  enabled: boolean;
  clientId: string;
  hasClientSecret: boolean;
}

export interface UsagePair {
  used: number;
  limit: number;
}

/** The caller's role in a project (issue 13): owner > admin > viewer. */
export type ProjectRole = 'owner' | 'admin' | 'viewer';

export interface ProjectSummary {
  _id: string;
  name: string;
  /** The caller's role; missing on servers without teams (then the caller is the owner). */
  role?: ProjectRole;
  owner?: { _id: string; email: string };
  description?: string;
  isAuthEnabled?: boolean;
  collectionsCount?: number;
  collections?: Collection[];
  updatedAt?: string;
  health?: string;
  storageUsed?: number;
  storageLimit?: number;
  databaseUsed?: number;
  databaseLimit?: number;
  metrics?: { database?: UsagePair; storage?: UsagePair };
}

export interface Project extends ProjectSummary {
  siteUrl?: string;
  allowedDomains?: string[];
  allowPublishableUploads?: boolean;
  authProviders?: { github?: ProviderState; google?: ProviderState };
  collections: Collection[];
  resources?: {
    db?: { isExternal?: boolean };
    storage?: { isExternal?: boolean; provider?: string | null };
  };
  publicApiUrl?: string;
  createdAt?: string;
}

export interface CreatedProject extends Project {
  publishableKey: string;
  secretKey: string;
}

export type KeyType = 'publishable' | 'secret';

export type DataRow = Record<string, unknown> & { _id: string };

export interface DataPage {
  items: DataRow[];
  total: number | null;
  page: number;
  limit: number;
}

export interface EndUser {
  _id: string;
  email: string;
  username?: string;
  emailVerified?: boolean;
  createdAt?: string;
  /** When the developer disabled this user (absent: enabled). Never shown to the app. */
  authDisabledAt?: string | null;
  [k: string]: unknown;
}

export interface EndUserSession {
  tokenId?: string;
  _id?: string;
  id?: string;
  ip?: string;
  userAgent?: string;
  /** The user agent as a person reads it ("Chrome on Linux"), named by the server. */
  device?: string;
  createdAt?: string;
  lastUsedAt?: string;
}

export interface StoredFile {
  name?: string;
  path: string;
  publicUrl?: string | null;
  url?: string | null;
  size?: number;
  contentType?: string;
  mimetype?: string;
  created_at?: string;
  createdAt?: string;
  updatedAt?: string;
  metadata?: { size?: number; mimetype?: string };
}

export interface MailTemplate {
  id: string;
  key?: string;
  name: string;
  subject: string;
  html?: string;
  text?: string;
  updatedAt?: string;
  isSystem?: boolean;
}

export interface Webhook {
  _id: string;
  name: string;
  url: string;
  events: Record<string, { insert?: boolean; update?: boolean; delete?: boolean }>;
  enabled: boolean;
  createdAt?: string;
}

export interface WebhookAttempt {
  attemptNumber: number;
  status: string;
  statusCode?: number | null;
  error?: string | null;
  attemptedAt?: string;
  durationMs?: number;
}

export interface WebhookDelivery {
  _id: string;
  event: string;
  finalStatus: string;
  attempts: WebhookAttempt[];
  createdAt?: string;
  payload?: unknown;
}

export interface LogEntry {
  _id?: string;
  method: string;
  path?: string;
  endpoint?: string;
  status?: number;
  statusCode?: number;
  responseTimeMs?: number;
  latencyMs?: number;
  ip?: string;
  keyRole?: string;
  route?: string;
  timestamp?: string;
  at?: string;
  /** `User-Agent` of the request (first 300 characters). */
  userAgent?: string;
  /** The end user of the request's user token, if any. */
  userId?: string;
  /** The error message the API answered (status 400 and above). */
  error?: string;
}

export interface Analytics {
  storage?: UsagePair;
  database?: UsagePair;
  totalRequests?: number;
  rangeStats?: { totalRequests: number; avgResponseTimeMs: number; p95ResponseTimeMs: number; errorRate: number };
  timeSeries?: { _id: string; success: number; errors: number; avgLatency: number }[];
  topEndpoints?: { path: string; method: string; count: number; avgLatency: number; errorRate: number }[];
  distributions?: { statusCodes?: { _id: string; count: number }[]; methods?: { _id: string; count: number }[] };
  logs?: LogEntry[];
  range?: string;
}

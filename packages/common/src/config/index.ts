import { z } from 'zod';

/** Raw environment: what `process.env` looks like. */
export type EnvSource = Record<string, string | undefined>;

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

const hexKey = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)');

const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration like 15m, 7d, 3600s');

/** One Redis server address (a sentinel or a cluster node). */
export interface RedisHost {
  host: string;
  port: number;
}

/** Parses a comma list of `host:port` (IPv6 as `[addr]:port`); null when any entry is malformed. */
export function parseHostList(value: string): RedisHost[] | null {
  const hosts: RedisHost[] = [];
  for (const raw of value.split(',')) {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(raw.trim());
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65_535) return null;
    hosts.push({ host: (match[1] ?? match[2]) as string, port });
  }
  return hosts.length ? hosts : null;
}

const hostList = z
  .string()
  .refine((v) => parseHostList(v) !== null, { message: 'must be a comma list of host:port (IPv6 as [addr]:port)' });

/**
 * Environment variables every server understands. Apps extend this shape with their own
 * (`DASHBOARD_PORT`, ...). Names and meanings are documented in `.env.example`.
 */
export const baseEnvShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\/.+/, 'must be a mongodb:// or mongodb+srv:// URI'),
  MONGODB_TIMEOUT_MS: int(5000, 100),
  MONGODB_POOL_SIZE: int(20, 1),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, 'must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_SENTINELS: hostList.optional(),
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be the master name the sentinels monitor (letters, digits, _ . -)')
    .optional(),
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  REDIS_CLUSTER_NODES: hostList.optional(),
  REDIS_USERNAME: z.string().optional(),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_TLS: bool,
  REDIS_COMMAND_TIMEOUT_MS: int(1000, 50),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(
      /^[A-Za-z0-9_.:-]{0,64}$/,
      'must be up to 64 letters, digits, _ . : - (no braces: a Redis Cluster hash tag in the prefix would override the one of every key)',
    )
    .default(''),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  ENCRYPTION_KEY: hexKey,
  ENCRYPTION_KEYS: z
    .string()
    .optional()
    .refine((v) => !v || v.split(',').every((k) => /^[0-9a-fA-F]{64}$/.test(k.trim())), {
      message: 'must be a comma list of 64-hex-character keys',
    }),
  TRUST_PROXY: z.string().optional(),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must be a size like 1mb or 512kb')
    .default('1mb'),
  ALLOW_PRIVATE_TARGETS: bool,
  SHUTDOWN_GRACE_MS: int(10000, 0),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/.+/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('urBackend <no-reply@urbackend.local>'),
  PUBLIC_API_URL: z.string().url().default('http://localhost:1235'),
  DASHBOARD_URL: z.string().url().default('http://localhost:5173'),
  DASHBOARD_ORIGINS: z.string().optional(),
  RATE_LIMIT_AUTH_IP_PER_15MIN: int(100),
  RATE_LIMIT_AUTH_ACCOUNT_PER_15MIN: int(10),
};

export const durationSchema = duration;

/** Milliseconds of a duration like `15m`, `7d`, `3600s`, `500ms` (what `durationSchema` accepts); throws otherwise. */
export function durationMs(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  if (!match) throw new Error(`invalid duration: ${value}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/**
 * The Redis variables select exactly one deployment: `REDIS_URL` (one node), `REDIS_SENTINELS` +
 * `REDIS_SENTINEL_NAME` (Sentinel) or `REDIS_CLUSTER_NODES` (Cluster). Returns one problem per
 * wrong combination, naming the variables (never their values).
 */
export function redisEnvProblems(env: EnvSource): string[] {
  const problems: string[] = [];
  const set = (name: string) => Boolean(env[name]);
  const modes = [
    set('REDIS_URL') && 'REDIS_URL',
    (set('REDIS_SENTINELS') || set('REDIS_SENTINEL_NAME')) && 'REDIS_SENTINELS',
    set('REDIS_CLUSTER_NODES') && 'REDIS_CLUSTER_NODES',
  ].filter((m): m is string => Boolean(m));
  if (modes.length > 1) {
    problems.push(
      `${modes.join(', ')}: set exactly one Redis deployment: REDIS_URL (one node), REDIS_SENTINELS + REDIS_SENTINEL_NAME (Sentinel) or REDIS_CLUSTER_NODES (Cluster)`,
    );
  }
  if (set('REDIS_SENTINELS') && !set('REDIS_SENTINEL_NAME')) {
    problems.push('REDIS_SENTINEL_NAME: is required with REDIS_SENTINELS (the master name the sentinels monitor)');
  }
  if (set('REDIS_SENTINEL_NAME') && !set('REDIS_SENTINELS')) {
    problems.push('REDIS_SENTINELS: is required with REDIS_SENTINEL_NAME (comma list of sentinel host:port)');
  }
  if (set('REDIS_SENTINEL_PASSWORD') && !set('REDIS_SENTINELS')) {
    problems.push('REDIS_SENTINEL_PASSWORD: only applies with REDIS_SENTINELS');
  }
  const nodeMode = set('REDIS_SENTINELS') || set('REDIS_CLUSTER_NODES');
  for (const name of ['REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_TLS']) {
    if (!set(name) || nodeMode || (name === 'REDIS_TLS' && !['true', '1', 'yes'].includes(env[name] ?? ''))) continue;
    problems.push(
      `${name}: only applies with REDIS_SENTINELS or REDIS_CLUSTER_NODES (with REDIS_URL put credentials in the URL and use rediss:// for TLS)`,
    );
  }
  return problems;
}

/** Parsed value of the base shape. */
export type BaseEnv = z.infer<z.ZodObject<typeof baseEnvShape>>;

/** Thrown by `loadConfig`; its message names every bad variable (never their values). */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}

/** A variable required in production, or a list of which one must be set (`['REDIS_URL', 'REDIS_SENTINELS']`). */
export type ProductionRequirement<Name extends string = string> = Name | readonly Name[];

/**
 * Validates `source` against `shape`, then maps the result with `map` into the app's nested
 * camelCase config, frozen. Throws one `ConfigError` listing every bad variable at once.
 * Production-only requirements are checked by `requireInProduction`; when `shape` has the base
 * Redis variables, their combination is checked too (`redisEnvProblems`).
 */
export function loadConfig<S extends z.ZodRawShape, T>(
  shape: S,
  source: EnvSource,
  map: (env: z.infer<z.ZodObject<S>>) => T,
  requireInProduction: readonly ProductionRequirement<keyof S & string>[] = [],
): DeepReadonly<T> {
  const cleaned: EnvSource = {};
  for (const [k, v] of Object.entries(source)) cleaned[k] = v === '' ? undefined : v;
  const result = z.object(shape).safeParse(cleaned);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = issue.path.join('.');
      const message = issue.code === 'invalid_type' && issue.received === 'undefined' ? 'is required' : issue.message;
      problems.push(`${name}: ${message}`);
    }
  }
  if ('REDIS_URL' in shape) problems.push(...redisEnvProblems(cleaned));
  if (cleaned.NODE_ENV === 'production') {
    for (const requirement of requireInProduction) {
      const names: readonly string[] = typeof requirement === 'string' ? [requirement] : requirement;
      if (names.some((name) => cleaned[name])) continue;
      const [first, ...others] = names;
      problems.push(`${first}: is required in production${others.length ? ` (or ${others.join(', or ')})` : ''}`);
    }
  }
  if (problems.length || !result.success) throw new ConfigError(problems);
  return deepFreeze(map(result.data));
}

/** The parts of the config every server has, built from the base shape. */
/**
 * Where Redis is: exactly one of `url` (one node), `sentinel` or `cluster` (`loadConfig` refuses
 * other combinations). `url: null` with neither of the others means no Redis.
 */
export interface RedisConnectionConfig {
  /** `redis://` or `rediss://` URL of one node (credentials, TLS and database number go in the URL). */
  url: string | null;
  /**
   * Sentinels (comma list of host:port, as in `REDIS_SENTINELS`), the master name they watch and
   * their own password; ioredis asks them for the current primary.
   */
  sentinel?: { sentinels: string; name: string; password?: string | null } | null;
  /** Any reachable nodes of a Redis Cluster (comma list of host:port); the client discovers the rest. */
  cluster?: { nodes: string } | null;
  /** ACL user of the data nodes (Sentinel and Cluster modes; one node: in the URL). */
  username?: string | null;
  /** Password of the data nodes (Sentinel and Cluster modes; one node: in the URL). */
  password?: string | null;
  /** TLS to the data nodes and sentinels (Sentinel and Cluster modes; one node: `rediss://`). */
  tls?: boolean;
}

export interface BaseConfig {
  env: 'development' | 'test' | 'production';
  isProduction: boolean;
  logLevel: string;
  mongodb: { uri: string; timeoutMs: number; poolSize: number };
  /** Where Redis is (exactly one of `url`, `sentinel`, `cluster`), the command bound and the key prefix. */
  redis: RedisConnectionConfig & { commandTimeoutMs: number; keyPrefix?: string };
  http: { bodyLimit: string; trustProxy: boolean | number | string; dashboardOrigins: readonly string[] };
  security: {
    jwtSecret: string;
    encryptionKey: string;
    previousEncryptionKeys: readonly string[];
    allowPrivateTargets: boolean;
  };
  urls: { publicApi: string; dashboard: string };
  /** Platform SMTP (null: mails are logged in development, refused in production) and sender. */
  mail: { smtpUrl: string | null; from: string };
  rateLimits: { authIpPer15Min: number; authAccountPer15Min: number };
  shutdownGraceMs: number;
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true') return true;
  const n = Number(value);
  return Number.isInteger(n) ? n : value;
}

function mapRedisEnv(env: BaseEnv): BaseConfig['redis'] {
  const list = (value: string | undefined) =>
    (value ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean)
      .join(',');
  const sentinels = list(env.REDIS_SENTINELS);
  const clusterNodes = list(env.REDIS_CLUSTER_NODES);
  return {
    url: env.REDIS_URL ?? null,
    sentinel: sentinels
      ? { sentinels, name: env.REDIS_SENTINEL_NAME ?? '', password: env.REDIS_SENTINEL_PASSWORD ?? null }
      : null,
    cluster: clusterNodes ? { nodes: clusterNodes } : null,
    username: env.REDIS_USERNAME ?? null,
    password: env.REDIS_PASSWORD ?? null,
    tls: env.REDIS_TLS,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
    keyPrefix: env.REDIS_KEY_PREFIX,
  };
}

/** Maps the base part of a parsed environment into `BaseConfig`. */
export function mapBaseEnv(env: BaseEnv): BaseConfig {
  const dashboardOrigins = [env.DASHBOARD_URL, ...(env.DASHBOARD_ORIGINS ?? '').split(',')]
    .map((o) => o.trim().replace(/\/$/, ''))
    .filter(Boolean);
  return {
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    logLevel: env.LOG_LEVEL,
    mongodb: { uri: env.MONGODB_URI, timeoutMs: env.MONGODB_TIMEOUT_MS, poolSize: env.MONGODB_POOL_SIZE },
    redis: mapRedisEnv(env),
    http: { bodyLimit: env.BODY_LIMIT, trustProxy: parseTrustProxy(env.TRUST_PROXY), dashboardOrigins },
    security: {
      jwtSecret: env.JWT_SECRET,
      encryptionKey: env.ENCRYPTION_KEY,
      previousEncryptionKeys: (env.ENCRYPTION_KEYS ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
      allowPrivateTargets: env.ALLOW_PRIVATE_TARGETS,
    },
    urls: { publicApi: env.PUBLIC_API_URL.replace(/\/$/, ''), dashboard: env.DASHBOARD_URL.replace(/\/$/, '') },
    mail: { smtpUrl: env.SMTP_URL ?? null, from: env.MAIL_FROM },
    rateLimits: {
      authIpPer15Min: env.RATE_LIMIT_AUTH_IP_PER_15MIN,
      authAccountPer15Min: env.RATE_LIMIT_AUTH_ACCOUNT_PER_15MIN,
    },
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
  };
}

/** Variables that must be set explicitly when `NODE_ENV=production` (a list: one of them, e.g. one Redis deployment). */
export const baseProductionRequired = [
  ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'],
  'PUBLIC_API_URL',
  'DASHBOARD_URL',
] as const;

import { z } from 'zod';

/** Quota profile of a plan (reference §9). `-1` means unlimited; `0` forbids (webhooks). */
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
  /** Project members, the owner included (teams). */
  maxMembers: number;
  /** Collection exports per project per UTC day (docs/data-lifecycle.md). */
  exportsPerDay: number;
  /** Open realtime connections (SSE + WebSocket) per project, all processes together (docs/realtime.md); 0 = realtime off. */
  maxRealtimeConnections: number;
  /** Subscriptions one realtime WebSocket may hold. */
  maxRealtimeSubscriptions: number;
}

const MB = 1024 * 1024;

/** The built-in plans: `free` and `pro`, with the reference's limits. */
export const DEFAULT_PLANS: Readonly<Record<string, PlanLimits>> = Object.freeze({
  free: {
    maxProjects: 1,
    maxCollections: 5,
    reqPerDay: 2000,
    reqPerMinute: 30,
    storageBytes: 10 * MB,
    mongoBytes: 50 * MB,
    authUsersLimit: 200,
    mailPerMonth: 25,
    mailTemplatesEnabled: false,
    webhooksLimit: 0,
    byomEnabled: true,
    byosEnabled: false,
    byokEnabled: false,
    maxMembers: 2,
    exportsPerDay: 1,
    maxRealtimeConnections: 500,
    maxRealtimeSubscriptions: 50,
  },
  pro: {
    maxProjects: 10,
    maxCollections: -1,
    reqPerDay: -1,
    reqPerMinute: 600,
    storageBytes: -1,
    mongoBytes: -1,
    authUsersLimit: -1,
    mailPerMonth: 1000,
    mailTemplatesEnabled: true,
    webhooksLimit: -1,
    byomEnabled: true,
    byosEnabled: true,
    byokEnabled: true,
    maxMembers: 6,
    exportsPerDay: 5,
    maxRealtimeConnections: 5000,
    maxRealtimeSubscriptions: 100,
  },
});

/** Limits of the platform admin: everything unlimited and enabled. */
export const UNLIMITED: Readonly<PlanLimits> = Object.freeze({
  maxProjects: -1,
  maxCollections: -1,
  reqPerDay: -1,
  reqPerMinute: -1,
  storageBytes: -1,
  mongoBytes: -1,
  authUsersLimit: -1,
  mailPerMonth: -1,
  mailTemplatesEnabled: true,
  webhooksLimit: -1,
  byomEnabled: true,
  byosEnabled: true,
  byokEnabled: true,
  maxMembers: -1,
  exportsPerDay: -1,
  maxRealtimeConnections: -1,
  maxRealtimeSubscriptions: -1,
});

const limitNumber = z.number().int().min(-1);
const partialLimitsSchema = z
  .object({
    maxProjects: limitNumber,
    maxCollections: limitNumber,
    reqPerDay: limitNumber,
    reqPerMinute: limitNumber,
    storageBytes: limitNumber,
    mongoBytes: limitNumber,
    authUsersLimit: limitNumber,
    mailPerMonth: limitNumber,
    mailTemplatesEnabled: z.boolean(),
    webhooksLimit: limitNumber,
    byomEnabled: z.boolean(),
    byosEnabled: z.boolean(),
    byokEnabled: z.boolean(),
    maxMembers: limitNumber,
    exportsPerDay: limitNumber,
    maxRealtimeConnections: limitNumber,
    maxRealtimeSubscriptions: limitNumber,
  })
  .partial()
  .strict();

/** `PLAN_LIMITS` JSON: `{"<plan>": {<limit>: value, ...}}`. New plan names start from `free`. */
export const planLimitsJsonSchema = z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/), partialLimitsSchema);

/** Environment variables of plans, for apps to spread into their config shape. */
export const planEnvShape = {
  DEFAULT_PLAN: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,31}$/)
    .default('free'),
  PLAN_LIMITS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return {};
      try {
        const parsed = planLimitsJsonSchema.safeParse(JSON.parse(v));
        if (parsed.success) return parsed.data;
        ctx.addIssue({ code: 'custom', message: `invalid plan limits: ${parsed.error.issues[0]?.message ?? ''}` });
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON like {"pro":{"maxProjects":20}}' });
      }
      return z.NEVER;
    }),
};

export interface PlanConfig {
  defaultPlan: string;
  overrides: Record<string, Partial<PlanLimits>>;
}

/** Maps the parsed plan environment to `PlanConfig`. */
export function mapPlanEnv(env: { DEFAULT_PLAN: string; PLAN_LIMITS: Record<string, Partial<PlanLimits>> }): PlanConfig {
  return { defaultPlan: env.DEFAULT_PLAN, overrides: env.PLAN_LIMITS };
}

/** Per-project overrides (`project.customLimits`): null means "use the plan". */
export interface CustomLimits {
  reqPerDay?: number | null;
  storageBytes?: number | null;
  mailPerMonth?: number | null;
  maxCollections?: number | null;
}

/** Who the limits are for: admins have none. */
export interface PlanSubject {
  plan?: string | null;
  isAdmin?: boolean;
}

export interface Plans {
  /** Plan names known to this process. */
  names(): string[];
  /** True when `name` is a known plan. */
  has(name: string): boolean;
  /** The plan developers get at sign-up (`DEFAULT_PLAN`). */
  readonly defaultPlan: string;
  /** Effective limits: admin → unlimited; unknown plan → default plan; then project custom limits. */
  limitsFor(subject: PlanSubject, custom?: CustomLimits | null): PlanLimits;
}

/** Builds the plan table: built-ins, then `PLAN_LIMITS` overrides (new names start from `free`). */
export function createPlans(config: PlanConfig = { defaultPlan: 'free', overrides: {} }): Plans {
  const table = new Map<string, PlanLimits>(Object.entries(DEFAULT_PLANS).map(([k, v]) => [k, { ...v }]));
  for (const [name, partial] of Object.entries(config.overrides)) {
    table.set(name, { ...(table.get(name) ?? (DEFAULT_PLANS.free as PlanLimits)), ...partial });
  }
  const defaultPlan = table.has(config.defaultPlan) ? config.defaultPlan : 'free';
  return {
    defaultPlan,
    names: () => [...table.keys()],
    has: (name) => table.has(name),
    limitsFor(subject, custom) {
      if (subject.isAdmin) return { ...UNLIMITED };
      const base = { ...((table.get(subject.plan ?? '') ?? table.get(defaultPlan)) as PlanLimits) };
      if (custom) {
        for (const key of ['reqPerDay', 'storageBytes', 'mailPerMonth', 'maxCollections'] as const) {
          const v = custom[key];
          if (typeof v === 'number') base[key] = v;
        }
      }
      return base;
    },
  };
}

/** True when `used + adding` stays within `limit` (-1 = unlimited). */
export function isWithinLimit(limit: number, used: number, adding = 1): boolean {
  return limit < 0 || used + adding <= limit;
}

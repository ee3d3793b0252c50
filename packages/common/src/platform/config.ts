import { z } from 'zod';
import { type PlanConfig, mapPlanEnv, planEnvShape } from '../plans/index.js';
import { type StorageAppConfig, mapStorageEnv, storageEnvShape } from '../storage/index.js';
import { type DeliveryConfig, deliveryEnvShape, mapDeliveryEnv } from '../webhooks/index.js';

/**
 * Variables of the project services both APIs run (plans, storage, delivery, query time limit,
 * end-user password cost). Each app's config extends `baseEnvShape` with this shape, so both
 * processes read them the same way. Documented in `.env.example`.
 */
export const platformEnvShape = {
  ...planEnvShape,
  ...storageEnvShape,
  ...deliveryEnvShape,
  QUERY_MAX_TIME_MS: z.coerce.number().int().min(100).default(5000),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(10),
};

type PlatformEnv = z.infer<z.ZodObject<typeof platformEnvShape>>;

/** The platform part of an app config (see `PlatformConfig`). */
export interface PlatformSettings {
  plans: PlanConfig;
  storage: StorageAppConfig;
  delivery: DeliveryConfig;
  queryMaxTimeMs: number;
  bcryptCost: number;
}

/** Maps the parsed platform variables; storage needs the public URL and the signing secret. */
export function mapPlatformEnv(env: PlatformEnv, base: { publicApiUrl: string; jwtSecret: string }): PlatformSettings {
  return {
    plans: mapPlanEnv(env),
    storage: mapStorageEnv(env, base.publicApiUrl, base.jwtSecret),
    delivery: mapDeliveryEnv(env),
    queryMaxTimeMs: env.QUERY_MAX_TIME_MS,
    bcryptCost: env.BCRYPT_COST,
  };
}

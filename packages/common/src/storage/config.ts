import { createHmac } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../config/index.js';
import type { StorageConfig } from './manager.js';

const optionalBool = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v === 'true' || v === '1'));

/**
 * Storage variables (both APIs): `STORAGE_DRIVER` local|supabase|s3, `STORAGE_DIR`,
 * `SUPABASE_URL`/`SUPABASE_KEY`/`SUPABASE_BUCKET`, `S3_BUCKET`/`S3_REGION`/`S3_ENDPOINT`/
 * `S3_ACCESS_KEY_ID`/`S3_SECRET_ACCESS_KEY`/`S3_FORCE_PATH_STYLE`/`S3_PUBLIC_URL`,
 * `UPLOAD_LIMIT_BYTES`, `STORAGE_PRESIGN_EXPIRES_S`. Spread into an app's env shape.
 */
export const storageEnvShape = {
  STORAGE_DRIVER: z.enum(['local', 'supabase', 's3']).default('local'),
  STORAGE_DIR: z.string().default('.data/storage'),
  SUPABASE_URL: z.string().url().optional(),
  SUPABASE_KEY: z.string().optional(),
  SUPABASE_BUCKET: z.string().min(1).default('dev-files'),
  S3_BUCKET: z.string().optional(),
  S3_REGION: z.string().default('auto'),
  S3_ENDPOINT: z.string().url().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: optionalBool,
  S3_PUBLIC_URL: z.string().url().optional(),
  UPLOAD_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(10 * 1024 * 1024),
  STORAGE_PRESIGN_EXPIRES_S: z.coerce
    .number()
    .int()
    .min(10)
    .max(7 * 24 * 3600)
    .default(600),
};

type StorageEnv = z.infer<z.ZodObject<typeof storageEnvShape>>;

/** Storage part of an app config. */
export interface StorageAppConfig extends StorageConfig {
  uploadLimitBytes: number;
  presignExpiresSeconds: number;
}

/**
 * Maps the storage variables. `publicApiUrl` is where local files and presigned PUTs are served;
 * `jwtSecret` derives the local presign key (both APIs share it, so dashboard presigns work).
 * Throws `ConfigError` when the chosen driver lacks its settings (at startup, never per request).
 */
export function mapStorageEnv(env: StorageEnv, publicApiUrl: string, jwtSecret: string): StorageAppConfig {
  if (env.STORAGE_DRIVER === 'supabase' && !(env.SUPABASE_URL && env.SUPABASE_KEY)) {
    throw new ConfigError(['SUPABASE_URL, SUPABASE_KEY: required when STORAGE_DRIVER=supabase']);
  }
  if (env.STORAGE_DRIVER === 's3' && !(env.S3_BUCKET && env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError(['S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: required when STORAGE_DRIVER=s3']);
  }
  return {
    driver: env.STORAGE_DRIVER,
    local: {
      dir: path.resolve(env.STORAGE_DIR),
      baseUrl: publicApiUrl,
      signingSecret: createHmac('sha256', jwtSecret).update('urbackend:local-storage-presign').digest('hex'),
    },
    supabase:
      env.SUPABASE_URL && env.SUPABASE_KEY ? { url: env.SUPABASE_URL, key: env.SUPABASE_KEY, bucket: env.SUPABASE_BUCKET } : null,
    s3:
      env.S3_BUCKET && env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
        ? {
            bucket: env.S3_BUCKET,
            region: env.S3_REGION,
            endpoint: env.S3_ENDPOINT ?? null,
            accessKeyId: env.S3_ACCESS_KEY_ID,
            secretAccessKey: env.S3_SECRET_ACCESS_KEY,
            forcePathStyle: env.S3_FORCE_PATH_STYLE ?? Boolean(env.S3_ENDPOINT),
            publicUrlHost: env.S3_PUBLIC_URL ?? null,
          }
        : null,
    uploadLimitBytes: env.UPLOAD_LIMIT_BYTES,
    presignExpiresSeconds: env.STORAGE_PRESIGN_EXPIRES_S,
  };
}

/** The storage config with every variable at its default (local driver under `.data/storage`). */
export function defaultStorageAppConfig(publicApiUrl: string, jwtSecret: string): StorageAppConfig {
  return mapStorageEnv(z.object(storageEnvShape).parse({}), publicApiUrl, jwtSecret);
}

import { z } from 'zod';
import type { S3DriverOptions } from './s3-driver.js';
import type { SupabaseDriverOptions } from './supabase-driver.js';

const supabaseSchema = z.object({
  provider: z.literal('supabase'),
  url: z.string().url(),
  key: z.string().min(1),
  bucket: z.string().min(1).max(63).default('files'),
});

const s3Schema = z.object({
  provider: z.literal('s3'),
  bucket: z.string().min(1).max(255),
  region: z.string().min(1).max(64).default('auto'),
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  endpoint: z.string().url().nullish(),
  forcePathStyle: z.boolean().optional(),
  publicUrlHost: z.string().url().nullish(),
});

/**
 * The decrypted JSON of `project.resources.storage.config` (AAD `project:<id>:byod:storage`):
 * `{provider:"supabase", url, key, bucket?}` or
 * `{provider:"s3", bucket, region?, accessKeyId, secretAccessKey, endpoint?, forcePathStyle?, publicUrlHost?}`.
 * The original's `{storageProvider, storageUrl, storageKey}` shape is accepted too (as supabase).
 */
export const byodStorageConfigSchema = z.discriminatedUnion('provider', [supabaseSchema, s3Schema]);

export type ByodStorageConfig = z.infer<typeof byodStorageConfigSchema>;

/** Parses a decrypted BYOD storage config; throws a ZodError (→ 400) when it is not valid. */
export function parseByodStorageConfig(raw: unknown): ByodStorageConfig {
  const value = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  if (!('provider' in value) && typeof value.storageUrl === 'string') {
    return byodStorageConfigSchema.parse({
      provider: value.storageProvider === 's3' ? 's3' : 'supabase',
      url: value.storageUrl,
      key: value.storageKey,
      bucket: value.bucket ?? 'files',
    });
  }
  return byodStorageConfigSchema.parse(value);
}

/** Driver options of a parsed BYOD config. */
export function byodDriverOptions(
  config: ByodStorageConfig,
): { kind: 'supabase'; options: SupabaseDriverOptions } | { kind: 's3'; options: S3DriverOptions } {
  if (config.provider === 'supabase')
    return { kind: 'supabase', options: { url: config.url, key: config.key, bucket: config.bucket } };
  return {
    kind: 's3',
    options: {
      bucket: config.bucket,
      region: config.region,
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
      endpoint: config.endpoint ?? null,
      forcePathStyle: config.forcePathStyle,
      publicUrlHost: config.publicUrlHost ?? null,
    },
  };
}

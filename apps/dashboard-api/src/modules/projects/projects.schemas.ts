import { z } from 'zod';

/** https, or http on localhost / 127.0.0.1 / ::1 (reference §6.2). */
export const siteUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .refine((v) => {
    if (v === '') return true;
    try {
      const u = new URL(v);
      if (u.protocol === 'https:') return true;
      return u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
    } catch {
      return false;
    }
  }, 'siteUrl must be an https URL (http only for localhost)');

export const createProjectBody = z.object({
  name: z.string({ required_error: 'name is required' }).trim().min(1, 'name is required').max(100),
  description: z.string().trim().max(500).optional(),
  siteUrl: siteUrlSchema.optional(),
});

export const updateProjectBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    description: z.string().trim().max(500).optional(),
    siteUrl: siteUrlSchema.optional(),
    allowPublishableUploads: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'Provide at least one field to update.');

export const rotateKeyBody = z.object({
  keyType: z.enum(['publishable', 'secret'], { errorMap: () => ({ message: "keyType must be 'publishable' or 'secret'" }) }),
});

const domainEntry = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .transform((d) => d.replace(/\/+$/, ''))
  .refine(
    (d) => d === '*' || /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/i.test(d) || /^https?:\/\/[^/\s]+$/i.test(d),
    'each domain must be *, a host name (optionally *.example.com) or an origin like https://app.example.com',
  );

export const allowedDomainsBody = z.object({ domains: z.array(domainEntry).max(100) });

export const authToggleBody = z.object({ enable: z.boolean({ required_error: 'enable must be a boolean' }) });

const providerInput = z
  .object({
    enabled: z.boolean().optional(),
    clientId: z.string().trim().max(512).optional(),
    clientSecret: z.string().trim().min(1, 'clientSecret must not be empty').max(1024).optional(),
  })
  .strict();

export const authProvidersBody = z
  .object({ github: providerInput.optional(), google: providerInput.optional() })
  .strict()
  .refine((b) => b.github !== undefined || b.google !== undefined, 'Provide at least one provider (github or google).');

export const byodConfigBody = z
  .object({
    dbUri: z.string().trim().min(1).max(2048).optional(),
    storageProvider: z.enum(['supabase', 's3']).optional(),
    storageUrl: z.string().trim().max(2048).optional(),
    storageKey: z.string().trim().max(4096).optional(),
    s3AccessKeyId: z.string().trim().max(256).optional(),
    s3SecretAccessKey: z.string().trim().max(512).optional(),
    s3Region: z.string().trim().max(64).optional(),
    s3Endpoint: z.string().trim().max(2048).optional(),
    s3Bucket: z.string().trim().max(255).optional(),
    publicUrlHost: z.string().trim().max(2048).optional(),
  })
  .strict()
  .refine(
    (b) => b.dbUri !== undefined || b.storageUrl !== undefined || b.storageProvider !== undefined || b.s3Bucket !== undefined,
    'Provide dbUri or a storage configuration.',
  );

import { z } from 'zod';
import { objectIdSchema } from '../tenant/object-id.js';

const email = z.string().trim().toLowerCase().email().max(254);
const blankToUndefined = (v: unknown) => (typeof v === 'string' && !v.trim() ? undefined : v);

/** Body of `POST /api/mail/send` (reference §1.7; `to` may be an array, CONTRACT §3.13). */
export const mailSendSchema = z
  .object({
    to: z.union([email, z.array(email).min(1).max(50)]),
    subject: z.preprocess(blankToUndefined, z.string().trim().min(1).max(200).optional()),
    html: z.string().max(512_000).optional(),
    text: z.string().max(512_000).optional(),
    templateId: objectIdSchema.optional(),
    templateName: z.string().trim().min(1).max(100).optional(),
    variables: z.record(z.unknown()).default({}),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.templateId && v.templateName) {
      ctx.addIssue({ code: 'custom', path: ['templateName'], message: 'send templateId or templateName, not both' });
    }
    if (!v.templateId && !v.templateName && !(v.subject && (v.html || v.text))) {
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'send subject with html or text, or a template' });
    }
  });

export type MailSendInput = z.infer<typeof mailSendSchema>;

const slug = (v: string) =>
  v
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);

/** Body of the dashboard's template create (reference §6.2); `key` is slugified from key or name. */
export const mailTemplateCreateSchema = z
  .object({
    key: z.string().max(100).optional(),
    name: z.string().trim().min(1).max(100),
    subject: z.string().trim().min(1).max(200),
    html: z.string().max(512_000).optional(),
    text: z.string().max(512_000).optional(),
  })
  .strict()
  .refine((v) => Boolean(v.html || v.text), { path: ['html'], message: 'html or text is required' })
  .transform((v) => ({ ...v, key: slug(v.key || v.name) }))
  .refine((v) => v.key.length > 0, { path: ['key'], message: 'key must contain letters or digits' });

export const mailTemplateUpdateSchema = z
  .object({
    key: z.string().max(100).optional(),
    name: z.string().trim().min(1).max(100).optional(),
    subject: z.string().trim().min(1).max(200).optional(),
    html: z.string().max(512_000).optional(),
    text: z.string().max(512_000).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to update')
  .transform((v) => (v.key === undefined ? v : { ...v, key: slug(v.key) }));

export type MailTemplateCreateInput = z.infer<typeof mailTemplateCreateSchema>;
export type MailTemplateUpdateInput = z.infer<typeof mailTemplateUpdateSchema>;

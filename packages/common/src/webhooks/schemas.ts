import { z } from 'zod';

const flags = z
  .object({
    insert: z.boolean().optional(),
    update: z.boolean().optional(),
    delete: z.boolean().optional(),
    recover: z.boolean().optional(),
  })
  .strict();

/** `{<collection>|"*": {insert?, update?, delete?, recover?}}`; collection names as the collections API allows. */
const NO_EVENT = 'Choose at least one event (insert, update, delete or recover) on a collection.';
export const webhookEventsSchema = z
  .record(z.string().regex(/^(\*|[A-Za-z][A-Za-z0-9_]{0,62})$/, 'must be a collection name or *'), flags, {
    required_error: NO_EVENT,
  })
  .refine((v) => Object.keys(v).length <= 200, 'at most 200 collections');

export const webhookCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    url: z.string().trim().url().max(2048),
    secret: z.string().min(16).max(256).optional(),
    // A webhook must listen to something: one event flag on at least one collection (or "*").
    events: webhookEventsSchema.refine((v) => Object.values(v).some((f) => Object.values(f).some(Boolean)), NO_EVENT),
    enabled: z.boolean().default(true),
  })
  .strict();

export const webhookUpdateSchema = webhookCreateSchema
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to update');

export const deliveriesQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export type WebhookCreateInput = z.infer<typeof webhookCreateSchema>;
export type WebhookUpdateInput = z.infer<typeof webhookUpdateSchema>;

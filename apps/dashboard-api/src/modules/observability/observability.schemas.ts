import { z } from 'zod';
import { RANGE_MS } from './analytics.js';

const RANGES = Object.keys(RANGE_MS) as [keyof typeof RANGE_MS, ...(keyof typeof RANGE_MS)[]];
const rangeMessage = `range must be one of ${RANGES.join(', ')}`;

/** An ISO 8601 date or date-time (`2026-05-08`, `2026-05-08T14:00`, `2026-05-08T14:00:00.000Z`). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

const instant = (name: string) =>
  z
    .string()
    .trim()
    .refine((v) => ISO_INSTANT.test(v) && !Number.isNaN(Date.parse(v)), {
      message: `${name} must be an ISO 8601 date and time, e.g. 2026-05-08T14:00:00Z`,
    })
    .transform((v) => new Date(v));

/**
 * `GET /logs` query: filters, a time window (a preset `range` or a custom `from` / `to`, not both;
 * `from` before `to`) and paging. Anything else is a 400 naming the parameter.
 */
export const logsQuerySchema = z
  .object({
    method: z
      .enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'get', 'post', 'put', 'patch', 'delete', 'options'])
      .optional(),
    status: z.coerce.number().int().min(100).max(599).optional(),
    statusClass: z.coerce.number().int().min(1).max(5).optional(),
    path: z.string().max(200).optional(),
    range: z.enum(RANGES, { errorMap: () => ({ message: rangeMessage }) }).optional(),
    from: instant('from').optional(),
    to: instant('to').optional(),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .superRefine((q, ctx) => {
    if (q.range && (q.from || q.to)) {
      ctx.addIssue({ code: 'custom', path: ['range'], message: 'Give either range or from/to, not both' });
    }
    if (q.from && q.to && q.from.getTime() > q.to.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must be before to' });
    }
  });

export type LogsQuery = z.output<typeof logsQuerySchema>;

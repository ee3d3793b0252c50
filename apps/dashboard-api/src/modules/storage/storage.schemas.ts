import { z } from 'zod';

export const filesQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const uploadRequestSchema = z.object({
  filename: z.string().trim().min(1).max(255),
  contentType: z.string().trim().min(1).max(255),
  size: z.number().int().positive(),
});

export const uploadConfirmSchema = z.object({
  filePath: z.string().min(1).max(1024),
  size: z.number().int().nonnegative(),
});

export const deleteFileSchema = z.object({ path: z.string().min(1, 'File path is required.').max(1024) });

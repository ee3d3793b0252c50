import { z } from 'zod';

const size = z.number({ required_error: 'size is required', invalid_type_error: 'size must be a number' });

export const uploadRequestSchema = z.object({
  filename: z.string({ required_error: 'filename is required' }).trim().min(1).max(255),
  contentType: z.string({ required_error: 'contentType is required' }).trim().min(1).max(255),
  size: size.int().positive(),
});

export const uploadConfirmSchema = z.object({
  filePath: z.string({ required_error: 'filePath is required' }).min(1).max(1024),
  size: size.int().nonnegative(),
});

export const deleteFileSchema = z.object({
  path: z.string({ required_error: 'File path is required.' }).min(1, 'File path is required.').max(1024),
});

export const listQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

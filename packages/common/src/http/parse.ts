import type { z } from 'zod';

/** Parses `value` with a zod schema; a failure throws the ZodError, which the error middleware turns into a 400 with details. */
export function parse<S extends z.ZodTypeAny>(schema: S, value: unknown): z.output<S> {
  return schema.parse(value);
}

import { z } from 'zod';
import { badRequest } from '../errors/index.js';
import type { FieldDef, RlsConfig } from '../models/index.js';

/** Name of the end-user collection (auth). */
export const USERS_COLLECTION = 'users';

/** True for the end-user collection (case-insensitive, like the public data API's guard). */
export function isUsersCollection(name: string): boolean {
  return name.toLowerCase() === USERS_COLLECTION;
}

/**
 * The `users` contract (reference §5): required String `email` and `password`. Returns the
 * problem as a message, or null when the field list satisfies it.
 */
export function usersSchemaProblem(fields: readonly FieldDef[]): string | null {
  for (const key of ['email', 'password']) {
    const f = fields.find((x) => x.key === key);
    if (!f || f.type !== 'String' || !f.required) {
      return `The users collection must declare '${key}' as a required String field.`;
    }
  }
  return null;
}

/**
 * Default RLS of a new collection (reference §3): disabled, `public-read`, writes need a user;
 * owner field `_id` for users, else `userId` or `ownerId` when declared, else `userId`.
 */
export function defaultRls(name: string, fields: readonly FieldDef[]): RlsConfig {
  const keys = new Set(fields.map((f) => f.key));
  let ownerField = 'userId';
  if (isUsersCollection(name)) ownerField = '_id';
  else if (!keys.has('userId') && keys.has('ownerId')) ownerField = 'ownerId';
  return { enabled: false, mode: 'public-read', ownerField, requireAuthForWrite: true };
}

/** Body of `PATCH .../collections/:c/rls`. */
export const rlsUpdateSchema = z
  .object({
    enabled: z.boolean().optional(),
    mode: z.enum(['public-read', 'private', 'owner-write-only']).optional(),
    ownerField: z.string().trim().min(1).max(64).optional(),
    requireAuthForWrite: z.boolean().optional(),
  })
  .strict();

export type RlsUpdate = z.infer<typeof rlsUpdateSchema>;

/**
 * Applies an RLS update to the current config. The owner field is matched case-insensitively
 * against the top-level schema keys and canonicalised; `_id` only on `users`. Throws 400.
 */
export function mergeRls(name: string, fields: readonly FieldDef[], current: RlsConfig, update: RlsUpdate): RlsConfig {
  const next: RlsConfig = { ...defaultRls(name, fields), ...stripUndefined(current), ...stripUndefined(update) };
  if (update.ownerField !== undefined) next.ownerField = canonicalOwnerField(name, fields, update.ownerField);
  return next;
}

function canonicalOwnerField(name: string, fields: readonly FieldDef[], wanted: string): string {
  if (wanted === '_id') {
    if (!isUsersCollection(name)) throw badRequest("ownerField '_id' is only allowed on the users collection.");
    return '_id';
  }
  const match = fields.find((f) => f.key.toLowerCase() === wanted.toLowerCase());
  if (!match) throw badRequest(`Invalid owner field: ownerField '${wanted}' not found in collection schema.`);
  return match.key;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

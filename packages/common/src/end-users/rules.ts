import { z } from 'zod';
import { badRequest } from '../errors/index.js';
import type { PasswordHasher } from '../user-auth/index.js';

/** Fields nobody sets directly on an end user: the hash (only through a password route) and system fields. */
export const SYSTEM_USER_FIELDS: ReadonlySet<string> = new Set([
  '_id',
  '__v',
  'createdAt',
  'updatedAt',
  'password',
  'passwordHash',
]);

/**
 * Fields an end user can never set on their own profile (CONTRACT §3.3): the system fields, plus
 * verification flags, roles and provider links. `email`/`password` change only through their own routes.
 * A developer (dashboard) may set these, except the system fields.
 */
export const SELF_PROTECTED_USER_FIELDS: ReadonlySet<string> = new Set([
  ...SYSTEM_USER_FIELDS,
  'email',
  'emailVerified',
  'isVerified',
  'isverified',
  'role',
  'roles',
  'githubId',
  'googleId',
  'authProviders',
]);

/** Shortest accepted end-user password. */
export const MIN_PASSWORD_LENGTH = 6;

/** An end user's email, as signup and the dashboard's "Add user" accept it: trimmed, lower-cased. */
export const endUserEmailSchema = z
  .string({ required_error: 'email is required', invalid_type_error: 'email must be a string' })
  .trim()
  .toLowerCase()
  .pipe(z.string().email('Invalid email address').max(100, 'Email must be at most 100 characters'));

/** A new end-user password (signup, reset, change, "Add user"), named as the field it comes in. */
export const endUserPasswordSchema = (name: string) =>
  z
    .string({ required_error: `${name} is required`, invalid_type_error: `${name} must be a string` })
    .min(MIN_PASSWORD_LENGTH, `${name} must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(100, `${name} must be at most 100 characters`);

/**
 * Normalises a validated `users` document written by a developer (dashboard rows): email trimmed
 * and lower-cased, a plain `password` hashed with the platform hasher (400 under 6 characters),
 * `emailVerified` false on insert unless given. Returns a new object.
 */
export async function prepareUserWrite(
  hasher: PasswordHasher,
  doc: Record<string, unknown>,
  mode: 'insert' | 'patch',
): Promise<Record<string, unknown>> {
  const out = { ...doc };
  if (typeof out.email === 'string') out.email = out.email.trim().toLowerCase();
  if (typeof out.password === 'string') {
    if (out.password.length < MIN_PASSWORD_LENGTH)
      throw badRequest(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
    out.password = await hasher.hash(out.password);
  }
  if (mode === 'insert' && out.emailVerified === undefined) out.emailVerified = false;
  return out;
}

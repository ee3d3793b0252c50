import { z } from 'zod';
import { badRequest, forbidden } from '../errors/index.js';
import type { PasswordHasher } from '../user-auth/index.js';

/**
 * Where a disabled end user is marked (the date it was disabled; absent or null: enabled). Set only
 * by the dashboard's disable route, never shown by the public API (see {@link HIDDEN_FIELDS}).
 */
export const USER_DISABLED_FIELD = 'authDisabledAt';

/** What a disabled end user is told (403) at login, refresh, social login and with a live access token. */
export const DISABLED_ACCOUNT_MESSAGE = 'This account is disabled.';

/**
 * Fields no public-API response, aggregation, populated reference or realtime event ever carries:
 * the password hash (any collection) and the disabled flag of an end user.
 */
export const HIDDEN_FIELDS: readonly string[] = ['password', 'passwordHash', USER_DISABLED_FIELD];

/** True when the end user was disabled by the developer (the dashboard's disable route). */
export function isUserDisabled(user: Record<string, unknown> | null | undefined): boolean {
  const value = user?.[USER_DISABLED_FIELD];
  return value !== undefined && value !== null && value !== false;
}

/** Throws 403 {@link DISABLED_ACCOUNT_MESSAGE} when the end user is disabled; returns nothing otherwise. */
export function assertUserEnabled(user: Record<string, unknown> | null | undefined): void {
  if (isUserDisabled(user)) throw forbidden(DISABLED_ACCOUNT_MESSAGE);
}

/**
 * Fields nobody sets directly on an end user: the hash (only through a password route), the
 * disabled flag (only through the disable route) and system fields.
 */
export const SYSTEM_USER_FIELDS: ReadonlySet<string> = new Set([
  '_id',
  '__v',
  'createdAt',
  'updatedAt',
  'password',
  'passwordHash',
  USER_DISABLED_FIELD,
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
 * `emailVerified` false on insert unless given, the disabled flag dropped (only the dashboard's
 * disable route sets it, so its sessions are revoked with it). Returns a new object.
 */
export async function prepareUserWrite(
  hasher: PasswordHasher,
  doc: Record<string, unknown>,
  mode: 'insert' | 'patch',
): Promise<Record<string, unknown>> {
  const out = { ...doc };
  delete out[USER_DISABLED_FIELD];
  if (typeof out.email === 'string') out.email = out.email.trim().toLowerCase();
  if (typeof out.password === 'string') {
    if (out.password.length < MIN_PASSWORD_LENGTH)
      throw badRequest(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
    out.password = await hasher.hash(out.password);
  }
  if (mode === 'insert' && out.emailVerified === undefined) out.emailVerified = false;
  return out;
}

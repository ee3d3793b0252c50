import type { mongo } from 'mongoose';
import { z } from 'zod';
import { AppError, type ErrorDetail, badRequest, forbidden } from '../errors/index.js';
import type { FieldDef } from '../models/index.js';
import type { ProjectScope, ScopedCollection, ScopedProject } from '../scope/index.js';
import { type ObjectId, toObjectId } from '../tenant/index.js';
import { collectValueProblems, validateDocument } from '../validation/index.js';
import { SELF_PROTECTED_USER_FIELDS, USER_DISABLED_FIELD } from './rules.js';

/** An end user as stored in the project's `users` collection. */
export interface UserDoc extends mongo.Document {
  _id: ObjectId;
  email: string;
  password?: string;
  emailVerified?: boolean;
  username?: string;
}

/** A username as end users set it (signup, profile): trimmed, 3 to 50 characters. */
export const usernameSchema = z
  .string({ invalid_type_error: 'username must be a string' })
  .trim()
  .min(3, 'Username must be at least 3 characters')
  .max(50, 'Username must be at most 50 characters');

const SENSITIVE = /password|email|token|otp|secret|session|refresh/i;

/**
 * `checkAuthEnabled` (reference §1.1): auth must be on (403), a `users` collection must exist
 * (403 `User Schema Missing`) and declare required String `email` and `password` (422).
 * Returns the users collection.
 */
export function usersCollectionOf(project: ScopedProject): ScopedCollection {
  if (!project.isAuthEnabled) {
    throw forbidden('Please enable Auth in the urBackend dashboard for this project to use this endpoint.');
  }
  const users = project.collections.find((c) => c.name === 'users');
  if (!users) throw forbidden('User Schema Missing');
  const has = (key: string) => users.model.some((f) => f.key === key && f.type === 'String' && f.required === true);
  if (!has('email') || !has('password')) {
    throw new AppError('UNPROCESSABLE', "The users schema must declare required String fields 'email' and 'password'.");
  }
  return users;
}

/** The custom fields of the users schema: what an end user may set on their own profile. */
export function customFieldsOf(users: ScopedCollection): FieldDef[] {
  return users.model.filter((f) => !SELF_PROTECTED_USER_FIELDS.has(f.key));
}

/**
 * 400 when a request body carries keys MongoDB or the runtime would misread (`$`-prefixed,
 * dotted, `__proto__`/`constructor`/`prototype`, NUL), even under keys that would be dropped
 * (SECURITY.md, Input). Check the raw body: zod drops an own `__proto__` key while parsing.
 */
export function assertSafeKeys<T>(body: T): T {
  const problems: ErrorDetail[] = [];
  collectValueProblems(body, '', problems);
  const first = problems[0];
  if (first) throw badRequest(`Field '${first.path}' ${first.message}.`, problems);
  return body;
}

/**
 * Keeps only the custom fields the users schema declares, validated like any insert (`insert`:
 * required fields and defaults) or update (`patch`). Protected and undeclared keys are dropped.
 */
export function customValues(users: ScopedCollection, body: Record<string, unknown>, mode: 'insert' | 'patch') {
  assertSafeKeys(body);
  const fields = customFieldsOf(users);
  const declared = new Set(fields.map((f) => f.key));
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (declared.has(k)) input[k] = v;
  if (input.username !== undefined) input.username = usernameSchema.parse(input.username);
  return validateDocument(fields, input, mode);
}

/** Required `username`/`name` that signup did not supply get one from the email (reference). */
export function fillGeneratedNames(users: ScopedCollection, body: Record<string, unknown>, email: string): void {
  const local = (email.split('@')[0] ?? 'user').replace(/[^A-Za-z0-9._-]/g, '').slice(0, 40);
  for (const key of ['username', 'name']) {
    const field = users.model.find((f) => f.key === key && f.required);
    if (field && (body[key] === undefined || body[key] === null || body[key] === '')) body[key] = local.padEnd(3, '0');
  }
}

/** A user as they see themselves (`me`): the stored document without the password hash and the disabled flag. */
export function selfView(user: UserDoc): Record<string, unknown> {
  const { password: _hidden, [USER_DISABLED_FIELD]: _disabled, ...rest } = user;
  return { ...rest, emailVerified: user.emailVerified === true };
}

/** A user as anyone sees them (`public/:username`): only non-sensitive schema fields. */
export function publicView(users: ScopedCollection, user: UserDoc): Record<string, unknown> {
  const out: Record<string, unknown> = { _id: user._id };
  for (const f of users.model) {
    if (SENSITIVE.test(f.key) || SELF_PROTECTED_USER_FIELDS.has(f.key) || user[f.key] === undefined) continue;
    out[f.key] = user[f.key];
  }
  out.createdAt = user.createdAt;
  out.updatedAt = user.updatedAt;
  return out;
}

/** The scope's `users` collection (tenant database), with a unique email index ensured once per process. */
export function createUsersAccess() {
  const indexed = new Set<string>();
  return async function usersOf(scope: ProjectScope): Promise<mongo.Collection<UserDoc>> {
    const collection = (await scope.tenant.connection()).collection<UserDoc>('users');
    const projectId = scope.project._id;
    if (!indexed.has(projectId)) {
      // Best effort: old data with duplicate emails keeps working; new signups are still checked first.
      await collection.createIndex({ email: 1 }, { unique: true, name: 'uauth_email_unique' }).catch(() => undefined);
      indexed.add(projectId);
    }
    return collection;
  };
}

export type UsersAccess = ReturnType<typeof createUsersAccess>;

/** `{_id}` filter for a user id from a token; null unless the id is an ObjectId in canonical (lower-case hex) form. */
export function byId(userId: string): mongo.Filter<UserDoc> | null {
  const _id = toObjectId(userId);
  return _id && String(_id) === userId ? { _id } : null;
}

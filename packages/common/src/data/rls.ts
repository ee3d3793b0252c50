import { forbidden, unauthenticated } from '../errors/index.js';
import { type ProjectScope, type ScopedCollection, endUserOf, isPrivileged } from '../scope/index.js';
import { ObjectId, isObjectIdHex } from '../tenant/index.js';

/** Values an owner field may hold for `userId` (stored as a string, or as an ObjectId for Ref fields). */
export function ownerValues(userId: string): unknown[] {
  return isObjectIdHex(userId) ? [userId, new ObjectId(userId)] : [userId];
}

/**
 * The RLS read filter (reference §3): developer, secret key or RLS off → `{}`; `private` needs a user and
 * reads only their documents; `public-read` (and legacy `owner-write-only`) read everything.
 */
export function readFilter(scope: ProjectScope, collection: ScopedCollection): Record<string, unknown> {
  const rls = collection.rls;
  if (isPrivileged(scope) || !rls.enabled) return {};
  if (rls.mode === 'private') {
    const user = endUserOf(scope);
    if (!user) throw unauthenticated('Provide a valid user Bearer token for private reads.');
    return { [rls.ownerField]: { $in: ownerValues(user.userId) } };
  }
  if (rls.mode === 'public-read' || rls.mode === 'owner-write-only') return {};
  throw forbidden('Unsupported RLS mode');
}

/**
 * Whether a publishable-key write may proceed at all; returns the acting user id, or null for
 * an anonymous write (only when `requireAuthForWrite` is false). Secret keys never get here.
 */
function writer(scope: ProjectScope, collection: ScopedCollection): string | null {
  const rls = collection.rls;
  if (!rls.enabled) throw forbidden('Enable RLS for this collection to allow publishable-key writes.');
  if (!['public-read', 'private', 'owner-write-only'].includes(rls.mode)) throw forbidden('Unsupported RLS mode');
  const user = endUserOf(scope);
  if (user) return user.userId;
  if (rls.requireAuthForWrite) throw unauthenticated('Provide a valid user Bearer token for write operations.');
  return null;
}

/**
 * RLS for inserts (single and bulk): with a user, the owner field is injected when empty and
 * must equal the user otherwise (403); anonymous writes (`requireAuthForWrite:false`) create
 * ownerless documents only. Mutates and returns `items`.
 */
export function applyInsertRls(
  scope: ProjectScope,
  collection: ScopedCollection,
  items: Record<string, unknown>[],
): Record<string, unknown>[] {
  if (isPrivileged(scope)) return items;
  const userId = writer(scope, collection);
  const field = collection.rls.ownerField;
  if (field === '_id') throw forbidden('Insert denied: this collection is owned by _id.');
  items.forEach((item, i) => {
    const value = item[field];
    const empty = value === undefined || value === null || value === '';
    if (userId === null) {
      if (!empty) throw forbidden(`Item at index ${i} may not set ${field} without a user token`);
      return;
    }
    if (empty) item[field] = userId;
    else if (String(value) !== userId) throw forbidden(`Item at index ${i} must have ${field} equal to your user id`);
  });
  return items;
}

/** Refuses a publishable-key write before any document is read (RLS off → 403, no user → 401). */
export function assertWriteAllowed(scope: ProjectScope, collection: ScopedCollection): void {
  if (!isPrivileged(scope)) writer(scope, collection);
}

/**
 * RLS for update/delete of `existing`: the stored owner must be the user (or absent for an
 * anonymous write when allowed), and an update may not change the owner field.
 */
export function checkModifyRls(
  scope: ProjectScope,
  collection: ScopedCollection,
  existing: Record<string, unknown>,
  changes: Record<string, unknown> | null,
): void {
  if (isPrivileged(scope)) return;
  const userId = writer(scope, collection);
  const field = collection.rls.ownerField;
  const stored = existing[field];
  const storedText = stored === undefined || stored === null || stored === '' ? null : String(stored);
  if (changes && Object.hasOwn(changes, field) && String(changes[field] ?? '') !== (storedText ?? '')) {
    throw forbidden('Owner field immutable');
  }
  if (storedText !== userId) throw forbidden('You can only modify your own document.');
}

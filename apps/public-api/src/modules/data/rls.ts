import type { CollectionSnapshot } from '@urbackend/common/api-keys';
import { badRequest, forbidden, unauthenticated } from '@urbackend/common/errors';
import { ObjectId, isObjectIdHex } from '@urbackend/common/tenant';
import type { PublicContext } from '../../context.js';

/** Values an owner field may hold for `userId` (stored as a string, or as an ObjectId for Ref fields). */
export function ownerValues(userId: string): unknown[] {
  return isObjectIdHex(userId) ? [userId, new ObjectId(userId)] : [userId];
}

/**
 * The RLS read filter (reference §3): secret key or RLS off → `{}`; `private` needs a user and
 * reads only their documents; `public-read` (and legacy `owner-write-only`) read everything.
 */
export function readFilter(ctx: PublicContext, collection: CollectionSnapshot): Record<string, unknown> {
  const rls = collection.rls;
  if (ctx.keyRole === 'secret' || !rls.enabled) return {};
  if (rls.mode === 'private') {
    if (!ctx.authUser) throw unauthenticated('Provide a valid user Bearer token for private reads.');
    return { [rls.ownerField]: { $in: ownerValues(ctx.authUser.userId) } };
  }
  if (rls.mode === 'public-read' || rls.mode === 'owner-write-only') return {};
  throw forbidden('Unsupported RLS mode');
}

/**
 * Whether a publishable-key write may proceed at all; returns the acting user id, or null for
 * an anonymous write (only when `requireAuthForWrite` is false). Secret keys never get here.
 */
function writer(ctx: PublicContext, collection: CollectionSnapshot): string | null {
  const rls = collection.rls;
  if (!rls.enabled) throw forbidden('Enable RLS for this collection to allow publishable-key writes.');
  if (!['public-read', 'private', 'owner-write-only'].includes(rls.mode)) throw forbidden('Unsupported RLS mode');
  if (ctx.authUser) return ctx.authUser.userId;
  if (rls.requireAuthForWrite) throw unauthenticated('Provide a valid user Bearer token for write operations.');
  return null;
}

/**
 * RLS for inserts (single and bulk): with a user, the owner field is injected when empty and
 * must equal the user otherwise (403); anonymous writes (`requireAuthForWrite:false`) create
 * ownerless documents only. Mutates and returns `items`.
 */
export function applyInsertRls(
  ctx: PublicContext,
  collection: CollectionSnapshot,
  items: Record<string, unknown>[],
): Record<string, unknown>[] {
  if (ctx.keyRole === 'secret') return items;
  const userId = writer(ctx, collection);
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
export function assertWriteAllowed(ctx: PublicContext, collection: CollectionSnapshot): void {
  if (ctx.keyRole !== 'secret') writer(ctx, collection);
}

/**
 * RLS for update/delete of `existing`: the stored owner must be the user (or absent for an
 * anonymous write when allowed), and an update may not change the owner field.
 */
export function checkModifyRls(
  ctx: PublicContext,
  collection: CollectionSnapshot,
  existing: Record<string, unknown>,
  changes: Record<string, unknown> | null,
): void {
  if (ctx.keyRole === 'secret') return;
  const userId = writer(ctx, collection);
  const field = collection.rls.ownerField;
  const stored = existing[field];
  const storedText = stored === undefined || stored === null || stored === '' ? null : String(stored);
  if (changes && Object.hasOwn(changes, field) && String(changes[field] ?? '') !== (storedText ?? '')) {
    throw forbidden('Owner field immutable');
  }
  if (storedText !== userId) throw forbidden('You can only modify your own document.');
}

/** Checks an id path parameter; 400 `Invalid ID format.` otherwise. */
export function objectId(id: string): ObjectId {
  if (!/^[0-9a-fA-F]{24}$/.test(id)) throw badRequest('Invalid ID format.');
  return new ObjectId(id);
}

import { badRequest } from '../errors/index.js';

/** Collection names (CONTRACT §8): a letter, then letters, digits or `_`, 63 characters at most. */
export const COLLECTION_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/**
 * Returns a human message saying why `name` cannot be a collection name, or null when it can.
 * Names starting with `system` (any case) are reserved by MongoDB.
 */
export function collectionNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'Collection name is required.';
  if (!COLLECTION_NAME_PATTERN.test(name)) {
    return 'Collection name must start with a letter and contain only letters, digits and underscores (max 63 characters).';
  }
  if (/^system/i.test(name)) return "Collection names starting with 'system' are reserved.";
  return null;
}

/** Throws a 400 `AppError` when `name` is not a valid collection name; returns it otherwise. */
export function assertCollectionName(name: unknown): string {
  const problem = collectionNameProblem(name);
  if (problem) throw badRequest(problem, [{ path: 'name', message: problem }]);
  return name as string;
}

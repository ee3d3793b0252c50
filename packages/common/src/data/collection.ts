import { HIDDEN_FIELDS } from '../end-users/rules.js';
import { forbidden, notFound } from '../errors/index.js';
import type { Logger } from '../logger/index.js';
import { type ProjectScope, type ScopedCollection, findCollection } from '../scope/index.js';
import type { DataEvent, DataEventHandler } from './events.js';

/** Time limits of data queries. */
export interface QueryLimits {
  /** maxTimeMS of every query, count and aggregation. */
  maxTimeMs: number;
  /** maxTimeMS when a regex filter is present. */
  regexMaxTimeMs: number;
}

/**
 * The collection `name` of the scope's project, 404 when not declared. Apps reach `users` (any
 * case) only through the end-user routes (403 for API keys); developers edit it like any other.
 */
export function dataCollection(scope: ProjectScope, name: string): ScopedCollection {
  if (scope.actor.type === 'key' && name.trim().toLowerCase() === 'users') {
    throw forbidden('Use /api/userAuth endpoints for users collection operations.');
  }
  const collection = findCollection(scope.project, name);
  if (!collection) throw notFound('Collection not found');
  return collection;
}

/** ANDs the RLS filter with a query filter (either may be empty). */
export function andFilters(...filters: Record<string, unknown>[]): Record<string, unknown> {
  const parts = filters.filter((f) => Object.keys(f).length > 0);
  if (parts.length === 0) return {};
  if (parts.length === 1) return parts[0] as Record<string, unknown>;
  return { $and: parts };
}

/** Removes fields a response never shows (`HIDDEN_FIELDS`: the password hash, an end user's disabled flag) and, with `meta=false`, the metadata fields. */
export function present(doc: Record<string, unknown>, options: { meta?: boolean; dropVersion?: boolean } = {}) {
  const hidden = options.meta === false ? HIDDEN_WITHOUT_META : options.dropVersion ? HIDDEN_WITHOUT_VERSION : HIDDEN;
  const out: Record<string, unknown> = {};
  for (const k in doc) {
    if (!Object.hasOwn(doc, k) || hidden.has(k)) continue;
    // A stored `__proto__` key (a foreign BYOD write) stays a plain field, never the prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: doc[k], enumerable: true, writable: true, configurable: true });
    else out[k] = doc[k];
  }
  return out;
}
const HIDDEN: ReadonlySet<string> = new Set(HIDDEN_FIELDS);
const HIDDEN_WITHOUT_VERSION: ReadonlySet<string> = new Set([...HIDDEN_FIELDS, '__v']);
const HIDDEN_WITHOUT_META: ReadonlySet<string> = new Set([...HIDDEN_FIELDS, 'createdAt', 'updatedAt', '__v', 'schemaVersion']);

/**
 * Runs the data-event hook of a write. Writers await it before answering (the realtime stream and
 * the collection's data version are then in Redis, so a list after the answer counts the write);
 * it never rejects: a failing hook is logged and the write still succeeds.
 */
export function emitter(handler: DataEventHandler, logger?: Logger) {
  return (scope: ProjectScope, event: DataEvent): Promise<void> =>
    Promise.resolve()
      .then(() => handler(scope, event))
      .catch((err: unknown) =>
        logger?.warn({ err, projectId: scope.project._id, event: event.action }, 'data event hook failed'),
      );
}

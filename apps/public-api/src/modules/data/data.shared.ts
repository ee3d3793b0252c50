import { type CollectionSnapshot, findCollection } from '@urbackend/common/api-keys';
import { forbidden, notFound } from '@urbackend/common/errors';
import type { Logger } from '@urbackend/common/logger';
import type { PublicContext } from '../../context.js';
import type { DataEvent, DataEventHandler } from '../../data-events.js';

/** Time limits of data queries. */
export interface QueryLimits {
  /** maxTimeMS of every query, count and aggregation. */
  maxTimeMs: number;
  /** maxTimeMS when a regex filter is present. */
  regexMaxTimeMs: number;
}

/** The collection `name` of the request's project: 403 for `users` (any case), 404 when not declared. */
export function dataCollection(ctx: PublicContext, name: string): CollectionSnapshot {
  if (name.trim().toLowerCase() === 'users') {
    throw forbidden('Use /api/userAuth endpoints for users collection operations.');
  }
  const collection = findCollection(ctx.project, name);
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

/** Removes fields a response never shows (`password`) and, with `meta=false`, the metadata fields. */
export function present(doc: Record<string, unknown>, options: { meta?: boolean; dropVersion?: boolean } = {}) {
  const hidden = new Set(['password']);
  if (options.meta === false) for (const k of ['createdAt', 'updatedAt', '__v', 'schemaVersion']) hidden.add(k);
  if (options.dropVersion) hidden.add('__v');
  return Object.fromEntries(Object.entries(doc).filter(([k]) => !hidden.has(k)));
}

/** Fires the data-event hook without delaying or failing the response. */
export function emitter(handler: DataEventHandler, logger: Logger) {
  return (ctx: PublicContext, event: DataEvent) => {
    Promise.resolve()
      .then(() => handler(ctx, event))
      .catch((err: unknown) => logger.warn({ err, projectId: ctx.projectId, event: event.action }, 'data event hook failed'));
  };
}

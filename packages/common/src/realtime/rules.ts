import { createRequire } from 'node:module';
import type * as Mingo from 'mingo';
import { isUsersCollection } from '../collections/index.js';
import { andFilters, dataCollection, present, readFilter } from '../data/index.js';
import type { DataEvent } from '../data/index.js';
import { HIDDEN_FIELDS } from '../end-users/rules.js';
import { badRequest, forbidden, notFound } from '../errors/index.js';
import { parseListQuery } from '../query/index.js';
import { type ProjectScope, type ScopedCollection, findCollection, isPrivileged } from '../scope/index.js';

/** mingo (~15 MB of RSS) is loaded with the first subscription, not at start-up. */
let mingo: typeof Mingo | null = null;
function mingoQuery(): typeof Mingo.Query {
  if (!mingo) mingo = createRequire(import.meta.url)('mingo') as typeof Mingo;
  return mingo.Query;
}

type Doc = Record<string, unknown>;

/** List parameters a subscription does not take (it has no pages, order or population). */
const UNSUPPORTED = ['page', 'limit', 'skip', 'sort', 'cursor', 'count', 'populate', 'expand'];

/** What one subscriber is sent for one data event. */
export interface SubscriberEvent {
  type: 'insert' | 'update' | 'delete';
  collection: string;
  documentId: string;
  /** The document as this subscriber may read it (insert/update only). */
  document?: Doc;
  /** Updates: the changed fields this subscriber can see. */
  changedFields?: string[];
}

/** A compiled subscription: its collection and the one rule that decides what it is sent. */
export interface CompiledSubscription {
  collection: string;
  /** The subscriber's view of an event, or null when it sees nothing of it. */
  view(event: DataEvent): SubscriberEvent | null;
}

/** Makes a parsed filter comparable with a JSON-decoded document: dates as ISO text, ids as hex. */
function jsonComparable(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof RegExp) return value;
  if (Array.isArray(value)) return value.map(jsonComparable);
  if (value && typeof value === 'object') {
    const v = value as { _bsontype?: string; toHexString?: () => string };
    if (v._bsontype === 'ObjectId' && typeof v.toHexString === 'function') return v.toHexString();
    return Object.fromEntries(Object.entries(value).map(([k, inner]) => [k, jsonComparable(inner)]));
  }
  return value;
}

/** A document as a JSON round trip makes it (what the stream carries), so one rule applies everywhere. */
export function asJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The collection a subscriber may watch: `users` only with the secret key (or a developer). */
function watchedCollection(scope: ProjectScope, name: string): ScopedCollection {
  if (isUsersCollection(name)) {
    if (!isPrivileged(scope)) throw forbidden('Only the secret key may subscribe to the users collection.');
    const users = findCollection(scope.project, name);
    if (!users) throw notFound('Collection not found');
    return users;
  }
  return dataCollection(scope, name);
}

/**
 * Compiles a subscription of `scope` (the subscriber: key, end user) to collection `name` with
 * list-route query parameters (`status=published&views_gt=10`, `fields`, `meta`). Throws the same
 * errors the list route would (404 unknown collection, 401 private mode without a user, 400 bad
 * filter), plus 400 for list parameters a subscription has no use for.
 *
 * The rule, applied to every event for every subscriber: a document is visible when it matches
 * the RLS read filter AND the subscriber's filter (evaluated in memory with mingo on the JSON
 * document). Visible before and after → `update`; only after → `insert`; only before → `delete`
 * (id only, never content); neither → nothing. Documents are projected with `fields` and never
 * carry `HIDDEN_FIELDS` (the password hash, an end user's disabled flag).
 */
export function compileSubscription(scope: ProjectScope, name: string, query: Record<string, unknown>): CompiledSubscription {
  const collection = watchedCollection(scope, name);
  const unsupported = Object.keys(query).filter((k) => UNSUPPORTED.includes(k));
  if (unsupported.length) throw badRequest(`Realtime subscriptions do not take "${unsupported.join('", "')}".`);
  const q = parseListQuery(query, collection.model);
  const filter = jsonComparable(andFilters(readFilter(scope, collection), q.filter)) as Doc;
  const Query = mingoQuery();
  const matcher = new Query(filter, {});
  const projection = q.projection;
  const inclusive = projection ? !Object.values(projection).includes(0) : false;
  const hidden = new Set([...HIDDEN_FIELDS, ...(q.meta ? [] : ['createdAt', 'updatedAt', '__v', 'schemaVersion'])]);

  const fieldVisible = (field: string): boolean => {
    if (hidden.has(field)) return false;
    if (!projection) return true;
    const top = field.split('.')[0] as string;
    if (inclusive) return field === '_id' || Object.keys(projection).some((p) => p === field || p.split('.')[0] === top);
    return !Object.keys(projection).some((p) => p === field || p === top);
  };
  const matches = (doc: Doc | undefined): boolean => !!doc && matcher.test(doc);
  const shape = (doc: Doc): Doc => {
    const projected = projection ? (new Query({}, {}).find<Doc>([doc], projection).next() as Doc) : doc;
    return present(projected, { meta: q.meta });
  };

  return {
    collection: collection.name,
    view(event) {
      if (event.collection !== collection.name) return null;
      const base = { collection: collection.name, documentId: event.documentId };
      const after = event.action === 'delete' ? undefined : event.data;
      const before = event.action === 'insert' ? undefined : event.action === 'delete' ? event.data : event.before;
      const isIn = matches(after);
      // An update without its previous state (an older writer): no transition can be told.
      const wasIn = event.action === 'update' && !event.before ? isIn : matches(before);
      if (!isIn) return wasIn ? { type: 'delete', ...base } : null;
      const document = shape(after as Doc);
      if (!wasIn || event.action === 'insert') return { type: 'insert', ...base, document };
      const changedFields = (event.changedFields ?? []).filter(fieldVisible);
      if (event.changedFields && changedFields.length === 0 && projection) return null;
      return { type: 'update', ...base, document, changedFields };
    },
  };
}

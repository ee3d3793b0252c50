import { SYSTEM_FIELDS } from './values.js';

/**
 * The database-quota size of a document: the UTF-8 byte length of its JSON without the
 * server-added fields, so the bytes charged on insert (body) equal the bytes released on delete
 * (stored document) and the counter never drifts.
 */
export function documentBytes(doc: unknown): number {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return Buffer.byteLength(JSON.stringify(doc) ?? '', 'utf8');
  const counted = Object.fromEntries(Object.entries(doc as Record<string, unknown>).filter(([k]) => !SYSTEM_FIELDS.has(k)));
  return Buffer.byteLength(JSON.stringify(counted), 'utf8');
}

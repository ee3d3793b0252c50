import type { Connection } from 'mongoose';
import type { ServerKind } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { FieldDef, FieldType } from '../models/index.js';

const BSON_TYPE: Partial<Record<FieldType, string>> = { String: 'string', Number: 'number', Boolean: 'bool', Date: 'date' };

/** Name of the unique index of a top-level field (`unique_<field>_1`, as the reference). */
export function uniqueIndexName(field: string): string {
  return `unique_${field}_1`;
}

interface IndexInfo {
  name?: string;
  unique?: boolean;
}

function formatExample(value: unknown): string {
  const text = value instanceof Date ? value.toISOString() : JSON.stringify(value);
  return text === undefined ? 'null' : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Finds duplicated values of `field` (ignoring missing/null unless the field is required).
 * Throws a 409 naming up to 3 examples when there are any.
 */
export async function assertNoDuplicates(conn: Connection, collection: string, field: FieldDef): Promise<void> {
  const match = field.required ? {} : { [field.key]: { $exists: true, $ne: null } };
  const dups = (await conn
    .collection(collection)
    .aggregate([
      { $match: match },
      { $group: { _id: `$${field.key}`, count: { $sum: 1 } } },
      { $match: { count: { $gt: 1 } } },
      { $sort: { count: -1 } },
      { $limit: 3 },
    ])
    .toArray()) as { _id: unknown; count: number }[];
  if (dups.length === 0) return;
  const examples = dups.map((d) => `${formatExample(d._id)} (${d.count} times)`).join(', ');
  throw new AppError(
    'CONFLICT',
    `Cannot create unique index on '${field.key}': duplicate values exist. Examples: ${examples}. Remove or change the duplicates first.`,
    dups.map((d) => ({ path: field.key, message: `${formatExample(d._id)} appears ${d.count} times` })),
  );
}

/**
 * Index options for a unique field. On MongoDB a non-required field gets a partial filter on
 * its BSON type, so missing/null values never collide. FerretDB 1.24 has no partial indexes;
 * its unique indexes already ignore missing fields (null values still collide, so writers
 * should drop null values of optional unique fields before writing).
 */
function indexOptions(field: FieldDef, kind: ServerKind): Record<string, unknown> {
  const options: Record<string, unknown> = { unique: true, name: uniqueIndexName(field.key) };
  const bsonType = BSON_TYPE[field.type];
  if (!field.required && kind === 'mongodb' && bsonType) {
    options.partialFilterExpression = { [field.key]: { $type: bsonType } };
  }
  return options;
}

async function existingUniqueIndexes(conn: Connection, collection: string): Promise<Set<string>> {
  try {
    const list = (await conn.collection(collection).indexes()) as IndexInfo[];
    return new Set(list.filter((i) => i.unique && i.name?.startsWith('unique_')).map((i) => i.name as string));
  } catch {
    return new Set();
  }
}

/**
 * Makes the physical unique indexes of `collection` match the top-level `unique` flags of
 * `fields`: checks duplicates first (409 with examples), creates missing indexes, drops the
 * ones no longer wanted. On failure the indexes created by this call are dropped again.
 * A field whose `required` flag changed gets its index rebuilt (its options depend on it).
 */
export async function syncUniqueIndexes(
  conn: Connection,
  collection: string,
  fields: readonly FieldDef[],
  kind: ServerKind,
  previous: readonly FieldDef[] = [],
): Promise<void> {
  const existing = await existingUniqueIndexes(conn, collection);
  const wanted = fields.filter((f) => f.unique);
  const wantedNames = new Set(wanted.map((f) => uniqueIndexName(f.key)));
  const prevByKey = new Map(previous.map((f) => [f.key, f]));
  const created: string[] = [];
  try {
    for (const field of wanted) {
      const name = uniqueIndexName(field.key);
      const before = prevByKey.get(field.key);
      const changed = before?.unique && (Boolean(before.required) !== Boolean(field.required) || before.type !== field.type);
      if (existing.has(name) && !changed) continue;
      await assertNoDuplicates(conn, collection, field);
      if (existing.has(name)) await conn.collection(collection).dropIndex(name);
      await conn.collection(collection).createIndex({ [field.key]: 1 }, indexOptions(field, kind));
      created.push(name);
    }
  } catch (err) {
    for (const name of created)
      await conn
        .collection(collection)
        .dropIndex(name)
        .catch(() => undefined);
    throw err;
  }
  for (const name of existing) {
    if (!wantedNames.has(name))
      await conn
        .collection(collection)
        .dropIndex(name)
        .catch(() => undefined);
  }
}

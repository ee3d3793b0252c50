/**
 * Type and component names of a project's collections, shared by the OpenAPI document, the
 * `.d.ts` and the zod module so the three always agree. A name is the collection name with its
 * first letter upper-cased (`blog_posts` → `Blog_posts`): collection names are unique ignoring
 * case, so this never collides between collections; a collision with a helper name or another
 * derived name (`posts` + `postsInsert`) gets a numeric suffix.
 */
export interface CollectionTypeNames {
  /** The stored document (`Posts`). */
  doc: string;
  /** The body of an insert (`PostsInsert`). */
  insert: string;
  /** The body of an update (`PostsUpdate`). */
  update: string;
}

/** Names the generated files declare themselves (never used for a collection). */
export const RESERVED_TYPE_NAMES = [
  'UrBackendTypes',
  'UrBackendInsertTypes',
  'UrBackendUpdateTypes',
  'CollectionName',
  'TypedDatabase',
  'ObjectIdString',
  'DateTimeString',
  'ErrorEnvelope',
  'ErrorDetail',
  'UrBackendSchemas',
];

const upperFirst = (s: string) => (s ? s[0]?.toUpperCase() + s.slice(1) : s);
/** Component/type names: letters, digits and `_` only (collection names already are). */
const safe = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');

/** The names of every collection, in the order given. */
export function collectionTypeNames(
  names: readonly string[],
  reserved: readonly string[] = [],
): Map<string, CollectionTypeNames> {
  const used = new Set([...RESERVED_TYPE_NAMES, ...reserved].map((n) => n.toLowerCase()));
  const take = (wanted: string) => {
    let name = wanted;
    for (let i = 2; used.has(name.toLowerCase()); i += 1) name = `${wanted}_${i}`;
    used.add(name.toLowerCase());
    return name;
  };
  const out = new Map<string, CollectionTypeNames>();
  // Documents first, so `posts` keeps `Posts` even when a later collection is named `postsInsert`.
  const docs = names.map((n) => take(safe(upperFirst(n))));
  names.forEach((n, i) => {
    const doc = docs[i] as string;
    out.set(n, { doc, insert: take(`${doc}Insert`), update: take(`${doc}Update`) });
  });
  return out;
}

/** A string as a TypeScript/JS property name: bare when it is an identifier, quoted otherwise. */
export function propertyName(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
}

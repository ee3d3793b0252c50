/**
 * The dashboard API answers some routes with a raw value and others with `{success, data, message}`
 * (reference §6). `unwrap` returns `data` when the body is such an envelope, else the body.
 */
export function unwrap<T>(body: unknown): T {
  if (body && typeof body === 'object' && !Array.isArray(body) && 'data' in body) {
    const b = body as { data: unknown; success?: unknown };
    if (b.data !== undefined && (b.success !== undefined || Object.keys(body).length <= 3)) return b.data as T;
  }
  return body as T;
}

/** A list from a raw array, `{items}`, `{data:[…]}`, or `{<key>: […]}`. */
export function unwrapList<T>(body: unknown, key?: string): T[] {
  const inner = unwrap<unknown>(body);
  if (Array.isArray(inner)) return inner as T[];
  if (inner && typeof inner === 'object') {
    const o = inner as Record<string, unknown>;
    if (key && Array.isArray(o[key])) return o[key] as T[];
    if (Array.isArray(o.items)) return o.items as T[];
    if (Array.isArray(o.data)) return o.data as T[];
  }
  return [];
}

/** Stream ids (`<ms>-<seq>`, Redis Streams' format): monotonic per project. */

const ID = /^(\d{1,20})-(\d{1,20})$/;

/** True for a well-formed stream id. */
export function isStreamId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value);
}

function parts(id: string): [bigint, bigint] {
  const m = ID.exec(id);
  if (!m) throw new Error(`not a stream id: ${id}`);
  return [BigInt(m[1] as string), BigInt(m[2] as string)];
}

/** Orders two stream ids: negative when `a` is older than `b`. */
export function compareIds(a: string, b: string): number {
  const [am, as] = parts(a);
  const [bm, bs] = parts(b);
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}

/** The milliseconds part of a stream id. */
export function idTime(id: string): number {
  return Number(parts(id)[0]);
}

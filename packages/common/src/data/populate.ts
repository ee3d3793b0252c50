import { HIDDEN_FIELDS } from '../end-users/rules.js';
import type { FieldDef } from '../models/index.js';
import { type ProjectScope, findCollection } from '../scope/index.js';
import { ObjectId } from '../tenant/index.js';
import { readFilter } from './rls.js';

type Doc = Record<string, unknown>;

const SECRET_KEY = /pass(word)?|otp|token|secret|session|hash/i;

/** Removes secrets from a populated document (`users` never exposes hashes, OTPs, tokens or the disabled flag). */
function scrub(doc: Doc, isUsers: boolean): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(doc)) {
    if (HIDDEN_FIELDS.includes(k) || (isUsers && SECRET_KEY.test(k))) continue;
    out[k] = v;
  }
  return out;
}

function refTarget(fields: readonly FieldDef[], path: string): string | null {
  let level: readonly FieldDef[] | undefined = fields;
  let target: string | null = null;
  for (const segment of path.split('.')) {
    const field: FieldDef | undefined = level?.find((f) => f.key === segment);
    if (!field) return null;
    target = field.type === 'Array' ? (field.items?.ref ?? null) : (field.ref ?? null);
    level = field.type === 'Array' ? field.items?.fields : field.fields;
  }
  return target;
}

function getAt(doc: Doc, path: string): unknown {
  let value: unknown = doc;
  for (const s of path.split('.')) value = value && typeof value === 'object' ? (value as Doc)[s] : undefined;
  return value;
}

function setAt(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: unknown = doc;
  for (const s of parts.slice(0, -1)) node = node && typeof node === 'object' ? (node as Doc)[s] : undefined;
  if (node && typeof node === 'object') (node as Doc)[parts.at(-1) as string] = value;
}

function idsOf(value: unknown): ObjectId[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is ObjectId => v instanceof ObjectId);
}

/**
 * Replaces Ref ids at `paths` with the referenced documents of the same project, honouring the
 * target collection's RLS read filter (no access → ids stay) and never exposing `password`
 * or, for `users`, any hash/OTP/token/session field. Missing targets become null.
 */
export async function populate(
  scope: ProjectScope,
  fields: readonly FieldDef[],
  docs: Doc[],
  paths: readonly string[],
  maxTimeMS: number,
): Promise<void> {
  for (const path of paths) {
    const targetName = refTarget(fields, path);
    const target = targetName ? findCollection(scope.project, targetName) : null;
    if (!target) continue;
    let filter: Doc;
    try {
      filter = readFilter(scope, target);
    } catch {
      continue;
    }
    const ids = docs.flatMap((d) => idsOf(getAt(d, path)));
    if (!ids.length) continue;
    const model = await scope.tenant.model(target);
    const found = await model
      .find({ $and: [filter, { _id: { $in: ids } }] })
      .lean()
      .maxTimeMS(maxTimeMS);
    const byId = new Map(found.map((f) => [String(f._id), scrub(f as Doc, target.name.toLowerCase() === 'users')]));
    for (const doc of docs) {
      const value = getAt(doc, path);
      if (Array.isArray(value))
        setAt(
          doc,
          path,
          value.map((v) => byId.get(String(v)) ?? null),
        );
      else if (value instanceof ObjectId) setAt(doc, path, byId.get(String(value)) ?? null);
    }
  }
}

import type { FieldDef, FieldType } from '../api/types.js';

/** One field while it is being edited: strings for the free-text inputs, a stable id for React. */
export interface FieldDraft {
  id: string;
  key: string;
  type: FieldType;
  required: boolean;
  unique: boolean;
  defaultText: string;
  enumText: string;
  minText: string;
  maxText: string;
  pattern: string;
  format: '' | 'email' | 'url' | 'slug' | 'color';
  ref: string;
  itemType: Exclude<FieldType, 'Array'>;
  fields: FieldDraft[];
}

export const MAX_DEPTH = 3;
const PRIMITIVES: FieldType[] = ['String', 'Number', 'Boolean', 'Date'];
let seq = 0;

export function newDraft(partial: Partial<FieldDraft> = {}): FieldDraft {
  seq += 1;
  return {
    id: `f${seq}`,
    key: '',
    type: 'String',
    required: false,
    unique: false,
    defaultText: '',
    enumText: '',
    minText: '',
    maxText: '',
    pattern: '',
    format: '',
    ref: '',
    itemType: 'String',
    fields: [],
    ...partial,
  };
}

function str(v: unknown): string {
  return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** FieldDef (from the server) → editable draft. */
export function toDraft(f: FieldDef): FieldDraft {
  const isString = f.type === 'String';
  const nested = f.type === 'Object' ? f.fields : f.type === 'Array' ? f.items?.fields : undefined;
  return newDraft({
    key: f.key,
    type: f.type,
    required: Boolean(f.required),
    unique: Boolean(f.unique),
    defaultText: str(f.default),
    enumText: (f.enum ?? []).join(', '),
    minText: str(isString ? f.minLength : f.min),
    maxText: str(isString ? f.maxLength : f.max),
    pattern: f.pattern ?? '',
    format: f.format ?? '',
    ref: f.ref ?? f.items?.ref ?? '',
    itemType: f.items?.type ?? 'String',
    fields: (nested ?? []).map(toDraft),
  });
}

function parseDefault(d: FieldDraft): unknown {
  const t = d.defaultText.trim();
  if (d.type === 'Number') return Number(t);
  if (d.type === 'Boolean') return t === 'true';
  return d.defaultText;
}

function parseEnum(d: FieldDraft): (string | number)[] {
  const parts = d.enumText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return d.type === 'Number' ? parts.map(Number) : parts;
}

/** Draft → FieldDef for the API (assumes `validateDrafts` found no problems). */
export function fromDraft(d: FieldDraft): FieldDef {
  const f: FieldDef = { key: d.key.trim(), type: d.type };
  if (d.required) f.required = true;
  if (d.unique) f.unique = true;
  if (d.defaultText.trim() !== '' && PRIMITIVES.includes(d.type) && d.type !== 'Date') f.default = parseDefault(d);
  if (d.enumText.trim() && (d.type === 'String' || d.type === 'Number')) f.enum = parseEnum(d);
  const min = d.minText.trim();
  const max = d.maxText.trim();
  if (d.type === 'String') {
    if (min) f.minLength = Number(min);
    if (max) f.maxLength = Number(max);
    if (d.pattern.trim()) f.pattern = d.pattern.trim();
    if (d.format) f.format = d.format;
  }
  if (d.type === 'Number') {
    if (min) f.min = Number(min);
    if (max) f.max = Number(max);
  }
  if (d.type === 'Ref') f.ref = d.ref;
  if (d.type === 'Object') f.fields = d.fields.map(fromDraft);
  if (d.type === 'Array') {
    f.items = { type: d.itemType };
    if (d.itemType === 'Object') f.items.fields = d.fields.map(fromDraft);
    if (d.itemType === 'Ref') f.items.ref = d.ref;
  }
  return f;
}

type Problems = Record<string, string>;

function checkOne(d: FieldDraft, depth: number, seen: Set<string>, out: Problems): void {
  const key = d.key.trim();
  const put = (m: string) => {
    if (!out[d.id]) out[d.id] = m;
  };
  if (!key) put('Give the field a name.');
  else if (key.startsWith('$') || key.includes('.') || /\s/.test(key))
    put('Names cannot start with $ or contain dots or spaces.');
  else if (seen.has(key)) put(`“${key}” is used twice.`);
  seen.add(key);
  if (d.required && d.defaultText.trim()) put('A required field cannot have a default.');
  if (d.type === 'Number' && d.defaultText.trim() && !Number.isFinite(Number(d.defaultText)))
    put('The default must be a number.');
  if (d.type === 'Boolean' && d.defaultText.trim() && !['true', 'false'].includes(d.defaultText.trim()))
    put('The default must be true or false.');
  if (d.type === 'Number' && d.enumText.trim() && parseEnum(d).some((n) => !Number.isFinite(n)))
    put('Allowed values must be numbers.');
  for (const v of [d.minText, d.maxText]) if (v.trim() && !Number.isFinite(Number(v))) put('Min and max must be numbers.');
  if (d.minText.trim() && d.maxText.trim() && Number(d.minText) > Number(d.maxText)) put('Min is larger than max.');
  if (d.pattern.trim()) {
    try {
      new RegExp(d.pattern);
    } catch {
      put('The pattern is not a valid regular expression.');
    }
  }
  const needsRef = d.type === 'Ref' || (d.type === 'Array' && d.itemType === 'Ref');
  if (needsRef && !d.ref) put('Pick the collection this field points to.');
  const hasChildren = d.type === 'Object' || (d.type === 'Array' && d.itemType === 'Object');
  if (hasChildren) {
    if (depth >= MAX_DEPTH) put(`Objects can be nested at most ${MAX_DEPTH} levels deep.`);
    else if (d.fields.length === 0) put('Add at least one sub-field.');
    const childSeen = new Set<string>();
    for (const child of d.fields) checkOne(child, depth + 1, childSeen, out);
  }
}

/** Problems keyed by draft id (empty when the schema can be saved). */
export function validateDrafts(drafts: FieldDraft[]): Problems {
  const out: Problems = {};
  const seen = new Set<string>();
  for (const d of drafts) checkOne(d, 1, seen, out);
  return out;
}

/** Starter fields of a `users` collection (auth needs email + password). */
export function usersTemplate(): FieldDraft[] {
  return [
    newDraft({ key: 'email', type: 'String', required: true, unique: true }),
    newDraft({ key: 'password', type: 'String', required: true }),
    newDraft({ key: 'username', type: 'String' }),
  ];
}

export const isPrimitive = (t: FieldType) => PRIMITIVES.includes(t);

/**
 * Client-side view of a field's constraints (the same rules the API applies in
 * `packages/common/src/validation`): a short hint for forms and a check run before a save, so a
 * developer sees the problem on the field before the round trip. The server stays the authority:
 * its `details` errors are shown on the same field afterwards.
 */
import type { FieldDef } from '../api/types.js';

const FORMATS: Record<string, { re: RegExp; message: string }> = {
  email: { re: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, message: 'Enter a valid email address.' },
  url: { re: /^https?:\/\/\S+$/i, message: 'Enter a URL starting with http:// or https://.' },
  slug: { re: /^[a-z0-9]+(?:-[a-z0-9]+)*$/, message: 'Use lower-case letters, digits and dashes.' },
  color: { re: /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i, message: 'Enter a colour like #1a2b3c.' },
};

/** "1 – 5", "at least 3 characters", "one of a, b"… for the field's hint line. */
export function constraintHint(f: FieldDef): string | undefined {
  const parts: string[] = [];
  if (f.type === 'Number') {
    if (f.min !== undefined && f.max !== undefined) parts.push(`between ${f.min} and ${f.max}`);
    else if (f.min !== undefined) parts.push(`at least ${f.min}`);
    else if (f.max !== undefined) parts.push(`at most ${f.max}`);
  }
  if (f.minLength !== undefined && f.maxLength !== undefined) parts.push(`${f.minLength}–${f.maxLength} characters`);
  else if (f.minLength !== undefined) parts.push(`at least ${f.minLength} characters`);
  else if (f.maxLength !== undefined) parts.push(`at most ${f.maxLength} characters`);
  if (f.pattern) parts.push(`must match /${f.pattern}/`);
  if (f.format) parts.push(`format: ${f.format}`);
  if (f.unique) parts.push('unique');
  if (f.default !== undefined && f.default !== null && f.default !== '') parts.push(`default ${JSON.stringify(f.default)}`);
  return parts.length ? parts.join(' · ') : undefined;
}

/** Problems with an already typed value (a number, a string…); null when it passes. */
export function checkValue(f: FieldDef, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return f.required ? 'This field is required.' : null;
  if (f.enum?.length && !f.enum.map(String).includes(String(value))) return `Choose one of: ${f.enum.join(', ')}.`;
  if (f.type === 'Number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return 'Enter a number.';
    if (f.min !== undefined && value < f.min) return `Must be at least ${f.min}.`;
    if (f.max !== undefined && value > f.max) return `Must be at most ${f.max}.`;
  }
  if (typeof value === 'string' && (f.type === 'String' || f.type === 'Ref')) {
    if (f.minLength !== undefined && value.length < f.minLength) return `Must be at least ${f.minLength} characters.`;
    if (f.maxLength !== undefined && value.length > f.maxLength) return `Must be at most ${f.maxLength} characters.`;
    if (f.pattern) {
      try {
        if (!new RegExp(f.pattern).test(value)) return `Must match the pattern /${f.pattern}/.`;
      } catch {
        // An invalid pattern is the schema's problem; the server reports it.
      }
    }
    const format = f.format ? FORMATS[f.format] : undefined;
    if (format && !format.re.test(value)) return format.message;
    if (f.type === 'Ref' && !/^[0-9a-f]{24}$/i.test(value)) return 'Pick a document (a 24-character id).';
  }
  if (f.type === 'Array' && f.items && Array.isArray(value)) {
    const item = { ...f.items, key: f.key } as FieldDef;
    for (const [i, v] of value.entries()) {
      const problem = checkValue(item, v);
      if (problem) return `Item ${i + 1}: ${problem}`;
    }
  }
  return null;
}

/** Parses the text of an inline-edited cell to the field's JSON type; `error` when it cannot. */
export function parseCell(f: FieldDef, text: string): { value: unknown; error?: string } {
  const s = text.trim();
  if (s === '') return { value: null, error: f.required ? 'This field is required.' : undefined };
  if (f.type === 'Number') {
    const n = Number(s);
    return Number.isFinite(n) ? { value: n } : { value: s, error: 'Enter a number.' };
  }
  if (f.type === 'Boolean') {
    if (s === 'true' || s === 'false') return { value: s === 'true' };
    return { value: s, error: 'Enter true or false.' };
  }
  if (f.type === 'Date') {
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? { value: s, error: 'Enter a valid date.' } : { value: d.toISOString() };
  }
  return { value: f.type === 'String' ? text : s };
}

/** Fields that can be edited in a grid cell (scalars); objects and arrays open the drawer. */
export function inlineEditable(f: FieldDef | undefined): f is FieldDef {
  return Boolean(f && ['String', 'Number', 'Boolean', 'Date', 'Ref'].includes(f.type));
}

/** Every dotted path of the schema, nested objects included (`address.city`), for filters. */
export function fieldPaths(fields: readonly FieldDef[], prefix = ''): { path: string; field: FieldDef }[] {
  return fields.flatMap((f) => {
    const path = prefix ? `${prefix}.${f.key}` : f.key;
    return f.type === 'Object' && f.fields?.length ? fieldPaths(f.fields, path) : [{ path, field: f }];
  });
}

/** Escapes text for a literal match inside a `_regex` filter. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

import { escapeHtml } from '../mail/index.js';

export type RenderMode = 'html' | 'text';

const TOKEN = /\{\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}\}|\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

function lookup(variables: Record<string, unknown>, path: string): unknown {
  let value: unknown = variables;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A value as text; URLs (keys ending in `url`/`uri`) only when they are http(s), else `""`. */
function stringify(path: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/(url|uri)$/i.test(path.split('.').pop() ?? '')) {
    try {
      const url = new URL(text);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : '';
    } catch {
      return '';
    }
  }
  return text;
}

/**
 * Renders `{{path}}` and `{{{path}}}` placeholders (dotted paths; missing → `""`). In `html`
 * mode `{{path}}` is HTML-escaped and `{{{path}}}` inserted raw; in `text` mode both are raw.
 * Variables whose name ends in `url`/`uri` are kept only when they are http(s) URLs.
 */
export function renderTemplate(template: string, variables: Record<string, unknown>, mode: RenderMode): string {
  return template.replace(TOKEN, (_match, raw: string | undefined, escaped: string | undefined) => {
    const path = (raw ?? escaped) as string;
    const value = stringify(path, lookup(variables, path));
    return mode === 'html' && escaped ? escapeHtml(value) : value;
  });
}

/** Renders a subject: text mode, line breaks collapsed (header safety), at most 200 characters. */
export function renderSubject(template: string, variables: Record<string, unknown>): string {
  return renderTemplate(template, variables, 'text')
    .replace(/[\r\n]+/g, ' ')
    .trim()
    .slice(0, 200);
}

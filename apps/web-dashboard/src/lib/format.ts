/** 1536 → "1.5 KB". */
export function formatBytes(n: number | undefined | null): string {
  const v = Number(n ?? 0);
  if (!Number.isFinite(v) || v <= 0) return '0 B';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  const i = Math.min(units.length - 1, Math.floor(Math.log(v) / Math.log(1024)));
  const x = v / 1024 ** i;
  return `${x >= 10 || i === 0 ? Math.round(x) : x.toFixed(1)} ${units[i]}`;
}

export function formatNumber(n: number | undefined | null): string {
  return new Intl.NumberFormat().format(Number(n ?? 0));
}

/** A date as local "May 8, 2026, 14:03"; "—" when missing or invalid. */
export function formatDate(value: string | number | Date | undefined | null): string {
  if (value === undefined || value === null || value === '') return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '—';
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Compact JSON for a table cell. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The public API base URL shown in snippets: the project's own, the build-time one, or this host on :1235. */
export function publicApiUrl(fromProject?: string): string {
  if (fromProject) return fromProject.replace(/\/$/, '');
  const configured = import.meta.env.VITE_PUBLIC_API_URL as string | undefined;
  if (configured) return configured.replace(/\/$/, '');
  return `${window.location.protocol}//${window.location.hostname}:1235`;
}

/** A date as local "May 8, 2026"; "—" when missing or invalid. */
export function formatDay(value: string | number | Date | undefined | null): string {
  if (value === undefined || value === null || value === '') return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** The request's origin for the allow-list: the `Origin` header, else the `Referer`; null when neither. */
export function requestOrigin(headers: { origin?: string | undefined; referer?: string | undefined }): string | null {
  const value = headers.origin || headers.referer;
  return value ? value : null;
}

function normalise(entry: string): string {
  return entry.trim().toLowerCase().replace(/\/+$/, '');
}

/**
 * True when `origin` (already parsed) is allowed by a project's `allowedDomains`: `*` allows
 * everything; an entry matches the full origin (`https://app.example.com`) or the hostname
 * (`app.example.com`); `*.example.com` matches `example.com` and any subdomain of it.
 */
export function isOriginAllowed(allowedDomains: readonly string[], origin: URL): boolean {
  const full = origin.origin.toLowerCase();
  const host = origin.hostname.toLowerCase();
  for (const raw of allowedDomains) {
    const entry = normalise(raw);
    if (!entry) continue;
    if (entry === '*' || entry === full || entry === host) return true;
    if (entry.startsWith('*.')) {
      const base = entry.slice(2);
      if (host === base || host.endsWith(`.${base}`)) return true;
    }
  }
  return false;
}

/** A failed API call: `message` is the server's `error` string (or a network explanation). */
export class ApiError extends Error {
  readonly status: number;
  readonly details: ApiErrorDetail[];
  constructor(message: string, status: number, details: ApiErrorDetail[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.details = details;
  }
}

/** One field-level problem from the envelope's `details` array. */
export interface ApiErrorDetail {
  path?: (string | number)[] | string;
  field?: string;
  message: string;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Skip the automatic refresh-and-retry on 401 (used by the auth calls themselves). */
  noRefresh?: boolean;
  signal?: AbortSignal;
  /** Receives the response headers of a successful call (e.g. `X-Total-Count`). */
  onHeaders?: (headers: Headers) => void;
  /** A body sent as is (a file) with this content type, instead of JSON. */
  raw?: { body: Blob | string; contentType: string };
}

export interface ApiClient {
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  get<T>(path: string, options?: RequestOptions): Promise<T>;
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  patch<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  put<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  del<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  /** The successful response itself (streamed downloads); errors are thrown like the other calls. */
  response(method: string, path: string, options?: RequestOptions): Promise<Response>;
}

export interface ApiClientHooks {
  /** The current access token (kept in memory only). */
  getToken(): string | null;
  /** Exchanges the refresh cookie for a new access token; resolves null when the session is gone. */
  refresh(): Promise<string | null>;
}

function buildUrl(path: string, query?: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.append(k, String(v));
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

async function readError(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON (a proxy error page, for instance): fall back to the status text below.
  }
  if (body && typeof body === 'object') {
    const b = body as { error?: unknown; message?: unknown; details?: unknown };
    const message = typeof b.error === 'string' ? b.error : typeof b.message === 'string' ? b.message : '';
    const details = Array.isArray(b.details) ? (b.details as ApiErrorDetail[]) : [];
    if (message) return new ApiError(message, res.status, details);
  }
  if (res.status === 502 || res.status === 504) {
    return new ApiError('The dashboard API is not reachable. Is it running?', res.status);
  }
  return new ApiError(`Request failed (${res.status} ${res.statusText}).`, res.status);
}

/** Fetch wrapper for the dashboard API: Bearer token, JSON, envelope errors, one refresh-and-retry on 401. */
export function createApiClient(hooks: ApiClientHooks): ApiClient {
  async function send(method: string, path: string, options: RequestOptions, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (options.raw) {
      headers['Content-Type'] = options.raw.contentType;
      body = options.raw.body;
    } else if (options.body instanceof FormData) body = options.body;
    else if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    try {
      return await fetch(buildUrl(path, options.query), {
        method,
        headers,
        body,
        credentials: 'same-origin',
        signal: options.signal,
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError('Network error: the dashboard API could not be reached. Check your connection and try again.', 0);
    }
  }

  async function response(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    let res = await send(method, path, options, hooks.getToken());
    if (res.status === 401 && !options.noRefresh) {
      const fresh = await hooks.refresh();
      if (fresh) res = await send(method, path, options, fresh);
    }
    if (!res.ok) throw await readError(res);
    return res;
  }

  async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await response(method, path, options);
    options.onHeaders?.(res.headers);
    if (res.status === 204) return undefined as T;
    const type = res.headers.get('content-type') ?? '';
    return (type.includes('application/json') ? await res.json() : await res.text()) as T;
  }

  return {
    request,
    response,
    get: (path, options) => request('GET', path, options),
    post: (path, body, options) => request('POST', path, { ...options, body }),
    patch: (path, body, options) => request('PATCH', path, { ...options, body }),
    put: (path, body, options) => request('PUT', path, { ...options, body }),
    del: (path, body, options) => request('DELETE', path, { ...options, body }),
  };
}

/** A human message for anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Field errors from an ApiError's `details`, keyed by the dotted path or field name. */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError)) return out;
  for (const d of err.details) {
    const key = d.field ?? (Array.isArray(d.path) ? d.path.join('.') : d.path);
    if (key && !out[key]) out[key] = d.message;
  }
  return out;
}

import { useEffect, useRef, useState } from 'react';
import { type ApiClient, ApiError } from './api-client.js';

/** One change pushed by the dashboard API's live routes (docs/realtime.md#dashboard). */
export interface LiveEvent {
  /** The project stream id (`<ms>-<seq>`). */
  id: string;
  type: 'insert' | 'update' | 'delete' | 'reset';
  collection: string;
  documentId?: string;
  document?: Record<string, unknown>;
  changedFields?: string[];
  /** When the change was published (ISO). */
  at?: string;
}

export type LiveStatus = 'connecting' | 'live' | 'offline' | 'error';

export interface LiveOptions {
  /** Query parameters of the stream (the list route's filters). */
  query?: Record<string, string>;
  onEvent(event: LiveEvent): void;
  onStatus?(status: LiveStatus, error?: string): void;
}

interface Frame {
  id: string | null;
  event: string;
  data: string;
}

/** Splits an event stream into frames (`id:`, `event:`, `data:` lines, blank line between frames). */
function parseFrames(buffer: string): { frames: Frame[]; rest: string } {
  const frames: Frame[] = [];
  const text = buffer.replace(/\r\n?/g, '\n');
  let cut = text.indexOf('\n\n');
  let start = 0;
  while (cut >= 0) {
    const block = text.slice(start, cut);
    start = cut + 2;
    cut = text.indexOf('\n\n', start);
    let id: string | null = null;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const field = line.slice(0, colon);
      const value = line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length) frames.push({ id, event, data: data.join('\n') });
  }
  return { frames, rest: text.slice(start) };
}

/**
 * Follows a dashboard live route with fetch streaming (the browser's EventSource cannot send the
 * dashboard's Authorization header, and the token never goes in a URL). Reconnects after a drop
 * with `lastEventId`, so no change is missed while the history is kept; a 401 refreshes the
 * session first (the API client does). Returns the function that stops it.
 */
export function followLive(api: ApiClient, path: string, options: LiveOptions): () => void {
  const controller = new AbortController();
  let last: string | null = null;
  let stopped = false;
  let attempt = 0;

  async function once(): Promise<void> {
    options.onStatus?.('connecting');
    const res = await api.response('GET', path, {
      query: { ...options.query, lastEventId: last ?? undefined },
      signal: controller.signal,
    });
    if (!res.body) throw new Error('no stream');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      const { frames, rest } = parseFrames(buffer);
      buffer = rest;
      for (const frame of frames) {
        if (frame.id) last = frame.id;
        if (frame.event === 'ready') {
          attempt = 0;
          options.onStatus?.('live');
        } else if (['insert', 'update', 'delete', 'reset'].includes(frame.event)) {
          options.onEvent(JSON.parse(frame.data) as LiveEvent);
        } else if (frame.event === 'close') {
          await reader.cancel().catch(() => undefined);
          return;
        }
      }
    }
  }

  void (async () => {
    while (!stopped) {
      try {
        await once();
      } catch (err) {
        if (stopped) return;
        if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429 && err.status !== 401) {
          options.onStatus?.('error', err.message);
          return;
        }
      }
      if (stopped) return;
      options.onStatus?.('offline');
      attempt += 1;
      await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** Math.min(attempt, 5))));
    }
  })();

  return () => {
    stopped = true;
    controller.abort();
  };
}

/** React hook: follows `path` while mounted (re-opened when `path` or `query` change). */
export function useLive(
  api: ApiClient,
  path: string | null,
  query: Record<string, string>,
  onEvent: (event: LiveEvent) => void,
): { status: LiveStatus; error: string | null } {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const [error, setError] = useState<string | null>(null);
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const queryKey = JSON.stringify(query);
  useEffect(() => {
    if (!path) return;
    setError(null);
    return followLive(api, path, {
      query: JSON.parse(queryKey) as Record<string, string>,
      onEvent: (e) => handler.current(e),
      onStatus: (s, message) => {
        setStatus(s);
        if (message) setError(message);
      },
    });
  }, [api, path, queryKey]);
  return { status, error };
}

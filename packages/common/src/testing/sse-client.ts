/**
 * A test reader of server-sent event streams (the public API's realtime routes, the dashboard's
 * live routes): an event stream read over fetch, every event kept in order, awaitable.
 */

export interface SseEvent {
  id: string | null;
  event: string;
  data: Record<string, unknown>;
}

/** Messages (SSE events or WebSocket messages) collected in order, with waiters. */
export class Inbox<T> {
  readonly items: T[] = [];
  private waiters: (() => void)[] = [];
  ended = false;

  push(item: T) {
    this.items.push(item);
    for (const w of this.waiters.splice(0)) w();
  }

  end() {
    this.ended = true;
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves with the first item (from index `from`) matching `match`; rejects after `timeoutMs`. */
  async next(match: (item: T) => boolean, timeoutMs = 5000, from = 0): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.items.slice(from).find(match);
      if (found) return found;
      if (this.ended) throw new Error(`stream ended without the expected message; got ${JSON.stringify(this.items)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a message; got ${JSON.stringify(this.items)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

export interface SseClient {
  status: number;
  /** The error body when the answer was not a stream. */
  body: unknown;
  inbox: Inbox<SseEvent>;
  events: SseEvent[];
  next(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** The data events (insert/update/delete/reset) received so far. */
  dataEvents(): SseEvent[];
  close(): void;
}

/** Opens `GET url` as an event stream; resolves once the status is known (and, for 200, the first event came). */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const inbox = new Inbox<SseEvent>();
  const client: SseClient = {
    status: res.status,
    body: null,
    inbox,
    events: inbox.items,
    next: (match, timeoutMs) => inbox.next(match, timeoutMs),
    dataEvents: () => inbox.items.filter((e) => ['insert', 'update', 'delete', 'reset'].includes(e.event)),
    close: () => controller.abort(),
  };
  if (res.status !== 200 || !res.body) {
    client.body = await res.json().catch(() => null);
    return client;
  }
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut = buffer.indexOf('\n\n');
        while (cut >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let id: string | null = null;
          let event = 'message';
          const data: string[] = [];
          for (const line of frame.split('\n')) {
            if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) inbox.push({ id, event, data: JSON.parse(data.join('\n')) as Record<string, unknown> });
          cut = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
    inbox.end();
  })();
  await inbox.next(() => true);
  return client;
}

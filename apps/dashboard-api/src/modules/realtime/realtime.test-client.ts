/** A test reader of the dashboard's live routes: an event stream over fetch, awaitable. */

export interface SseEvent {
  id: string | null;
  event: string;
  data: Record<string, unknown>;
}

export interface SseClient {
  status: number;
  /** The JSON error body when the answer was not a stream. */
  body: unknown;
  events: SseEvent[];
  /** The first event (from the start) matching `match`; rejects after `timeoutMs` or when the stream ended without it. */
  next(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** The data events (insert/update/delete/reset) received so far. */
  dataEvents(): SseEvent[];
  close(): void;
}

/** Opens `GET url` as an event stream; resolves once the status is known (and, for 200, the first event came). */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  let ended = false;
  const wake: (() => void)[] = [];
  const notify = () => {
    for (const w of wake.splice(0)) w();
  };
  const client: SseClient = {
    status: res.status,
    body: null,
    events,
    async next(match, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (ended) throw new Error(`stream ended without the expected event; got ${JSON.stringify(events)}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for an event; got ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    dataEvents: () => events.filter((e) => ['insert', 'update', 'delete', 'reset'].includes(e.event)),
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
          if (data.length) events.push({ id, event, data: JSON.parse(data.join('\n')) as Record<string, unknown> });
          cut = buffer.indexOf('\n\n');
        }
        notify();
      }
    } catch {
      // aborted
    }
    ended = true;
    notify();
  })();
  await client.next(() => true);
  return client;
}

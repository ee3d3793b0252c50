/** A document as the API sends it (`_id` as a string). */
export type Doc = { _id: string } & Record<string, unknown>;

interface EventBase {
  /** The project stream id (`<ms>-<seq>`): what a reconnect resumes after. */
  id: string;
  collection: string;
  documentId: string;
}

/** A document entered this subscription's view (created, or now matching its filter / rights). */
export interface InsertEvent<T = Doc> extends EventBase {
  type: 'insert';
  document: T;
}

/** A visible document changed; `changedFields` are the changed fields this subscriber can see. */
export interface UpdateEvent<T = Doc> extends EventBase {
  type: 'update';
  document: T;
  changedFields: string[];
}

/** A document left this subscription's view (deleted, or no longer matching): the id only. */
export interface DeleteEvent extends EventBase {
  type: 'delete';
}

export type ChangeEvent<T = Doc> = InsertEvent<T> | UpdateEvent<T> | DeleteEvent;

/** Values of a filter: the list route's query language (`{ status: 'published', views_gt: 10 }`). */
export type Filter = Record<string, string | number | boolean | (string | number)[]>;

export interface SubscribeOptions {
  /** The list route's filters: `{ status: 'published', views_gt: 10, tags_in: ['a', 'b'] }`. */
  filter?: Filter;
  /** Projection: `'title,status'`, `['title', 'status']` or `'-body'`. */
  fields?: string | string[];
  /** `false` drops `createdAt`/`updatedAt`/`__v`. */
  meta?: boolean;
  /** Resume after this event id (e.g. kept from a previous run). */
  since?: string;
  /** `'sse'` (default: one HTTP stream per subscription) or `'ws'` (one WebSocket for all of the client's `ws` subscriptions). */
  transport?: 'sse' | 'ws';
}

export type SubscriptionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Why a subscription stopped for good (it does not reconnect after these). */
export class RealtimeError extends Error {
  /** HTTP-like status: 400 bad filter, 401 bad/revoked credentials, 403 forbidden, 404 unknown collection. */
  readonly status: number;
  /** The server's reason when it closed the stream (`key-revoked`, `user-revoked`, `user-deleted`, …). */
  readonly reason: string | null;
  constructor(message: string, status: number, reason: string | null = null) {
    super(message);
    this.name = 'RealtimeError';
    this.status = status;
    this.reason = reason;
  }
}

export interface Handlers<T = Doc> {
  /** Every change (insert, update, delete), in order, each exactly once across reconnects. */
  onChange?(event: ChangeEvent<T>): void;
  onInsert?(event: InsertEvent<T>): void;
  onUpdate?(event: UpdateEvent<T>): void;
  onDelete?(event: DeleteEvent): void;
  /** Some missed events are no longer kept: reload the data with a list request, then carry on. */
  onReset?(): void;
  /** The subscription stopped for good (bad filter, credentials revoked…). */
  onError?(error: RealtimeError): void;
  onStatus?(status: SubscriptionStatus): void;
}

export interface Subscription {
  /** The last event id received (events and heartbeats): where a reconnect resumes. */
  readonly lastEventId: string | null;
  readonly status: SubscriptionStatus;
  /** Resolves when the subscription is live the first time; rejects with a {@link RealtimeError} when it is refused. */
  readonly ready: Promise<void>;
  /** Stops the subscription (and, for the last `ws` subscription, closes the WebSocket). */
  close(): void;
}

/** The browser-style WebSocket surface the client uses (the global `WebSocket`, or `ws` in Node 20). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface RealtimeClientOptions {
  /** The public API's base URL, e.g. `https://api.example.com`. */
  url: string;
  /** The project's publishable key (`pk_live_…`), or the secret key on a server (`sk_live_…`). */
  apiKey: string;
  /** The end user's access token (RLS), or a function returning the current one (called at every (re)connect). */
  token?: string | null | (() => string | null | undefined | Promise<string | null | undefined>);
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
  /** A WebSocket constructor (default: the global one; pass `ws`'s on Node 20). */
  WebSocket?: WebSocketConstructor;
  /** Delay before the first reconnect; doubled each failed attempt up to `maxDelayMs`. Defaults 500 / 10000. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

import type { RedisConnection } from '../cache/index.js';
import { type SecretBox, randomToken, sha256Hex } from '../crypto/index.js';

/** What a ticket stands for: the credentials of the request that asked for it. */
export interface TicketCredentials {
  projectId: string;
  /** The raw API key (stored encrypted; the connection re-runs the usual key checks with it). */
  apiKey: string;
  /** The end user's access token, when the request had one. */
  userToken: string | null;
  /** The Origin the ticket was issued to, when there was one: it must be used from the same origin. */
  origin: string | null;
}

/** Single-use, short-lived tickets for clients that cannot send headers (`EventSource`, browser WebSocket). */
export interface TicketStore {
  /** Stores the credentials for `ttlMs`; returns the ticket (`rt_…`). */
  issue(credentials: TicketCredentials, ttlMs: number): Promise<string>;
  /** The credentials of a ticket, exactly once (atomic `GETDEL`); null when unknown, used or expired. */
  consume(ticket: string): Promise<TicketCredentials | null>;
}

const CONTEXT = 'realtime:ticket';
const ticketKey = (ticket: string) => `urbackend:rt:ticket:${sha256Hex(ticket)}`;

/** Tickets in Redis (encrypted with the platform's secret box), or in this process without Redis. */
export function createTicketStore(cache: RedisConnection, secretBox: SecretBox): TicketStore {
  const local = new Map<string, { value: string; expires: number }>();
  return {
    async issue(credentials, ttlMs) {
      const ticket = `rt_${randomToken(24)}`;
      const value = secretBox.encrypt(JSON.stringify(credentials), CONTEXT);
      if (cache.client) {
        await cache.client.set(ticketKey(ticket), value, 'PX', ttlMs);
      } else {
        const now = Date.now();
        for (const [k, v] of local) if (v.expires <= now) local.delete(k);
        local.set(ticketKey(ticket), { value, expires: now + ttlMs });
      }
      return ticket;
    },
    async consume(ticket) {
      if (typeof ticket !== 'string' || !/^rt_[A-Za-z0-9_-]{16,128}$/.test(ticket)) return null;
      let value: string | null;
      if (cache.client) {
        value = await cache.client.getdel(ticketKey(ticket));
      } else {
        const entry = local.get(ticketKey(ticket));
        local.delete(ticketKey(ticket));
        value = entry && entry.expires > Date.now() ? entry.value : null;
      }
      if (!value) return null;
      try {
        return JSON.parse(secretBox.decrypt(value, CONTEXT)) as TicketCredentials;
      } catch {
        return null;
      }
    },
  };
}

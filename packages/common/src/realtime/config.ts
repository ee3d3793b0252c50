import { z } from 'zod';

/** Bounds of the per-project event streams (both APIs publish, so both read them). */
export interface RealtimeStreamConfig {
  /** `REALTIME_STREAM_MAXLEN`: entries kept per project (approximate). Default 10000. */
  maxLen: number;
  /** `REALTIME_STREAM_MAX_AGE_SEC` in ms: entries older than this are trimmed. Default 600 s. */
  maxAgeMs: number;
}

export const DEFAULT_REALTIME_STREAM: RealtimeStreamConfig = { maxLen: 10_000, maxAgeMs: 600_000 };

/** Stream variables (documented in `.env.example`). */
export const realtimeStreamEnvShape = {
  REALTIME_STREAM_MAXLEN: z.coerce.number().int().min(100).default(10_000),
  REALTIME_STREAM_MAX_AGE_SEC: z.coerce.number().int().min(10).default(600),
};

export function mapRealtimeStreamEnv(env: {
  REALTIME_STREAM_MAXLEN: number;
  REALTIME_STREAM_MAX_AGE_SEC: number;
}): RealtimeStreamConfig {
  return { maxLen: env.REALTIME_STREAM_MAXLEN, maxAgeMs: env.REALTIME_STREAM_MAX_AGE_SEC * 1000 };
}

/** Limits and timings of the public API's realtime endpoints. */
export interface RealtimeServerConfig {
  /**
   * `REALTIME_MAX_CONNECTIONS_PER_PROJECT`: a server-wide ceiling on the plan's
   * `maxRealtimeConnections` (open SSE + WebSocket connections per project, all processes
   * together). -1 (default) = the plan decides, 0 = realtime off on this server.
   */
  maxConnectionsPerProject: number;
  /** `REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION`: a ceiling on the plan's `maxRealtimeSubscriptions` (-1, default: the plan decides). */
  maxSubscriptionsPerConnection: number;
  /** `REALTIME_TICKET_TTL_SEC` in ms: how long an unused ticket stays valid. */
  ticketTtlMs: number;
  /** `REALTIME_HEARTBEAT_SEC` in ms: heartbeat interval (SSE comment + id, WebSocket ping). */
  heartbeatMs: number;
  /** `REALTIME_MAX_BUFFER_BYTES`: bytes queued for one slow connection before it is dropped. */
  maxBufferedBytes: number;
  /** `REALTIME_REAUTH_SEC` in ms: every connection's key and user are re-checked this often (besides the immediate signals). */
  reauthMs: number;
}

export const DEFAULT_REALTIME_SERVER: RealtimeServerConfig = {
  maxConnectionsPerProject: -1,
  maxSubscriptionsPerConnection: -1,
  ticketTtlMs: 30_000,
  heartbeatMs: 25_000,
  maxBufferedBytes: 1024 * 1024,
  reauthMs: 60_000,
};

export const realtimeServerEnvShape = {
  REALTIME_MAX_CONNECTIONS_PER_PROJECT: z.coerce.number().int().min(-1).default(-1),
  REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(-1).default(-1),
  REALTIME_TICKET_TTL_SEC: z.coerce.number().int().min(5).max(600).default(30),
  REALTIME_HEARTBEAT_SEC: z.coerce.number().int().min(1).max(300).default(25),
  REALTIME_MAX_BUFFER_BYTES: z.coerce
    .number()
    .int()
    .min(16_384)
    .default(1024 * 1024),
  REALTIME_REAUTH_SEC: z.coerce.number().int().min(5).default(60),
};

export function mapRealtimeServerEnv(env: {
  REALTIME_MAX_CONNECTIONS_PER_PROJECT: number;
  REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION: number;
  REALTIME_TICKET_TTL_SEC: number;
  REALTIME_HEARTBEAT_SEC: number;
  REALTIME_MAX_BUFFER_BYTES: number;
  REALTIME_REAUTH_SEC: number;
}): RealtimeServerConfig {
  return {
    maxConnectionsPerProject: env.REALTIME_MAX_CONNECTIONS_PER_PROJECT,
    maxSubscriptionsPerConnection: env.REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION,
    ticketTtlMs: env.REALTIME_TICKET_TTL_SEC * 1000,
    heartbeatMs: env.REALTIME_HEARTBEAT_SEC * 1000,
    maxBufferedBytes: env.REALTIME_MAX_BUFFER_BYTES,
    reauthMs: env.REALTIME_REAUTH_SEC * 1000,
  };
}

/**
 * The effective limit from a plan limit and a server ceiling (both -1 = unlimited): the smaller
 * of the two; a ceiling of 0 switches the feature off whatever the plan says.
 */
export function effectiveLimit(plan: number, ceiling: number): number {
  if (ceiling === 0) return 0;
  if (ceiling < 0) return plan;
  if (plan < 0) return ceiling;
  return Math.min(plan, ceiling);
}

import { type RedisConnection, subscribeProjectChanged } from '@urbackend/common/cache';
import type { Logger } from '@urbackend/common/logger';
import {
  type ConnectionPresence,
  type RealtimeBus,
  type RealtimeEntry,
  compareIds,
  createConnectionPresence,
} from '@urbackend/common/realtime';

/** One open dashboard live stream (a data browser or the Realtime view's tail). */
export interface LiveStream {
  projectId: string;
  /** Re-runs the developer's access check (project changed, periodically); closes the stream when it fails. */
  recheck(): Promise<void>;
}

export interface DashboardLiveDeps {
  realtime: RealtimeBus;
  cache: RedisConnection;
  logger: Logger;
  /** How often every stream's access is re-checked besides project-change signals. */
  recheckMs?: number;
}

/**
 * The dashboard's side of realtime: follows a project's stream (the same Redis stream the public
 * API serves) with resume/replay, re-checks access when the project changes (pub/sub, subscribed
 * only while streams are open) or every `recheckMs`, and reads the project's connection count
 * across public-api processes (the presence leases).
 */
export function createDashboardLive(deps: DashboardLiveDeps) {
  const { realtime, cache, logger } = deps;
  const presence: ConnectionPresence = createConnectionPresence(cache, logger, 1);
  const streams = new Set<LiveStream>();
  let stopChanges: (() => Promise<void>) | null = null;
  let timer: NodeJS.Timeout | null = null;

  function watch(): void {
    if (stopChanges) return;
    stopChanges = subscribeProjectChanged(
      cache,
      (event) => {
        for (const s of [...streams]) if (s.projectId === event.projectId) void s.recheck();
      },
      logger,
    );
    timer = setInterval(() => {
      for (const s of [...streams]) void s.recheck();
    }, deps.recheckMs ?? 60_000);
    timer.unref();
  }

  function unwatch(): void {
    if (streams.size > 0) return;
    const stop = stopChanges;
    stopChanges = null;
    if (timer) clearInterval(timer);
    timer = null;
    void stop?.();
  }

  return {
    /**
     * Follows the project's stream: `deliver` gets every entry after `since` (replayed first,
     * exactly once, in order) or after the current position; `onReset` is called instead of the
     * replay when `since` is no longer in the stream. Resolves with the starting position.
     */
    async follow(
      projectId: string,
      since: string | null,
      deliver: (entry: RealtimeEntry) => void,
      onReset: (position: string) => void,
    ): Promise<{ position: string; stop: () => void; after: () => string }> {
      let after: string | null = since;
      let held: RealtimeEntry[] | null = since ? [] : null;
      const handle = (entry: RealtimeEntry) => {
        if (after && compareIds(entry.id, after) <= 0) return;
        after = entry.id;
        deliver(entry);
      };
      const { position, stop } = await realtime.listen(projectId, (entry) => (held ? held.push(entry) : handle(entry)));
      if (!since) {
        after = position;
        return { position, stop, after: () => after ?? position };
      }
      try {
        const replay = await realtime.replay(projectId, since);
        if (replay === 'reset') {
          after = position;
          onReset(position);
        } else for (const entry of replay.entries) handle(entry);
      } catch (err) {
        stop();
        throw err;
      } finally {
        const pending = held ?? [];
        held = null;
        for (const entry of pending) handle(entry);
      }
      return { position, stop, after: () => after ?? position };
    },

    /** Registers an open stream for access re-checks; returns its unregister function. */
    track(stream: LiveStream): () => void {
      streams.add(stream);
      watch();
      return () => {
        streams.delete(stream);
        unwatch();
      };
    },

    /** Open public-api realtime connections of the project, all processes together (live leases). */
    connections: (projectId: string) => presence.count(projectId),

    /** Dashboard live streams open on this process for the project. */
    dashboardStreams: (projectId: string) => [...streams].filter((s) => s.projectId === projectId).length,

    bus: () => realtime.stats(),
  };
}

export type DashboardLive = ReturnType<typeof createDashboardLive>;

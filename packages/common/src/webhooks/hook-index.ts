import { type RedisConnection, publishProjectChanged, subscribeProjectChanged } from '../cache/index.js';
import type { Logger } from '../logger/index.js';
import { createLruCache } from '../lru/index.js';
import type { WebhookModel } from '../models/index.js';

/** What the dispatcher needs of an enabled webhook. */
export interface HookRef {
  _id: unknown;
  projectId: unknown;
  events: unknown;
}

/**
 * The enabled webhooks of each project, cached in process so a write to a project without
 * webhooks costs no database command (issue 12). Every webhook change publishes a project change
 * (Redis pub/sub), and every process drops that project's entry within a second; while the
 * subscription is not active (Redis down or not yet subscribed) entries live only `degradedTtlMs`.
 */
export interface HookIndex {
  hooksOf(projectId: string): Promise<HookRef[]>;
  /** Call after a webhook of `projectId` was created, changed or deleted. */
  changed(projectId: string): Promise<void>;
  close(): Promise<void>;
}

export interface HookIndexOptions {
  webhooks: WebhookModel;
  cache: RedisConnection;
  logger: Logger;
  /** In-process TTL while invalidation works (default 60 s). */
  ttlMs?: number;
  /** In-process TTL while it does not (default 1 s). */
  degradedTtlMs?: number;
  maxEntries?: number;
}

export function createHookIndex(options: HookIndexOptions): HookIndex {
  const { webhooks, cache, logger } = options;
  const local = createLruCache<HookRef[]>(options.maxEntries ?? 10_000);
  let listening = false;
  let unsubscribe: (() => Promise<void>) | null = null;

  function subscribe(): void {
    if (unsubscribe) return;
    unsubscribe = subscribeProjectChanged(
      cache,
      (event) => local.delete(event.projectId),
      logger,
      () => {
        listening = true;
      },
    );
  }

  const ttl = () => (listening && cache.isReady() ? (options.ttlMs ?? 60_000) : (options.degradedTtlMs ?? 1000));

  return {
    async hooksOf(projectId) {
      subscribe();
      const hit = local.get(projectId);
      if (hit) return hit;
      const hooks = (await webhooks.find({ projectId, enabled: true }).select({ events: 1, projectId: 1 }).lean()) as HookRef[];
      local.set(projectId, hooks, ttl());
      return hooks;
    },
    async changed(projectId) {
      local.delete(projectId);
      await publishProjectChanged(cache, { projectId, keyHashes: [], reason: 'webhooks' }, logger);
    },
    async close() {
      await unsubscribe?.();
    },
  };
}

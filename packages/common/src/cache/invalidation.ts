import type { Logger } from '../logger/index.js';
import type { RedisConnection } from './redis.js';

/** What changed about a project; every public-api process drops its cached copies. */
export interface ProjectChangedEvent {
  projectId: string;
  /** Stored API-key hashes whose cache entries must go (old hashes after a rotation, both on delete). */
  keyHashes?: string[];
  /** Why, for logs: `collection`, `keys`, `rls`, `auth`, `domains`, `byod`, `deleted`, ... */
  reason?: string;
}

/** The pub/sub channel of project changes (prefixed like keys, so test files stay apart). */
export function projectChannel(cache: Pick<RedisConnection, 'prefix'>): string {
  return `${cache.prefix}urbackend:project-changed`;
}

/**
 * Publishes a project change. Best effort: when Redis is down the change is logged and other
 * processes fall back to their short local TTL. Never throws.
 */
export async function publishProjectChanged(cache: RedisConnection, event: ProjectChangedEvent, logger: Logger): Promise<void> {
  if (!cache.client) return;
  try {
    await cache.client.publish(projectChannel(cache), JSON.stringify(event));
  } catch (err) {
    logger.warn({ err: { message: (err as Error).message }, projectId: event.projectId }, 'could not publish project change');
  }
}

/**
 * Subscribes to project changes on a dedicated connection. Returns a function that closes it.
 * `onReady` is called each time the subscription is (re)established: from then on no change is
 * missed. Without Redis it returns a no-op closer and calls `onReady` at once (single process:
 * callers invalidate locally).
 */
export function subscribeProjectChanged(
  cache: RedisConnection,
  onChange: (event: ProjectChangedEvent) => void,
  logger: Logger,
  onReady: () => void = () => undefined,
): () => Promise<void> {
  const subscriber = cache.duplicate();
  if (!subscriber) {
    onReady();
    return async () => undefined;
  }
  const channel = projectChannel(cache);
  subscriber.on('error', () => undefined);
  subscriber.on('ready', () => {
    subscriber
      .subscribe(channel)
      .then(onReady)
      .catch((err: Error) => logger.warn({ err: { message: err.message } }, 'subscribe failed'));
  });
  subscriber.on('message', (ch: string, message: string) => {
    if (ch !== channel) return;
    try {
      onChange(JSON.parse(message) as ProjectChangedEvent);
    } catch {
      logger.warn('ignored a malformed project-changed message');
    }
  });
  return async () => {
    subscriber.disconnect();
  };
}

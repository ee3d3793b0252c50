import { randomBytes } from 'node:crypto';
import { type ProjectChangedEvent, type RedisConnection, projectChannel } from '../cache/index.js';

/** The `reason` of the marker events {@link ProjectChangeWatch.settled} publishes (never recorded). */
export const TEST_BARRIER_REASON = 'test-barrier';

/** A live subscription to the project-changed channel, for asserting what a change published. */
export interface ProjectChangeWatch {
  /** Every change received since the watch started, in publish order (barrier markers left out). */
  readonly events: ProjectChangedEvent[];
  /**
   * Waits until every change published before this call has been received, then returns the
   * received changes (of `projectId` only, when given). It publishes a marker on the channel and
   * waits for it: Redis delivers a channel's messages in publish order, so once the marker is in,
   * nothing published earlier is still on its way, and "no other event" can be asserted too.
   * Rejects after `timeoutMs` (default 5000).
   */
  settled(projectId?: string, timeoutMs?: number): Promise<ProjectChangedEvent[]>;
  /** Unsubscribes and closes the dedicated connection. */
  close(): Promise<void>;
}

/**
 * Subscribes to the project-changed channel of `cache` (`projectChannel`, so per test file) on a
 * dedicated connection, and resolves once Redis has confirmed the subscription: every change
 * published after this resolves is recorded. Throws when `cache` has no Redis (the channel needs it).
 *
 * @example
 * const changes = await watchProjectChanges(t.platform.cache);
 * await request(t.app).patch(`/api/projects/${id}`).set(auth).send({ name: 'x' }).expect(200);
 * expect((await changes.settled(id)).map((e) => e.reason)).toEqual(['project']);
 * await changes.close();
 */
export async function watchProjectChanges(cache: RedisConnection, readyTimeoutMs = 5000): Promise<ProjectChangeWatch> {
  const publisher = cache.client;
  const subscriber = cache.duplicate();
  if (!publisher || !subscriber) throw new Error('watchProjectChanges: this test needs Redis (the cache has no client)');
  const channel = projectChannel(cache);
  const events: ProjectChangedEvent[] = [];
  const barriers = new Map<string, () => void>();
  subscriber.on('error', () => undefined);
  subscriber.on('message', (ch: string, raw: string) => {
    if (ch !== channel) return;
    const event = JSON.parse(raw) as ProjectChangedEvent;
    if (event.reason === TEST_BARRIER_REASON) barriers.get(event.projectId)?.();
    else events.push(event);
  });

  const within = <T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  };

  try {
    if (subscriber.status !== 'ready') {
      await within(
        new Promise<void>((resolve) => subscriber.once('ready', () => resolve())),
        readyTimeoutMs,
        'project-changed subscriber connection',
      );
    }
    // Resolves when Redis acknowledges the SUBSCRIBE: from then on every publish reaches us.
    await subscriber.subscribe(channel);
  } catch (err) {
    subscriber.disconnect();
    throw err;
  }

  return {
    events,
    async settled(projectId, timeoutMs = 5000) {
      const marker = `${TEST_BARRIER_REASON}-${randomBytes(6).toString('hex')}`;
      const arrived = new Promise<void>((resolve) => barriers.set(marker, resolve));
      try {
        await publisher.publish(channel, JSON.stringify({ projectId: marker, reason: TEST_BARRIER_REASON }));
        await within(arrived, timeoutMs, 'project-changed barrier');
      } finally {
        barriers.delete(marker);
      }
      return projectId === undefined ? [...events] : events.filter((e) => e.projectId === projectId);
    },
    async close() {
      subscriber.disconnect();
    },
  };
}

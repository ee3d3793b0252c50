import { type ProjectChangedEvent, type RedisConnection, subscribeProjectChanged } from '../cache/index.js';
import { type ApiKeyIssuer, sha256Hex } from '../crypto/index.js';
import type { Logger } from '../logger/index.js';
import { createLruCache } from '../lru/index.js';
import type { PlatformModels } from '../models/index.js';
import { type KeyRole, SCOPED_PROJECT_FIELDS, type ScopedProject, toScopedProject } from '../scope/index.js';

export type { KeyRole } from '../scope/index.js';

/** A resolved API key. */
export interface ResolvedKey {
  project: ScopedProject;
  role: KeyRole;
  /** SHA-256 hex of the raw key (what is stored on the project). */
  keyHash: string;
}

export interface ApiKeyResolverOptions {
  models: Pick<PlatformModels, 'Project' | 'Developer'>;
  cache: RedisConnection;
  logger: Logger;
  /** Redis TTL of a cached project snapshot (default 600 s). */
  redisTtlSec?: number;
  /** Redis TTL of "this key does not exist" (default 60 s). */
  negativeTtlSec?: number;
  /** In-process TTL while Redis (and so pub/sub invalidation) works (default 5 s). */
  localTtlMs?: number;
  /** In-process TTL while Redis is down: the only invalidation then (default 1 s). */
  degradedLocalTtlMs?: number;
  /** Max in-process entries (default 5000). */
  maxLocalEntries?: number;
  /**
   * Tells forged keys apart in memory: they resolve to null with no MongoDB or Redis command.
   * Without it every key takes the lookup path.
   */
  issuer?: Pick<ApiKeyIssuer, 'classify'>;
}

/** Resolves raw API keys to projects with a two-level cache invalidated over Redis pub/sub. */
export interface ApiKeyResolver {
  /**
   * The project of `rawKey` and the key's role, or null when no project has that key (a forged key,
   * see `issuer`, is null without any lookup). A key
   * starting `sk_live_` is only matched against secret-key hashes, anything else only against
   * publishable-key hashes. Throws only when MongoDB is needed and unreachable (→ 503).
   */
  resolve(rawKey: string): Promise<ResolvedKey | null>;
  /** Drops every cached entry of a project (and the given key hashes) here and in Redis. */
  invalidate(event: ProjectChangedEvent): Promise<void>;
  /**
   * Resolves once this resolver listens to project changes (its pub/sub subscription is active),
   * so no later change can be missed. Immediately without Redis.
   */
  ready(): Promise<void>;
  /** Stops the pub/sub subscription. */
  close(): Promise<void>;
}

const snapKey = (projectId: string) => `apikey:project:${projectId}`;
const mapKey = (hash: string) => `apikey:hash:${hash}`;
const negKey = (hash: string) => `apikey:neg:${hash}`;

/** Role implied by a raw key's prefix (the reference's rule). */
export function roleOfKey(rawKey: string): KeyRole {
  return rawKey.startsWith('sk_live_') ? 'secret' : 'publishable';
}

function matches(project: ScopedProject, hash: string, role: KeyRole): boolean {
  return (role === 'secret' ? project.secretKeyHash : project.publishableKeyHash) === hash;
}

/**
 * Creates the resolver and subscribes to project changes (`subscribeProjectChanged`): every
 * process drops its entries as soon as the dashboard publishes a change. When Redis is down,
 * lookups go to MongoDB and the local cache lives only `degradedLocalTtlMs`.
 */
export function createApiKeyResolver(options: ApiKeyResolverOptions): ApiKeyResolver {
  const { models, cache, logger } = options;
  const redisTtl = options.redisTtlSec ?? 600;
  const negTtl = options.negativeTtlSec ?? 60;
  const local = createLruCache<ScopedProject | null>(options.maxLocalEntries ?? 5000);
  const byProject = new Map<string, Set<string>>();
  const inflight = new Map<string, Promise<ScopedProject | null>>();
  const localTtl = () => (cache.isReady() ? (options.localTtlMs ?? 5000) : (options.degradedLocalTtlMs ?? 1000));

  function remember(hash: string, project: ScopedProject | null): void {
    // An unknown key stays unknown (keys are random; a new one is never looked up before it is
    // issued), so misses are kept in process as long as in Redis: a repeated bad key costs nothing.
    local.set(hash, project, project ? localTtl() : negTtl * 1000);
    if (!project) return;
    const set = byProject.get(project._id) ?? new Set<string>();
    set.add(hash);
    byProject.set(project._id, set);
  }

  async function fromRedis(hash: string): Promise<ScopedProject | null | undefined> {
    const client = cache.client;
    if (!client || !cache.isReady()) return undefined;
    try {
      const [neg, projectId] = await Promise.all([client.get(negKey(hash)), client.get(mapKey(hash))]);
      if (neg) return null;
      if (!projectId) return undefined;
      const raw = await client.get(snapKey(projectId));
      return raw ? (JSON.parse(raw) as ScopedProject) : undefined;
    } catch {
      return undefined;
    }
  }

  async function fromDb(hash: string, role: KeyRole): Promise<ScopedProject | null> {
    const field = role === 'secret' ? 'secretKeyHash' : 'publishableKeyHash';
    const doc = await models.Project.findOne({ [field]: hash })
      .select(SCOPED_PROJECT_FIELDS)
      .lean();
    if (!doc) return null;
    const owner = await models.Developer.findById(doc.owner).select('isVerified isAdmin plan disabledAt').lean();
    return toScopedProject(doc as unknown as Record<string, unknown>, owner ?? { _id: doc.owner });
  }

  async function store(hash: string, project: ScopedProject | null): Promise<void> {
    const client = cache.client;
    if (!client || !cache.isReady()) return;
    try {
      if (!project) {
        await client.set(negKey(hash), '1', 'EX', negTtl);
        return;
      }
      // Two keys in different Redis Cluster slots (a snapshot is shared by both keys of a project),
      // so no MULTI: a map without its snapshot only means a database lookup.
      await Promise.all([
        client.set(snapKey(project._id), JSON.stringify(project), 'EX', redisTtl),
        client.set(mapKey(hash), project._id, 'EX', redisTtl),
      ]);
    } catch {
      // Redis down: the database stays the source of truth.
    }
  }

  async function load(hash: string, role: KeyRole): Promise<ScopedProject | null> {
    const cached = await fromRedis(hash);
    if (cached !== undefined && (cached === null || matches(cached, hash, role))) return cached;
    const project = await fromDb(hash, role);
    await store(hash, project);
    return project;
  }

  async function dropRedis(event: ProjectChangedEvent): Promise<void> {
    const client = cache.client;
    if (!client || !cache.isReady()) return;
    const keys = [snapKey(event.projectId), ...(event.keyHashes ?? []).flatMap((h) => [mapKey(h), negKey(h)])];
    // One DEL per key: the keys live in different Redis Cluster slots.
    await Promise.all(keys.map((key) => client.del(key).catch(() => undefined)));
  }

  function dropLocal(event: ProjectChangedEvent): void {
    for (const h of byProject.get(event.projectId) ?? []) local.delete(h);
    for (const h of event.keyHashes ?? []) local.delete(h);
    byProject.delete(event.projectId);
  }

  async function invalidate(event: ProjectChangedEvent): Promise<void> {
    dropLocal(event);
    await dropRedis(event);
    // A request that read the old project just before the change may write it back to Redis
    // after our delete; a second delete shortly after closes that window.
    setTimeout(() => {
      dropLocal(event);
      void dropRedis(event);
    }, 300).unref();
  }

  let subscribed!: () => void;
  const listening = new Promise<void>((resolve) => {
    subscribed = resolve;
  });
  const unsubscribe = subscribeProjectChanged(
    cache,
    (event) => void invalidate(event),
    logger,
    () => subscribed(),
  );

  return {
    async resolve(rawKey) {
      if (options.issuer?.classify(rawKey) === 'forged') return null;
      const role = roleOfKey(rawKey);
      const hash = sha256Hex(rawKey);
      const hit = local.get(hash);
      if (hit !== undefined) return hit && matches(hit, hash, role) ? { project: hit, role, keyHash: hash } : null;
      let pending = inflight.get(hash);
      if (!pending) {
        pending = load(hash, role).finally(() => inflight.delete(hash));
        inflight.set(hash, pending);
      }
      const project = await pending;
      remember(hash, project);
      return project && matches(project, hash, role) ? { project, role, keyHash: hash } : null;
    },
    invalidate,
    ready: () => listening,
    close: unsubscribe,
  };
}

/**
 * The data of `pnpm bench`, written before the servers start: one project (publishable and secret
 * keys as the dashboard issues them, a developer owner who can log in), its end users, 1,000
 * `items` (an indexed `category`), 1,000 RLS-private `notes` over 10 owners, empty `logs` for the
 * writes, and the same documents and indexes in the bare baseline's database.
 */
import mongoose, { Types } from 'mongoose';
import { loadPublicConfig } from '../../apps/public-api/src/config.js';
import { createDeps } from '../../apps/public-api/src/deps.js';
import { sha256Hex } from '../../packages/common/src/crypto/index.js';
import { createLogger } from '../../packages/common/src/logger/index.js';
import { projectSecretContext } from '../../packages/common/src/scope/index.js';
import { createTestProject } from '../../packages/common/src/testing/projects.js';
import { createPasswordHasher } from '../../packages/common/src/user-auth/password-hasher.js';

const DOCS = Number(process.env.BENCH_DOCS ?? 1000);
const USERS = 10;
export const BENCH_PASSWORD = 'bench-password-1';

export interface BenchSeed {
  projectId: string;
  publishableKey: string;
  secretKey: string;
  ownerEmail: string;
  /** End user 0 (owner of a tenth of the notes). */
  userEmail: string;
  userId: string;
  itemIds: string[];
  /** The baseline's cursor after the first page of 20 (`<createdAt ms>_<id>`). */
  bareAfter: string;
  /** Database names: the platform's and the project's. */
  databases: { platform: string; tenant: string };
  drop(): Promise<void>;
}

const text = (name: string) => ({ key: name, type: 'String' as const });

/** Writes the seed through the public API's own dependencies (loaded from `env`), then closes them. */
export async function seedBench(options: { env: NodeJS.ProcessEnv; bareUri: string; webhookUrl?: string }): Promise<BenchSeed> {
  const config = loadPublicConfig({ ...options.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const deps = createDeps(config, createLogger({ name: 'bench-seed', level: 'silent' }));
  await deps.db.connect();
  const bareConn = await mongoose.createConnection(options.bareUri).asPromise();
  try {
    const project = await createTestProject(deps.db, deps.secretBox, {
      collections: [
        { name: 'items', model: [text('title'), { key: 'views', type: 'Number' }, text('category')] },
        {
          name: 'notes',
          model: [text('title'), text('owner')],
          rls: { enabled: true, mode: 'private', ownerField: 'owner', requireAuthForWrite: true },
        },
        { name: 'logs', model: [text('title'), { key: 'views', type: 'Number' }] },
        { name: 'events', model: [text('title')] },
        {
          name: 'users',
          model: [
            { key: 'email', type: 'String', required: true },
            { key: 'password', type: 'String', required: true },
          ],
        },
      ],
    });
    // Keys as the dashboard issues them (with their check value), and an owner with a real password.
    const publishableKey = deps.keyIssuer.issue('pk_live_');
    const secretKey = deps.keyIssuer.issue('sk_live_');
    await deps.models.Project.updateOne(
      { _id: project.projectId },
      { $set: { publishableKeyHash: sha256Hex(publishableKey), secretKeyHash: sha256Hex(secretKey) } },
    );
    const hash = await createPasswordHasher({ cost: config.bcryptCost ?? 10, engine: 'native' }).hash(BENCH_PASSWORD);
    await deps.models.Developer.updateOne({ _id: project.ownerId }, { $set: { passwordHash: hash } });
    const owner = await deps.models.Developer.findById(project.ownerId).lean();
    if (options.webhookUrl) {
      await deps.models.Webhook.create({
        projectId: new Types.ObjectId(project.projectId),
        name: 'bench receiver',
        url: options.webhookUrl,
        secret: deps.secretBox.encrypt('whsec_bench', projectSecretContext(project.projectId, 'webhook')),
        events: { events: { insert: true } },
        enabled: true,
      });
    }
    const now = Date.now();
    const users = Array.from({ length: USERS }, (_, i) => ({
      _id: new Types.ObjectId(),
      email: `user${i}@bench.test`,
      password: hash,
      emailVerified: true,
      createdAt: new Date(now),
      updatedAt: new Date(now),
    }));
    const items = Array.from({ length: DOCS }, (_, i) => ({
      _id: new Types.ObjectId(),
      title: `item ${i}`,
      views: i,
      category: `c${i % 50}`,
      createdAt: new Date(now - i * 1000),
      updatedAt: new Date(now),
    }));
    const notes = Array.from({ length: DOCS }, (_, i) => ({
      _id: new Types.ObjectId(),
      title: `note ${i}`,
      owner: String(users[i % USERS]?._id),
      createdAt: new Date(now - i * 1000),
      updatedAt: new Date(now),
    }));
    const tenant = deps.db.tenantDb(project.projectId);
    for (const db of [tenant, bareConn]) {
      // Copies: insertMany adds nothing to them, but each database gets its own objects.
      await db.collection('users').insertMany(users.map((d) => ({ ...d })));
      await db.collection('items').insertMany(items.map((d) => ({ ...d })));
      await db.collection('notes').insertMany(notes.map((d) => ({ ...d })));
      await db.collection('items').createIndex({ createdAt: -1, _id: -1 });
      await db.collection('items').createIndex({ category: 1, createdAt: -1, _id: -1 });
      await db.collection('notes').createIndex({ owner: 1, createdAt: -1, _id: -1 });
    }
    const twentieth = items[19] as (typeof items)[number];
    const tenantName = deps.db.tenantDbName(project.projectId);
    const platformName = deps.db.connection.name;
    const mongoUri = options.bareUri;
    return {
      projectId: project.projectId,
      publishableKey,
      secretKey,
      ownerEmail: String(owner?.email),
      userEmail: users[0]?.email ?? '',
      userId: String(users[0]?._id),
      itemIds: items.map((d) => String(d._id)),
      bareAfter: `${twentieth.createdAt.getTime()}_${String(twentieth._id)}`,
      databases: { platform: platformName, tenant: tenantName },
      async drop() {
        const conn = await mongoose.createConnection(mongoUri).asPromise();
        for (const name of [tenantName, platformName, conn.name]) await conn.useDb(name).dropDatabase();
        await conn.close();
      },
    };
  } finally {
    await bareConn.close();
    await deps.close();
  }
}

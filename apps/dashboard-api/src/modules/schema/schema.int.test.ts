import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardTestApp,
  type TestDeveloper,
  createDashboardTestApp,
  createTestProject,
  registerVerifiedDeveloper,
} from '../../../test/helpers.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
/** Repo root: temp programs live under its node_modules so `@urbackend/sdk` resolves like in an app. */
const root = path.resolve(import.meta.dirname, '../../../../..');

let t: DashboardTestApp;
let dev: TestDeveloper;
let pat: string;
let projectId: string;

type Field = Record<string, unknown>;
type SchemaDoc = { collections: { name: string; model: Field[] }[] };

const auth = () => ({ Authorization: `Bearer ${pat}` });
const base = () => `/api/projects/${projectId}`;

const pull = async (): Promise<SchemaDoc> => (await request(t.app).get(`${base()}/schema`).set(auth()).expect(200)).body.data;
const push = (doc: unknown, dryRun = false) =>
  request(t.app)
    .put(`${base()}/sync-schema${dryRun ? '?dryRun=true' : ''}`)
    .set(auth())
    .send(doc as object);
const projectView = async () => (await request(t.app).get(base()).set(auth()).expect(200)).body;
const tenant = () => t.platform.db.tenantDb(projectId);
const insert = async (collection: string, doc: Field) =>
  (await request(t.app).post(`${base()}/collections/${collection}/data`).set(auth()).send(doc).expect(201)).body;

const postsModel: Field[] = [
  { key: 'title', type: 'String', required: true },
  { key: 'slug', type: 'String' },
  { key: 'userId', type: 'String' },
];

beforeAll(async () => {
  t = await createDashboardTestApp('schema-sync');
  dev = await registerVerifiedDeveloper(t);
  projectId = (await createTestProject(t.app, dev))._id;
  // The docs' script authenticates with a personal access token: so do these tests.
  const created = await request(t.app)
    .post('/api/user/pats')
    .set('Authorization', `Bearer ${dev.accessToken}`)
    .send({ label: 'schema sync', scopes: ['api:all'] })
    .expect(201);
  pat = created.body.data.rawToken;
  await request(t.app).post(`${base()}/collections`).set(auth()).send({ name: 'posts', schema: postsModel }).expect(201);
  await request(t.app).patch(`${base()}/collections/posts/rls`).set(auth()).send({ enabled: true, mode: 'private' }).expect(200);
  await insert('posts', { title: 'Hello world', slug: 'dup' });
  await insert('posts', { title: 'Hello again', slug: 'dup' });
  await insert('posts', { title: 'Hi', slug: 'ok' });
});
afterAll(() => t.cleanup());

describe('schema as code: pull, dry run, push', () => {
  it('pull → edit → dry run → push round-trips, and a re-push is a no-op', async () => {
    const pulled = await pull();
    expect(pulled.collections).toEqual([{ name: 'posts', model: postsModel }]);
    const before = await projectView();
    const noop = await push(pulled).expect(200);
    expect(noop.body).toMatchObject({ success: true, data: { synced: 0, collections: ['posts'] } });
    expect((await projectView()).configVersion).toBe(before.configVersion);

    const edited: SchemaDoc = {
      collections: [
        {
          name: 'posts',
          model: [
            { key: 'title', type: 'String', required: true, maxLength: 8 },
            { key: 'slug', type: 'String' },
            { key: 'userId', type: 'String' },
            { key: 'views', type: 'Number', min: 0 },
            { key: 'tags', type: 'Array', items: { type: 'String' } },
          ],
        },
        {
          name: 'comments',
          model: [
            { key: 'post', type: 'Ref', ref: 'posts', required: true },
            { key: 'body', type: 'String', required: true },
          ],
        },
      ],
    };
    const dry = await push(edited, true).expect(200);
    expect(dry.body.message).toMatch(/Dry run: 2 collection schema\(s\) would change\. Nothing was changed\./);
    const plan = dry.body.data.plan;
    expect(dry.body.data).toMatchObject({ dryRun: true, synced: 2, collections: ['posts', 'comments'] });
    expect(plan.collections.added).toEqual([{ name: 'comments', fields: ['post', 'body'], documents: 0 }]);
    expect(plan.collections.changed).toEqual([
      {
        name: 'posts',
        fields: [
          { path: 'title', change: 'changed', from: { maxLength: null }, to: { maxLength: 8 } },
          { path: 'views', change: 'added', to: { type: 'Number', min: 0 } },
          { path: 'tags', change: 'added', to: { type: 'Array', items: { type: 'String' } } },
        ],
      },
    ]);
    // Two stored titles are longer than 8 characters: the validator would refuse them on their next write.
    const long = plan.violations.find((v: { path: string }) => v.path === 'title');
    expect(long).toMatchObject({ collection: 'posts', kind: 'schema', count: 2, message: 'must be at most 8 characters' });
    expect(long.examples.map((e: { value: string }) => e.value).sort()).toEqual(['Hello again', 'Hello world']);
    expect(plan.blocked).toBe(false);
    expect(plan.scanned).toEqual([{ collection: 'posts', documents: 3, truncated: false }]);
    // Nothing changed.
    expect(await pull()).toEqual(pulled);
    expect((await projectView()).configVersion).toBe(before.configVersion);

    const applied = await push(edited).expect(200);
    expect(applied.body).toMatchObject({
      success: true,
      data: { synced: 2, collections: ['posts', 'comments'] },
      message: 'Successfully synced 2 collection schema(s).',
    });
    expect(await pull()).toEqual(edited);
    const after = await projectView();
    expect(after.configVersion).toBe(before.configVersion + 1);
    const posts = after.collections.find((c: { name: string }) => c.name === 'posts');
    const comments = after.collections.find((c: { name: string }) => c.name === 'comments');
    expect(posts.rls).toMatchObject({ enabled: true, mode: 'private' }); // RLS kept
    expect(posts.version).toBe(before.collections[0].version + 1);
    expect(comments.rls).toEqual({ enabled: false, mode: 'public-read', ownerField: 'userId', requireAuthForWrite: true });
    expect(await tenant().collection('posts').countDocuments()).toBe(3); // no data dropped
    // The new schema is live: the new rule applies to writes.
    await request(t.app).post(`${base()}/collections/posts/data`).set(auth()).send({ title: 'Far too long' }).expect(400);

    const again = await push(await pull()).expect(200);
    expect(again.body.data.synced).toBe(0);
    expect((await projectView()).configVersion).toBe(after.configVersion);

    const logs = await request(t.app).get(`${base()}/config-logs?category=collection_schema`).set(auth()).expect(200);
    const entry = logs.body.data.logs[0];
    expect(entry).toMatchObject({ category: 'collection_schema', label: 'Schema sync: added comments; changed posts' });
    expect(entry.diff.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['posts.schema.title', 'posts.schema.views', 'comments.schema.post']),
    );
    // The no-op pushes recorded nothing.
    expect(logs.body.data.logs.filter((l: { label: string }) => l.label.startsWith('Schema sync'))).toHaveLength(1);
  });

  it('refuses a unique field over duplicate data with examples, and changes nothing', async () => {
    const current = await pull();
    const before = await projectView();
    const withUnique = structuredClone(current);
    const slug = withUnique.collections[0]?.model.find((f) => f.key === 'slug') as Field;
    slug.unique = true;

    const dry = await push(withUnique, true).expect(200);
    expect(dry.body.data.plan.blocked).toBe(true);
    expect(dry.body.data.plan.uniqueIndexes.build).toEqual([{ collection: 'posts', field: 'slug' }]);
    expect(dry.body.data.plan.violations).toContainEqual({
      collection: 'posts',
      kind: 'unique',
      path: 'slug',
      message: "duplicate values: a unique index on 'slug' cannot be built",
      count: 1,
      examples: [{ value: 'dup', count: 2 }],
    });

    const refused = await push(withUnique).expect(409);
    expect(refused.body).toMatchObject({ success: false, code: 409 });
    expect(refused.body.error).toContain('posts.slug: 1 duplicated value(s), e.g. "dup" (2 times)');
    expect(refused.body.error).toContain('Nothing was changed');
    expect(refused.body.details).toEqual([
      { path: 'posts.slug', message: '"dup" appears 2 times (1 duplicated value(s) in all)' },
    ]);
    expect(await pull()).toEqual(current);
    expect((await projectView()).configVersion).toBe(before.configVersion);
    const indexes = await tenant().collection('posts').indexes();
    expect(indexes.map((i) => i.name)).not.toContain('unique_slug_1');

    // Once the duplicates are gone the same push builds the index.
    const dup = await tenant().collection('posts').findOne({ slug: 'dup' });
    await request(t.app).delete(`${base()}/collections/posts/data/${dup?._id}`).set(auth()).expect(200);
    const ok = await push(withUnique).expect(200);
    expect(ok.body.data.synced).toBe(1);
    expect((await tenant().collection('posts').indexes()).map((i) => i.name)).toContain('unique_slug_1');
    await request(t.app).post(`${base()}/collections/posts/data`).set(auth()).send({ title: 'Dup', slug: 'ok' }).expect(409);
  });

  it('a collection left out is no longer served but its documents stay', async () => {
    await insert('comments', { post: (await tenant().collection('posts').findOne({}))?._id.toString(), body: 'kept' });
    const current = await pull();
    const without = { collections: current.collections.filter((c) => c.name !== 'comments') };
    const dry = await push(without, true).expect(200);
    expect(dry.body.data.plan.collections.removed).toEqual([{ name: 'comments', documents: 1 }]);
    expect(dry.body.data.plan.warnings.join(' ')).toMatch(/'comments' is not in the document.*documents stay in the database/);
    expect((await push(without).expect(200)).body.data).toMatchObject({ synced: 1, collections: ['posts'] });
    expect((await pull()).collections.map((c) => c.name)).toEqual(['posts']);
    expect(await tenant().collection('comments').countDocuments()).toBe(1);
    // Listing it again serves the same documents.
    const back = await push(current, true).expect(200);
    expect(back.body.data.plan.collections.added).toEqual([{ name: 'comments', fields: ['post', 'body'], documents: 1 }]);
    await push(current).expect(200);
    const rows = await request(t.app).get(`${base()}/collections/comments/data`).set(auth()).expect(200);
    expect(JSON.stringify(rows.body)).toContain('kept');
  });

  it('validates the document with the collection rules', async () => {
    const bad = await push({ collections: [{ name: 'posts', model: [{ key: 'title', type: 'Text' }] }] }).expect(400);
    expect(bad.body.error).toMatch(/collections\.0\.model\.0\.type/);
    const twice = await push({
      collections: [
        { name: 'posts', model: [] },
        { name: 'Posts', model: [] },
      ],
    }).expect(400);
    expect(twice.body.error).toMatch(/listed twice/);
    await push({ collections: [{ name: '1bad', model: [] }] }).expect(400);
    await push({ collections: [{ name: 'posts', model: [], rls: { enabled: false } }] }).expect(400);
    await push({}).expect(400);
    const users = await push({
      collections: [{ name: 'users', model: [{ key: 'email', type: 'String', required: true }] }],
    }).expect(422);
    expect(users.body.error).toBe("The 'users' collection must have required 'email' and 'password' String fields.");
    const many = { collections: ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => ({ name, model: [] })) };
    const limit = await push(many).expect(403);
    expect(limit.body.error).toBe('Schema sync would create 6 collections, but your plan allows 5. Please upgrade your plan.');
    // Nothing of the refused pushes was applied.
    expect((await pull()).collections.map((c) => c.name)).toEqual(['posts', 'comments']);
  });

  it('is a project route: 401 without a token, 404 for another developer', async () => {
    await request(t.app).get(`${base()}/schema`).expect(401);
    const stranger = await registerVerifiedDeveloper(t);
    await request(t.app)
      .put(`${base()}/sync-schema`)
      .set('Authorization', `Bearer ${stranger.accessToken}`)
      .send({ collections: [] })
      .expect(404);
  });
});

async function typecheck(files: Record<string, string>, extra: Record<string, unknown> = {}) {
  const dir = await mkdtemp(path.join(root, 'node_modules', '.ub-types-'));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    const compilerOptions = {
      strict: true,
      noEmit: true,
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      lib: ['ES2023', 'DOM'],
      skipLibCheck: true,
      ...extra,
    };
    await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts'] }));
    try {
      await run(process.execPath, [tsc, '-p', dir], { timeout: 120_000 });
      return { ok: true, output: '' };
    } catch (err) {
      return { ok: false, output: String((err as { stdout?: string }).stdout ?? err) };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('generated types and OpenAPI', () => {
  it('types.d.ts compiles with the official SDK and catches a wrong field type', async () => {
    const res = await request(t.app).get(`${base()}/types.d.ts`).set(auth()).expect(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="urbackend.d.ts"');
    const types = res.text;
    expect(types).toContain('export interface UrBackendTypes {');
    expect(types).toContain('posts: Posts;');
    const program = (body: string) => `import urBackend from '@urbackend/sdk';
import type { CommentsInsert, TypedDatabase, UrBackendTypes } from './urbackend';
const client = urBackend({ apiKey: 'pk_live_example' });
const db: TypedDatabase = client.db;
export async function main() {
${body}
}
`;
    const good = await typecheck({
      'urbackend.d.ts': types,
      'app.ts': program(`  const post = await db.insert('posts', { title: 'Hello', views: 1, tags: ['a'] });
  const title: string = post.title;
  const views: number | null | undefined = post.views;
  const comment: CommentsInsert = { post: post._id, body: 'Nice' };
  await db.insert('comments', comment);
  const list = await db.getAll('posts', { limit: 5 });
  const one = await client.db.getOne<UrBackendTypes['posts']>('posts', post._id);
  return [title, views, list.length, one.slug];`),
    });
    expect(good.output).toBe('');
    expect(good.ok).toBe(true);
    const bad = await typecheck({
      'urbackend.d.ts': types,
      'app.ts': program(`  await db.insert('posts', { title: 'Hello', views: 'many' });`),
    });
    expect(bad.ok).toBe(false);
    expect(bad.output).toMatch(/app\.ts\(6,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
  }, 240_000);

  it('?format=zod answers a zod module that compiles', async () => {
    const res = await request(t.app).get(`${base()}/types.d.ts?format=zod`).set(auth()).expect(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="urbackend.zod.ts"');
    const zodDir = path.dirname(require.resolve('zod/package.json', { paths: [path.join(root, 'packages/common')] }));
    const result = await typecheck(
      {
        'urbackend.zod.ts': res.text,
        'use.ts':
          "import { PostsInsertSchema } from './urbackend.zod';\nexport const parsed = PostsInsertSchema.parse({ title: 'x' });\n",
      },
      { paths: { zod: [zodDir] } },
    );
    expect(result.output).toBe('');
  }, 240_000);

  it('GET /openapi.json gives the public API document for the chosen key', async () => {
    const secret = (await request(t.app).get(`${base()}/openapi.json`).set(auth()).expect(200)).body;
    const publishable = (await request(t.app).get(`${base()}/openapi.json?keyType=publishable`).set(auth()).expect(200)).body;
    for (const doc of [secret, publishable]) {
      const result = await new Validator().validate(doc);
      expect(result.errors).toBeUndefined();
      expect(doc.servers[0].url).toBe(t.config.urls.publicApi);
      expect(doc.paths['/api/data/posts']).toBeDefined();
    }
    expect(secret.paths['/api/mail/send']).toBeDefined();
    expect(publishable.paths['/api/mail/send']).toBeUndefined();
    // posts has RLS private: reads with a publishable key need a user token.
    expect(publishable.paths['/api/data/posts'].get.security).toEqual([{ apiKey: [], userToken: [] }]);
  });
});

describe('scripts/schema-sync.mjs (the documented script)', () => {
  it('pulls, dry-runs, pushes and generates with a personal access token', async () => {
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    const dir = await mkdtemp(path.join(root, 'node_modules', '.ub-script-'));
    const script = path.join(root, 'scripts/schema-sync.mjs');
    const env = {
      ...process.env,
      URBACKEND_PAT: pat,
      URBACKEND_PROJECT: projectId,
      URBACKEND_API_URL: `http://127.0.0.1:${port}`,
    };
    const sync = (...args: string[]) => run(process.execPath, [script, ...args], { cwd: dir, env, timeout: 30_000 });
    try {
      await sync('pull');
      const file = path.join(dir, 'urbackend.schema.json');
      const doc = JSON.parse(await readFile(file, 'utf8')) as SchemaDoc;
      expect(doc).toEqual(await pull());
      doc.collections[0]?.model.push({ key: 'subtitle', type: 'String' });
      await writeFile(file, JSON.stringify(doc));
      const dry = await sync('push');
      expect(dry.stdout).toContain('Dry run: 1 collection schema(s) would change');
      expect(dry.stdout).toContain('run `push --yes`');
      expect((await pull()).collections[0]?.model.map((f) => f.key)).not.toContain('subtitle');
      const applied = await sync('push', '--yes');
      expect(applied.stdout).toContain('Successfully synced 1 collection schema(s).');
      expect((await pull()).collections[0]?.model.map((f) => f.key)).toContain('subtitle');
      await sync('generate');
      expect(await readFile(path.join(dir, 'urbackend.d.ts'), 'utf8')).toContain('subtitle?: string | null;');
      // A blocked plan stops before anything is applied (exit code 2).
      const title = doc.collections[0]?.model.find((f) => f.key === 'title') as Field;
      title.unique = true;
      await insert('posts', { title: 'Same' });
      await insert('posts', { title: 'Same' });
      await writeFile(file, JSON.stringify(doc));
      await expect(sync('push', '--yes')).rejects.toMatchObject({ code: 2 });
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

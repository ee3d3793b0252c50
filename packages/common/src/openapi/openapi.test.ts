import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import type { FieldDef, RlsConfig } from '../models/index.js';
import { createOpenApiCache } from './cache.js';
import { type OpenApiProject, buildOpenApiDocument } from './openapi.js';
import { generateTypes } from './typescript.js';
import { generateZodModule } from './zod-module.js';

const rls = (over: Partial<RlsConfig> = {}): RlsConfig => ({
  enabled: true,
  mode: 'public-read',
  ownerField: 'userId',
  requireAuthForWrite: true,
  ...over,
});

/** A field of every type and every rule the validator knows. */
const postsModel: FieldDef[] = [
  { key: 'title', type: 'String', required: true, minLength: 1, maxLength: 120 },
  { key: 'slug', type: 'String', unique: true, format: 'slug' },
  { key: 'email', type: 'String', format: 'email' },
  { key: 'status', type: 'String', enum: ['draft', 'published'], default: 'draft' },
  { key: 'code', type: 'String', pattern: '^[A-Z]{3}$' },
  { key: 'views', type: 'Number', min: 0, max: 1000000 },
  { key: 'rating', type: 'Number', enum: [1, 2, 3] },
  { key: 'published', type: 'Boolean', default: false },
  { key: 'publishedAt', type: 'Date' },
  { key: 'author', type: 'Ref', ref: 'users' },
  { key: 'related', type: 'Array', items: { type: 'Ref', ref: 'posts' } },
  { key: 'tags', type: 'Array', items: { type: 'String' }, maxLength: 5 },
  {
    key: 'meta',
    type: 'Object',
    fields: [
      { key: 'color', type: 'String', format: 'color' },
      { key: 'site', type: 'String', format: 'url' },
      { key: 'geo', type: 'Object', fields: [{ key: 'lat', type: 'Number', required: true }] },
    ],
  },
  { key: 'blocks', type: 'Array', items: { type: 'Object', fields: [{ key: 'kind', type: 'String', required: true }] } },
  { key: 'price_gt', type: 'Number' },
  { key: 'userId', type: 'String' },
];

function project(over: Partial<OpenApiProject> = {}): OpenApiProject {
  return {
    _id: '64b000000000000000000001',
    name: 'Demo',
    isAuthEnabled: true,
    allowPublishableUploads: false,
    authProviders: { github: { enabled: true }, google: { enabled: false } },
    configVersion: 7,
    collections: [
      {
        name: 'users',
        model: [
          { key: 'email', type: 'String', required: true, unique: true },
          { key: 'password', type: 'String', required: true },
          { key: 'nickname', type: 'String' },
        ],
        rls: rls({ ownerField: '_id' }),
      },
      { name: 'posts', version: 3, model: postsModel, rls: rls() },
      {
        name: 'notes',
        model: [
          { key: 'text', type: 'String' },
          { key: 'userId', type: 'String' },
        ],
        rls: rls({ mode: 'private' }),
      },
      { name: 'logs', model: [{ key: 'line', type: 'String' }], rls: rls({ enabled: false }) },
    ],
    ...over,
  };
}

type Doc = {
  paths: Record<
    string,
    Record<string, { security?: unknown; parameters?: { name: string; schema: Record<string, unknown> }[]; description?: string }>
  >;
  components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>>; required?: string[] }> };
  tags: { name: string; description: string }[];
  info: { version: string };
};

const build = (role: 'publishable' | 'secret', p = project()) =>
  buildOpenApiDocument(p, { role, serverUrl: 'https://api.example.com' }) as unknown as Doc;

describe('OpenAPI document', () => {
  it('validates as OpenAPI 3.1 for both kinds of key', async () => {
    for (const role of ['publishable', 'secret'] as const) {
      const validator = new Validator();
      const result = await validator.validate(build(role) as never);
      expect(result.errors).toBeUndefined();
      expect(result.valid).toBe(true);
      expect(validator.version).toBe('3.1');
    }
  });

  it('lists only what the key may call', () => {
    const pk = build('publishable');
    const sk = build('secret');
    // users is reached through /api/userAuth only, with either key.
    expect(Object.keys(sk.paths).some((p) => p.startsWith('/api/data/users'))).toBe(false);
    expect(pk.paths['/api/userAuth/login']).toBeDefined();
    // Secret-only routes.
    for (const p of ['/api/schemas', '/api/mail/send', '/api/storage/files', '/api/storage/all']) {
      expect(sk.paths[p], p).toBeDefined();
      expect(pk.paths[p], p).toBeUndefined();
    }
    // Publishable writes need RLS on: `logs` is read-only for pk.
    expect(Object.keys(pk.paths['/api/data/logs'] ?? {})).toEqual(['get']);
    expect(pk.paths['/api/data/logs/bulk']).toBeUndefined();
    expect(Object.keys(sk.paths['/api/data/logs'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(sk.paths['/api/data/logs/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch', 'put']);
    // Trash recovery and permanent deletes are the secret key's.
    expect(sk.paths['/api/data/logs/{id}/recover']).toBeDefined();
    expect(pk.paths['/api/data/posts/{id}/recover']).toBeUndefined();
    expect(pk.paths['/api/data/posts/{id}']?.delete?.parameters?.map((p) => p.name)).toEqual(['id']);
    // Private reads need a user token with pk; writes always do when requireAuthForWrite.
    expect(pk.paths['/api/data/notes']?.get?.security).toEqual([{ apiKey: [], userToken: [] }]);
    expect(pk.paths['/api/data/posts']?.get?.security).toEqual([{ apiKey: [], userToken: [] }, { apiKey: [] }]);
    expect(pk.paths['/api/data/posts']?.post?.security).toEqual([{ apiKey: [], userToken: [] }]);
    expect(sk.paths['/api/data/notes']?.get?.security).toEqual([{ apiKey: [] }]);
    // Publishable uploads only when the project allows them.
    expect(pk.paths['/api/storage/upload']).toBeUndefined();
    expect(build('publishable', project({ allowPublishableUploads: true })).paths['/api/storage/upload']).toBeDefined();
    // No auth routes when auth is off.
    expect(build('secret', project({ isAuthEnabled: false })).paths['/api/userAuth/login']).toBeUndefined();
    expect(sk.paths['/api/userAuth/social/{provider}/start']).toBeDefined();
  });

  it('describes every field rule from the schema the validator uses', () => {
    const { schemas } = build('secret').components;
    const doc = schemas.Posts as Doc['components']['schemas'][string];
    const p = doc.properties;
    expect(doc.required).toEqual(['_id', 'title']);
    expect(p.title).toMatchObject({ type: 'string', minLength: 1, maxLength: 120 });
    expect(p.slug).toMatchObject({ type: ['string', 'null'], pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$' });
    expect(p.email).toMatchObject({ format: 'email' });
    expect(p.status).toMatchObject({ enum: ['draft', 'published'] });
    expect(p.code).toMatchObject({ pattern: '^[A-Z]{3}$' });
    expect(p.views).toMatchObject({ type: ['number', 'null'], minimum: 0, maximum: 1000000 });
    expect(p.publishedAt).toMatchObject({ type: ['string', 'null'], format: 'date-time' });
    expect(JSON.stringify(p.related)).toContain('#/components/schemas/Posts');
    expect(p.tags).toMatchObject({ type: ['array', 'null'], maxItems: 5, items: { type: 'string' } });
    const meta = JSON.stringify(p.meta);
    expect(meta).toContain('"format":"uri"');
    expect(meta).toContain('"required":["lat"]');
    expect(JSON.stringify(p.blocks)).toContain('"required":["kind"]');
    expect(p.password).toBeUndefined();
    const insert = schemas.PostsInsert as Doc['components']['schemas'][string];
    expect(insert.required).toEqual(['title']);
    expect(insert.properties.status).toMatchObject({ default: 'draft' });
    expect(insert.properties._id).toBeUndefined();
    expect((schemas.PostsUpdate as Doc['components']['schemas'][string]).required).toBeUndefined();
    // The users schema is described for /me, without the password.
    expect(schemas.UserProfile?.properties.password).toBeUndefined();
    expect(schemas.UserProfile?.properties.email).toBeDefined();
  });

  it('lists the query parameters and operators per field, and the RLS mode per collection', () => {
    const doc = build('publishable');
    const names = (doc.paths['/api/data/posts']?.get?.parameters ?? []).map((p) => p.name);
    for (const n of [
      'title',
      'title_regex',
      'title_in',
      'views_gte',
      'views_lt',
      'publishedAt_gt',
      'published',
      'author',
      'tags',
      'meta.geo.lat_gte',
      'blocks.kind',
      'price_gt',
      'price_gt_gt',
      'cursor',
      'populate',
      'sort',
      'count',
    ]) {
      expect(names, n).toContain(n);
    }
    expect(names).not.toContain('published_gt');
    expect(names).not.toContain('views_regex');
    expect(doc.tags.find((t) => t.name === 'notes')?.description).toMatch(/mode `private`.*only that user's documents/);
    expect(doc.tags.find((t) => t.name === 'logs')?.description).toMatch(/RLS: disabled.*read-only/);
    expect(doc.paths['/api/data/notes']?.get?.description).toContain('mode `private`');
  });

  it('is generated once per schema version and key role', () => {
    const cache = createOpenApiCache();
    const opts = { role: 'secret' as const, serverUrl: 'https://api.example.com' };
    const a = cache.get(project(), opts);
    expect(cache.get(project(), opts)).toBe(a);
    expect(cache.get(project(), { ...opts, role: 'publishable' })).not.toBe(a);
    const changed = cache.get(project({ configVersion: 8 }), opts);
    expect(changed).not.toBe(a);
    expect(changed.etag).not.toBe(a.etag);
    expect(JSON.parse(changed.body).info.version).toBe('8');
  });
});

describe('generated types', () => {
  it('never collide with each other or with helper names', () => {
    const text = generateTypes('X', [
      { name: 'posts', model: [{ key: 'a', type: 'String' }] },
      { name: 'postsInsert', model: [{ key: 'b', type: 'String' }] },
      { name: 'typedDatabase', model: [{ key: 'c', type: 'String' }] },
      { name: 'weird', model: [{ key: 'with-dash', type: 'Number', required: true }] },
    ]);
    const declared = [...text.matchAll(/export (?:type|interface) (\w+)/g)].map((m) => m[1]);
    expect(new Set(declared).size).toBe(declared.length);
    expect(text).toContain('"with-dash": number;');
    // Documents keep the plain name; a derived name that is taken gets a suffix.
    expect(text).toContain('postsInsert: PostsInsert;');
    expect(text).toContain('posts: PostsInsert_2;');
    expect(text).toContain('typedDatabase: TypedDatabase_2;');
  });

  it('the zod module validates documents like the API', async () => {
    const require = createRequire(import.meta.url);
    const zodPath = pathToFileURL(require.resolve('zod')).href;
    const source = generateZodModule('Demo', [{ name: 'posts', model: postsModel }]).replace("from 'zod'", `from '${zodPath}'`);
    const dir = await mkdtemp(path.join(import.meta.dirname, '.zod-'));
    try {
      const file = path.join(dir, 'schemas.ts');
      await writeFile(file, source);
      const mod = (await import(pathToFileURL(file).href)) as Record<string, { safeParse(v: unknown): { success: boolean } }>;
      const ok = { _id: '64b000000000000000000002', title: 'Hello', tags: ['a'], meta: { geo: { lat: 1 } }, extra: 'kept' };
      expect(mod.PostsSchema?.safeParse(ok).success).toBe(true);
      expect(mod.PostsSchema?.safeParse({ ...ok, title: 42 }).success).toBe(false);
      expect(mod.PostsSchema?.safeParse({ ...ok, status: 'archived' }).success).toBe(false);
      expect(mod.PostsInsertSchema?.safeParse({ title: 'x', views: -1 }).success).toBe(false);
      expect(mod.PostsInsertSchema?.safeParse({ title: 'x', code: 'ABC', meta: { color: '#00ff00' } }).success).toBe(true);
      expect(mod.PostsUpdateSchema?.safeParse({ views: 3 }).success).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

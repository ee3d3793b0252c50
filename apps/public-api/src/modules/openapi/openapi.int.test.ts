import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { type TestProject, createTestUser, signTestUserToken } from '@urbackend/common/testing';
import openapiTS, { astToString } from 'openapi-typescript';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from '../../testing/harness.js';

const run = promisify(execFile);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

let h: Harness;
let p: TestProject;
let userToken: string;

/** Every field type and rule the validator knows. */
const postsModel = [
  { key: 'title', type: 'String', required: true, minLength: 1, maxLength: 120 },
  { key: 'slug', type: 'String', unique: true, format: 'slug' },
  { key: 'status', type: 'String', enum: ['draft', 'published'], default: 'draft' },
  { key: 'views', type: 'Number', min: 0 },
  { key: 'published', type: 'Boolean' },
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
    ],
  },
  {
    key: 'blocks',
    type: 'Array',
    items: {
      type: 'Object',
      fields: [
        { key: 'kind', type: 'String', required: true },
        { key: 'size', type: 'Number' },
      ],
    },
  },
];

beforeAll(async () => {
  h = await createHarness('openapi');
  p = await h.project({
    collections: [
      {
        name: 'users',
        model: [
          { key: 'email', type: 'String', required: true },
          { key: 'password', type: 'String', required: true },
          { key: 'nickname', type: 'String' },
        ],
      },
      { name: 'posts', model: postsModel as never, rls: { enabled: true, mode: 'public-read', ownerField: 'userId' } },
      { name: 'logs', model: [{ key: 'line', type: 'String' }] },
    ],
  });
  const user = await createTestUser(h.platform.db.tenantDb(p.projectId), { nickname: 'ada' });
  userToken = signTestUserToken(p, user);
});
afterAll(() => h.close());

const sk = () => ({ 'x-api-key': p.secretKey });
const pk = () => ({ 'x-api-key': p.publishableKey });

async function typecheck(files: Record<string, string>): Promise<{ ok: boolean; output: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ub-openapi-'));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    const config = {
      compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler' },
    };
    await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ ...config, include: ['*.ts'] }));
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

describe('GET /api/openapi.json', () => {
  it('needs an API key', async () => {
    const res = await request(h.app).get('/api/openapi.json').expect(401);
    expect(res.body).toMatchObject({ success: false, code: 401 });
  });

  it('describes what each key may call, and validates as OpenAPI 3.1', async () => {
    const secret = (await request(h.app).get('/api/openapi.json').set(sk()).expect(200)).body;
    const publishable = (await request(h.app).get('/api/openapi.json').set(pk()).expect(200)).body;
    for (const doc of [secret, publishable]) {
      const result = await new Validator().validate(doc);
      expect(result.errors).toBeUndefined();
      expect(result.valid).toBe(true);
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.servers[0].url).toBe(h.deps.config.urls.publicApi);
      expect(Object.keys(doc.paths).some((route: string) => route.startsWith('/api/data/users'))).toBe(false);
    }
    expect(secret.paths['/api/mail/send']).toBeDefined();
    expect(secret.paths['/api/schemas'].post).toBeDefined();
    expect(publishable.paths['/api/mail/send']).toBeUndefined();
    expect(publishable.paths['/api/schemas']).toBeUndefined();
    expect(publishable.paths['/api/storage/files']).toBeUndefined();
    // `logs` has RLS off: a publishable key may only read it.
    expect(Object.keys(publishable.paths['/api/data/logs'])).toEqual(['get']);
    expect(Object.keys(secret.paths['/api/data/logs']).sort()).toEqual(['get', 'post']);
    expect(publishable.components.securitySchemes.apiKey).toMatchObject({ in: 'header', name: 'x-api-key' });
  });

  it('is cached per schema version and answers 304 to a matching ETag', async () => {
    const first = await request(h.app).get('/api/openapi.json').set(sk()).expect(200);
    const etag = first.headers.etag as string;
    expect(etag).toBeTruthy();
    await request(h.app).get('/api/openapi.json').set(sk()).set('If-None-Match', etag).expect(304);
    // A schema change (through the public schema API) gives a new version and a new document.
    await request(h.app)
      .post('/api/schemas')
      .set(sk())
      .send({ name: 'extras', fields: [{ key: 'n', type: 'Number' }] })
      .expect(201);
    const after = await request(h.app).get('/api/openapi.json').set(sk()).set('If-None-Match', etag).expect(200);
    expect(after.headers.etag).not.toBe(etag);
    expect(after.body.paths['/api/data/extras']).toBeDefined();
  });

  it('a client generated by openapi-typescript type-checks against real responses', async () => {
    const doc = (await request(h.app).get('/api/openapi.json').set(sk()).expect(200)).body;
    const client = astToString(await openapiTS(doc));
    const send = async (method: 'get' | 'post' | 'patch' | 'delete', url: string, status: number, body?: unknown) => {
      const req = request(h.app)[method](url).set(sk());
      return (await (body === undefined ? req : req.send(body as object)).expect(status)).body;
    };
    const first = await send('post', '/api/data/posts', 201, {
      title: 'Hello',
      slug: 'hello',
      views: 3,
      published: true,
      publishedAt: '2026-01-02T03:04:05.000Z',
      tags: ['a', 'b'],
      meta: { color: '#00ff00', site: 'https://example.com' },
      blocks: [{ kind: 'text', size: 2 }],
      nickname: 'unknown fields are kept',
    });
    const second = await send('post', '/api/data/posts', 201, { title: 'Second', related: [first._id], views: null });
    const answers: Record<string, [string, unknown]> = {
      created: ["paths['/api/data/posts']['post']['responses'][201]['content']['application/json']", second],
      list: [
        "paths['/api/data/posts']['get']['responses'][200]['content']['application/json']",
        await send('get', '/api/data/posts?limit=5', 200),
      ],
      cursor: [
        "paths['/api/data/posts']['get']['responses'][200]['content']['application/json']",
        await send('get', '/api/data/posts?cursor=&limit=1', 200),
      ],
      count: [
        "paths['/api/data/posts']['get']['responses'][200]['content']['application/json']",
        await send('get', '/api/data/posts?count=true', 200),
      ],
      one: [
        "paths['/api/data/posts/{id}']['get']['responses'][200]['content']['application/json']",
        await send('get', `/api/data/posts/${first._id}`, 200),
      ],
      populated: [
        "paths['/api/data/posts/{id}']['get']['responses'][200]['content']['application/json']",
        await send('get', `/api/data/posts/${second._id}?populate=related`, 200),
      ],
      updated: [
        "paths['/api/data/posts/{id}']['patch']['responses'][200]['content']['application/json']",
        await send('patch', `/api/data/posts/${first._id}`, 200, { views: 4, status: 'published' }),
      ],
      bulk: [
        "paths['/api/data/posts/bulk']['post']['responses'][201]['content']['application/json']",
        await send('post', '/api/data/posts/bulk', 201, [{ title: 'A' }, { title: 'B' }]),
      ],
      aggregate: [
        "paths['/api/data/posts/aggregate']['post']['responses'][200]['content']['application/json']",
        await send('post', '/api/data/posts/aggregate', 200, { pipeline: [{ $group: { _id: '$status', n: { $sum: 1 } } }] }),
      ],
      deleted: [
        "paths['/api/data/posts/{id}']['delete']['responses'][200]['content']['application/json']",
        await send('delete', `/api/data/posts/${second._id}`, 200),
      ],
      recovered: [
        "paths['/api/data/posts/{id}/recover']['patch']['responses'][200]['content']['application/json']",
        await send('patch', `/api/data/posts/${second._id}/recover`, 200),
      ],
      deletedForever: [
        "paths['/api/data/posts/{id}']['delete']['responses'][200]['content']['application/json']",
        await send('delete', `/api/data/posts/${second._id}?permanent=true`, 200),
      ],
      notFound: ["components['schemas']['Error']", await send('get', `/api/data/posts/${second._id}`, 404)],
      schema: [
        "paths['/api/schemas/{collectionName}']['get']['responses'][200]['content']['application/json']",
        await send('get', '/api/schemas/posts', 200),
      ],
      me: [
        "paths['/api/userAuth/me']['get']['responses'][200]['content']['application/json']",
        (await request(h.app).get('/api/userAuth/me').set(sk()).set('Authorization', `Bearer ${userToken}`).expect(200)).body,
      ],
    };
    const program = (entries: Record<string, [string, unknown]>) =>
      `import type { components, paths } from './api';\n${Object.entries(entries)
        .map(([name, [type, value]]) => `export const ${name}: ${type} = ${JSON.stringify(value, null, 2)};`)
        .join('\n')}\n`;
    const good = await typecheck({ 'api.d.ts': client, 'check.ts': program(answers) });
    expect(good.output).toBe('');
    expect(good.ok).toBe(true);
    // The same check fails for a response that does not follow the schema.
    const wrong = { ...(answers.one?.[1] as object), views: 'four' };
    const bad = await typecheck({ 'api.d.ts': client, 'check.ts': program({ one: [answers.one?.[0] as string, wrong] }) });
    expect(bad.ok).toBe(false);
    expect(bad.output).toMatch(/views|string' is not assignable/);
  }, 240_000);
});

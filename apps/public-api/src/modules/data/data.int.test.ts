import { type TestProject, createTestUser, signTestUserToken } from '@urbackend/common/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from '../../testing/harness.js';

let h: Harness;
let p: TestProject;
let alice: string;
let bob: string;
let aliceToken: string;
let bobToken: string;

const posts = [
  { key: 'title', type: 'String', required: true },
  { key: 'price', type: 'Number' },
  { key: 'status', type: 'String', default: 'draft' },
  { key: 'tags', type: 'Array', items: { type: 'String' } },
  { key: 'author', type: 'Ref', ref: 'authors' },
  { key: 'owner', type: 'Ref', ref: 'users' },
] as const;

beforeAll(async () => {
  h = await createHarness('data');
  p = await h.project({
    collections: [
      { name: 'posts', model: [...posts] as never },
      { name: 'authors', model: [{ key: 'name', type: 'String' }] },
      {
        name: 'users',
        model: [
          { key: 'email', type: 'String', required: true },
          { key: 'password', type: 'String', required: true },
        ],
      },
      {
        name: 'notes',
        model: [
          { key: 'text', type: 'String' },
          { key: 'userId', type: 'String' },
        ],
        rls: { enabled: true, mode: 'private' },
      },
      {
        name: 'feed',
        model: [{ key: 'text', type: 'String' }],
        rls: { enabled: true, mode: 'public-read', ownerField: 'userId' },
      },
      { name: 'guestbook', model: [{ key: 'text', type: 'String' }], rls: { enabled: true, requireAuthForWrite: false } },
    ],
  });
  const conn = h.platform.db.tenantDb(p.projectId);
  alice = await createTestUser(conn, { email: 'alice@example.test', otp: '123456', refreshTokenHash: 'x' });
  bob = await createTestUser(conn);
  aliceToken = signTestUserToken(p, alice);
  bobToken = signTestUserToken(p, bob);
});
afterAll(() => h.close());

const sk = () => ({ 'x-api-key': p.secretKey });
const pk = (token?: string) => ({ 'x-api-key': p.publishableKey, ...(token ? { authorization: `Bearer ${token}` } : {}) });

describe('CRUD with the secret key', () => {
  it('inserts (201 raw doc), reads, updates with PUT and PATCH, deletes', async () => {
    const created = await request(h.app)
      .post('/api/data/posts')
      .set(sk())
      .send({ title: '  Hello ', price: 5, extra: 1 })
      .expect(201);
    expect(created.body).toMatchObject({ title: 'Hello', price: 5, status: 'draft', extra: 1 });
    expect(created.body._id).toMatch(/^[0-9a-f]{24}$/);
    expect(created.body.createdAt).toBeTruthy();
    const id = created.body._id as string;

    const one = await request(h.app).get(`/api/data/posts/${id}`).set(sk()).expect(200);
    expect(one.body).toMatchObject({ _id: id, title: 'Hello' });
    expect(one.body.__v).toBeUndefined();

    const put = await request(h.app).put(`/api/data/posts/${id}`).set(sk()).send({ price: 7 }).expect(200);
    expect(put.body).toMatchObject({ message: 'Updated', data: { title: 'Hello', price: 7 } });
    const patch = await request(h.app).patch(`/api/data/posts/${id}`).set(sk()).send({ status: 'live' }).expect(200);
    expect(patch.body.data).toMatchObject({ price: 7, status: 'live' });

    await request(h.app)
      .delete(`/api/data/posts/${id}`)
      .set(sk())
      .expect(200, { success: true, data: { id }, message: 'Document moved to trash' });
    await request(h.app).get(`/api/data/posts/${id}`).set(sk()).expect(404);
    // The data is in the tenant database under the declared name, not in the platform database.
    const platformNames = (await h.platform.db.connection.db?.listCollections().toArray())?.map((c) => c.name) ?? [];
    expect(platformNames).not.toContain('posts');
    // Every request of the project is logged with its route pattern and time buckets.
    await h.deps.requestLogs.flush();
    const logs = await h.platform.db.connection
      .collection('request_logs')
      .find({ path: `/api/data/posts/${id}` })
      .toArray();
    expect(logs.map((l) => `${l.method} ${l.status}`).sort()).toEqual([
      'DELETE 200',
      'GET 200',
      'GET 404',
      'PATCH 200',
      'PUT 200',
    ]);
    expect(logs[0]).toMatchObject({ route: '/api/data/:collectionName/:id', keyRole: 'secret' });
    // A failed request (404 after the document was deleted) keeps its full route template too.
    expect(logs.every((l) => l.route === '/api/data/:collectionName/:id')).toBe(true);
    expect(logs[0]?.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('validates bodies against the schema (400 naming the field) and refuses operators and bad ids', async () => {
    const missing = await request(h.app).post('/api/data/posts').set(sk()).send({ price: 1 }).expect(400);
    expect(missing.body).toMatchObject({ success: false, code: 400, error: "Field 'title' is required." });
    await request(h.app).post('/api/data/posts').set(sk()).send({ title: 'x', price: 'cheap' }).expect(400);
    await request(h.app)
      .post('/api/data/posts')
      .set(sk())
      .send({ title: { $ne: null } })
      .expect(400);
    await request(h.app)
      .post('/api/data/posts')
      .set(sk())
      .send({ title: 'x', nested: { $gt: 1 } })
      .expect(400);
    await request(h.app).post('/api/data/posts').set(sk()).send({ title: 'x', 'a.b': 1 }).expect(400);
    await request(h.app)
      .post('/api/data/posts')
      .set(sk())
      .send({ title: 'x', m: [[1]] })
      .expect(400);
    await request(h.app)
      .get('/api/data/posts/not-an-id')
      .set(sk())
      .expect(400, { success: false, error: 'Invalid ID format.', code: 400 });
    await request(h.app).get('/api/data/missing').set(sk()).expect(404);
    await request(h.app).get('/api/data/Users').set(sk()).expect(403);
  });

  it('bulk inserts all or nothing', async () => {
    const bad = await request(h.app)
      .post('/api/data/authors/bulk')
      .set(sk())
      .send([{ name: 'ok' }, { name: 5 }])
      .expect(400);
    expect(bad.body.details[0].path).toBe('[1].name');
    const ok = await request(h.app)
      .post('/api/data/authors/bulk')
      .set(sk())
      .send([{ name: 'Ann' }, { name: 'Ben' }])
      .expect(201);
    expect(ok.body).toEqual({ success: true, data: { insertedCount: 2 }, message: 'Bulk insert successful' });
    const count = await request(h.app).get('/api/data/authors?count=true').set(sk()).expect(200);
    expect(count.body.data.count).toBe(2);
    await request(h.app).post('/api/data/authors/bulk').set(sk()).send([]).expect(400);
    await request(h.app)
      .post('/api/data/authors/bulk')
      .set(sk())
      .send(Array.from({ length: 101 }, () => ({ name: 'x' })))
      .expect(400);
  });
});

describe('queries', () => {
  let authorId: string;
  beforeAll(async () => {
    authorId = (await request(h.app).post('/api/data/authors').set(sk()).send({ name: 'Zed' })).body._id;
    const docs = Array.from({ length: 12 }, (_, i) => ({
      title: `t${i}`,
      price: i % 4,
      tags: [`g${i % 3}`],
      author: authorId,
      owner: alice,
    }));
    await request(h.app).post('/api/data/posts/bulk').set(sk()).send(docs).expect(201);
  });

  it.each([
    ['price_gte=2', 6],
    ['price_gt=2&price_lt=4', 3],
    ['price_in=0,3', 6],
    ['price_nin=0,3', 6],
    ['price_ne=0', 9],
    ['title_regex=^T1', 3],
    ['tags=g0', 4],
    ['title=t1&title=t2', 2],
    ['missing_exists=false', 12],
    ['key=pk_live_whatever', 12],
  ])('filters %s → %i', async (qs, n) => {
    const res = await request(h.app).get(`/api/data/posts?${qs}&count=true`).set(sk()).expect(200);
    expect(res.body).toEqual({ success: true, data: { count: n }, message: 'Count fetched successfully.' });
  });

  it('sorts, paginates, and honours fields and meta on lists', async () => {
    const res = await request(h.app)
      .get('/api/data/posts?sort=price:desc,title:asc&limit=5&page=1&fields=title,price&meta=false')
      .set(sk());
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ total: 12, page: 1, limit: 5 });
    expect(res.body.data.items.map((d: { title: string }) => d.title)).toEqual(['t11', 't3', 't7', 't10', 't2']);
    expect(Object.keys(res.body.data.items[0]).sort()).toEqual(['_id', 'price', 'title']);
  });

  it.each(['-price', 'price:asc', 'title:desc', undefined])(
    'cursor pagination walks every document once with sort %s',
    async (sort) => {
      const seen: string[] = [];
      let cursor = '';
      for (let i = 0; i < 10; i++) {
        const qs = new URLSearchParams({ limit: '5', cursor, ...(sort ? { sort } : {}) });
        const res = await request(h.app).get(`/api/data/posts?${qs}`).set(sk()).expect(200);
        seen.push(...res.body.data.items.map((d: { _id: string }) => d._id));
        if (!res.body.data.nextCursor) break;
        cursor = res.body.data.nextCursor;
      }
      expect(seen).toHaveLength(12);
      expect(new Set(seen).size).toBe(12);
    },
  );

  it('populates Ref fields and never exposes user secrets', async () => {
    const list = await request(h.app).get('/api/data/posts?limit=1').set(sk()).expect(200);
    const id = list.body.data.items[0]._id;
    const res = await request(h.app).get(`/api/data/posts/${id}?populate=author,owner`).set(sk()).expect(200);
    expect(res.body.author).toMatchObject({ _id: authorId, name: 'Zed' });
    expect(res.body.owner).toMatchObject({ _id: alice, email: 'alice@example.test' });
    expect(res.body.owner.password).toBeUndefined();
    expect(res.body.owner.otp).toBeUndefined();
    expect(res.body.owner.refreshTokenHash).toBeUndefined();
  });

  it.each(['$where=1', 'title[$ne]=x', 'price=abc', 'page=-1', 'limit=0', 'cursor=%%%', 'sort=price:up', 'populate=title'])(
    'answers %s with a 400',
    async (qs) => {
      const res = await request(h.app).get(`/api/data/posts?${qs}`).set(sk()).expect(400);
      expect(res.body.success).toBe(false);
    },
  );

  it('aggregates with the allow-list and refuses $lookup anywhere', async () => {
    const res = await request(h.app)
      .post('/api/data/posts/aggregate')
      .set(sk())
      .send({ pipeline: [{ $group: { _id: '$price', n: { $sum: 1 } } }, { $sort: { _id: 1 } }] })
      .expect(200);
    expect(res.body.data).toEqual([
      { _id: 0, n: 3 },
      { _id: 1, n: 3 },
      { _id: 2, n: 3 },
      { _id: 3, n: 3 },
    ]);
    await request(h.app)
      .post('/api/data/posts/aggregate')
      .set(sk())
      .send({ pipeline: [{ $lookup: { from: 'users' } }] })
      .expect(400);
    await request(h.app)
      .post('/api/data/posts/aggregate')
      .set(sk())
      .send({ pipeline: [{ $match: { $where: '1' } }] })
      .expect(400);
  });
});

describe('row-level security', () => {
  it('pk with RLS off: reads allowed, writes blocked (403)', async () => {
    await request(h.app).get('/api/data/posts').set(pk()).expect(200);
    await request(h.app).post('/api/data/posts').set(pk(aliceToken)).send({ title: 'x' }).expect(403);
  });

  it('quick test: no token 401, token injects owner, other user 403, private reads only own', async () => {
    await request(h.app).post('/api/data/notes').set(pk()).send({ text: 'a' }).expect(401);
    const mine = await request(h.app).post('/api/data/notes').set(pk(aliceToken)).send({ text: 'mine' }).expect(201);
    expect(mine.body.userId).toBe(alice);
    await request(h.app).post('/api/data/notes').set(pk(aliceToken)).send({ text: 'x', userId: bob }).expect(403);
    await request(h.app).patch(`/api/data/notes/${mine.body._id}`).set(pk(bobToken)).send({ text: 'hack' }).expect(403);
    await request(h.app).delete(`/api/data/notes/${mine.body._id}`).set(pk(bobToken)).expect(403);
    await request(h.app).patch(`/api/data/notes/${mine.body._id}`).set(pk(aliceToken)).send({ userId: bob }).expect(403);
    await request(h.app).get('/api/data/notes').set(pk()).expect(401);
    const bobs = await request(h.app).get('/api/data/notes').set(pk(bobToken)).expect(200);
    expect(bobs.body.data.items).toEqual([]);
    await request(h.app).get(`/api/data/notes/${mine.body._id}`).set(pk(bobToken)).expect(404);
    const alices = await request(h.app).get('/api/data/notes').set(pk(aliceToken)).expect(200);
    expect(alices.body.data.items).toHaveLength(1);
    const agg = await request(h.app)
      .post('/api/data/notes/aggregate')
      .set(pk(bobToken))
      .send({ pipeline: [{ $count: 'n' }] });
    expect(agg.body.data).toEqual([]);
    await request(h.app).patch(`/api/data/notes/${mine.body._id}`).set(pk(aliceToken)).send({ text: 'edited' }).expect(200);
    await request(h.app).get('/api/data/notes?count=true').set(sk()).expect(200);
  });

  it('public-read lets anyone read; requireAuthForWrite:false allows anonymous ownerless writes', async () => {
    await request(h.app).post('/api/data/feed').set(pk(aliceToken)).send({ text: 'hi' }).expect(201);
    const feed = await request(h.app).get('/api/data/feed').set(pk()).expect(200);
    expect(feed.body.data.items).toHaveLength(1);
    const anon = await request(h.app).post('/api/data/guestbook').set(pk()).send({ text: 'anon' }).expect(201);
    await request(h.app).post('/api/data/guestbook').set(pk()).send({ text: 'spoof', userId: alice }).expect(403);
    await request(h.app).patch(`/api/data/guestbook/${anon.body._id}`).set(pk()).send({ text: 'edit' }).expect(200);
  });

  it('rejects bad user tokens with 401', async () => {
    const forged = signTestUserToken({ projectId: p.projectId, jwtSecret: 'wrong' }, alice);
    const otherProject = signTestUserToken({ projectId: '64b000000000000000000009', jwtSecret: p.jwtSecret }, alice);
    const expired = signTestUserToken(p, alice, '-10s');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ userId: alice, projectId: p.projectId })).toString('base64url')}.`;
    for (const token of [forged, otherProject, expired, none]) {
      await request(h.app).get('/api/data/feed').set(pk(token)).expect(401);
    }
  });
});

describe('keys the BSON serializer or mongoose treat specially', () => {
  it('answers 400 naming the key on every write and in pipelines, never 500, and keeps serving', async () => {
    const code = { _bsontype: 'Code', code: 'process.exit(1)' };
    const id = (await request(h.app).post('/api/data/posts').set(sk()).send({ title: 'target' }).expect(201)).body._id;
    const cases: [request.Test, string][] = [
      [request(h.app).post('/api/data/posts').set(sk()).send(code), "Field '_bsontype' is reserved by the database driver."],
      [
        request(h.app)
          .post('/api/data/posts')
          .set(sk())
          .send({ title: 'x', extra: { deep: [code] } }),
        "Field 'extra.deep.0._bsontype' is reserved by the database driver.",
      ],
      [
        request(h.app)
          .post('/api/data/posts')
          .set(sk())
          .send({ title: 'x', author: { _bsontype: 'ObjectId', id: 'x' } }),
        "Field 'author._bsontype' is reserved by the database driver.",
      ],
      [
        request(h.app)
          .post('/api/data/posts')
          .set(sk())
          .send({ title: 'x', _doc: { a: 1 } }),
        "Field '_doc' is reserved by the database driver at the top level.",
      ],
      [
        request(h.app)
          .post('/api/data/posts/bulk')
          .set(sk())
          .send([{ title: 'ok' }, { title: 'x', get: 1 }]),
        'Item [1].get: is reserved by the database driver at the top level. Nothing was inserted.',
      ],
      [
        request(h.app)
          .patch(`/api/data/posts/${id}`)
          .set(sk())
          .send({ meta: { isMongooseBuffer: true } }),
        "Field 'meta.isMongooseBuffer' is reserved by the database driver.",
      ],
      [
        request(h.app).put(`/api/data/posts/${id}`).set(sk()).send({ toObject: 1 }),
        "Field 'toObject' is reserved by the database driver at the top level.",
      ],
      [
        request(h.app)
          .post('/api/data/posts/aggregate')
          .set(sk())
          .send({ pipeline: [{ $match: { title: code } }] }),
        'Aggregation pipeline contains forbidden key "_bsontype".',
      ],
    ];
    for (const [req, error] of cases) {
      const res = await req;
      expect({ status: res.status, error: res.body.error }).toEqual({ status: 400, error });
    }
    const after = await request(h.app).get(`/api/data/posts/${id}`).set(sk()).expect(200);
    expect(after.body).toMatchObject({ title: 'target' });
    expect(after.body.meta).toBeUndefined();
  });

  it('bounds offset paging and points to cursor paging', async () => {
    const res = await request(h.app).get('/api/data/posts?page=1000000000').set(sk()).expect(400);
    expect(res.body.error).toBe(
      'Invalid value for "page": must be at most 1000 with limit 100; use cursor paging (cursor=) for deeper pages.',
    );
    await request(h.app).get('/api/data/posts?page=1000').set(sk()).expect(200);
  });
});

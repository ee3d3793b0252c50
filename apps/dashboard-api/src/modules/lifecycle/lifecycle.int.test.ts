/** Trash, export and import through the real dashboard API (FerretDB, Redis): docs/data-lifecycle.md. */
import { parseCsv } from '@urbackend/common/lifecycle';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardTestApp,
  type TestDeveloper,
  createDashboardTestApp,
  createTestProject,
  registerVerifiedDeveloper,
} from '../../../test/helpers.js';

const EXPORTS_PER_DAY = 3;
let t: DashboardTestApp;
let dev: TestDeveloper;
let auth: { Authorization: string };
let pid: string;

const schema = [
  { key: 'title', type: 'String', required: true },
  { key: 'sku', type: 'String', unique: true },
  { key: 'price', type: 'Number', min: 0 },
  { key: 'active', type: 'Boolean' },
  { key: 'published', type: 'Date' },
  {
    key: 'address',
    type: 'Object',
    fields: [
      { key: 'city', type: 'String' },
      { key: 'zip', type: 'String' },
    ],
  },
  { key: 'tags', type: 'Array', items: { type: 'String' } },
];

async function newProject(name: string): Promise<string> {
  const p = await createTestProject(t.app, dev, name);
  await request(t.app).post(`/api/projects/${p._id}/collections`).set(auth).send({ name: 'items', schema }).expect(201);
  await request(t.app)
    .post(`/api/projects/${p._id}/collections`)
    .set(auth)
    .send({
      name: 'users',
      schema: [
        { key: 'email', type: 'String', required: true },
        { key: 'password', type: 'String', required: true },
      ],
    })
    .expect(201);
  return p._id;
}

const used = (projectId: string) => t.deps.meter.current(projectId, 'db');

beforeAll(async () => {
  t = await createDashboardTestApp('lifecycle', (c) => {
    c.plans = { defaultPlan: 'free', overrides: { free: { maxProjects: 5, exportsPerDay: EXPORTS_PER_DAY } } };
  });
  dev = await registerVerifiedDeveloper(t);
  auth = { Authorization: `Bearer ${dev.accessToken}` };
  pid = await newProject('lifecycle');
});
afterAll(async () => {
  await t.cleanup();
});

describe('trash from the dashboard', () => {
  it('row delete → trash list → recover; delete forever and empty trash release the quota', async () => {
    const base = `/api/projects/${pid}/collections/items`;
    const start = await used(pid);
    const a = (await request(t.app).post(`${base}/data`).set(auth).send({ title: 'A', sku: 'trash-a' }).expect(201)).body;
    const b = (await request(t.app).post(`${base}/data`).set(auth).send({ title: 'B', sku: 'trash-b' }).expect(201)).body;
    const charged = (await used(pid)) - start;

    const del = await request(t.app).delete(`${base}/data/${a._id}`).set(auth).expect(200);
    expect(del.body).toEqual({ success: true, data: { id: a._id }, message: 'Document moved to trash' });
    await request(t.app).delete(`${base}/data/${b._id}`).set(auth).expect(200);
    const rows = await request(t.app).get(`${base}/data`).set(auth).expect(200);
    expect(rows.body.map((r: { _id: string }) => r._id)).not.toContain(a._id);

    const trash = await request(t.app).get(`${base}/trash`).set(auth).expect(200);
    expect(trash.body.data).toMatchObject({ total: 2, retentionDays: 30 });
    expect(trash.body.data.items.map((i: { id: string }) => i.id)).toEqual([b._id, a._id]);
    expect(trash.body.data.items[0]).toMatchObject({ data: { title: 'B' }, deletedBy: `developer:${dev.email}` });
    expect(await used(pid)).toBe(start + charged);

    const rec = await request(t.app).patch(`${base}/data/${a._id}/recover`).set(auth).expect(200);
    expect(rec.body).toMatchObject({ success: true, data: { _id: a._id, title: 'A' }, message: 'Document recovered from trash' });
    await request(t.app).patch(`${base}/data/${a._id}/recover`).set(auth).expect(404);
    await request(t.app).delete(`${base}/trash/${b._id}`).set(auth).expect(200);
    await request(t.app).delete(`${base}/trash/${b._id}`).set(auth).expect(404);
    await request(t.app).delete(`${base}/data/${a._id}`).set(auth).expect(200);
    const emptied = await request(t.app).delete(`${base}/trash`).set(auth).expect(200);
    expect(emptied.body.data).toEqual({ deleted: 1 });
    expect(await used(pid)).toBe(start);
    // Permanent from the dashboard: nothing left to recover.
    const c = (await request(t.app).post(`${base}/data`).set(auth).send({ title: 'C', sku: 'trash-c' }).expect(201)).body;
    const perm = await request(t.app).delete(`${base}/data/${c._id}?permanent=true`).set(auth).expect(200);
    expect(perm.body.message).toBe('Document permanently deleted');
    expect((await request(t.app).get(`${base}/trash`).set(auth).expect(200)).body.data.total).toBe(0);
  });

  it('lifecycle settings: retention and a collection with the trash off', async () => {
    const res = await request(t.app)
      .patch(`/api/projects/${pid}/lifecycle`)
      .set(auth)
      .send({ trashRetentionDays: 7, trashDisabled: ['users'] })
      .expect(200);
    expect(res.body.data).toEqual({ trashRetentionDays: 7, trashDisabled: ['users'] });
    const base = `/api/projects/${pid}/collections/items`;
    const d = (await request(t.app).post(`${base}/data`).set(auth).send({ title: 'D', sku: 'trash-d' }).expect(201)).body;
    await request(t.app).delete(`${base}/data/${d._id}`).set(auth).expect(200);
    const trash = await request(t.app).get(`${base}/trash`).set(auth).expect(200);
    expect(trash.body.data.retentionDays).toBe(7);
    const item = trash.body.data.items[0];
    expect(new Date(item.expiresAt).getTime() - new Date(item.deletedAt).getTime()).toBe(7 * 86_400_000);
    await request(t.app).delete(`${base}/trash`).set(auth).expect(200);
    await request(t.app)
      .patch(`/api/projects/${pid}/lifecycle`)
      .set(auth)
      .send({ trashRetentionDays: 30, trashDisabled: [] })
      .expect(200);
  });
});

/** The 10,000-row file: 37 bad rows at known positions. */
function bigCsv() {
  const header = ['title', 'sku', 'price', 'active', 'published', 'address.city', 'address.zip', 'tags'];
  const bad = new Map<number, string>();
  const lines = [header.join(',')];
  const good: Record<string, string>[] = [];
  for (let row = 1; row <= 10_000; row++) {
    const cells: Record<string, string> = {
      title: `Item ${row}, "quoted"`,
      sku: `sku-${row}`,
      price: String((row % 500) + 0.25),
      active: row % 2 ? 'true' : 'false',
      published: new Date(Date.UTC(2024, 0, 1) + row * 60_000).toISOString(),
      'address.city': `City ${row % 50}`,
      'address.zip': `0${row % 9000}`,
      tags: JSON.stringify([`t${row % 3}`, 'all']),
    };
    const kind = row % 270 === 7 && row < 9900 ? (row / 270) % 4 : -1; // 37 rows: 7, 277, ..., 9727
    if (kind >= 0) {
      const k = Math.floor(kind);
      if (k === 0) cells.title = '';
      else if (k === 1) cells.price = '-5';
      else if (k === 2) cells.price = 'cheap';
      else cells.sku = 'sku-1';
      bad.set(
        row,
        k === 0
          ? 'title: is required'
          : k === 1
            ? 'price: must be at least 0'
            : k === 2
              ? 'price: must be a Number'
              : 'sku: duplicate value in the file (row 1)',
      );
    } else good.push(cells);
    lines.push(
      header.map((h) => (/[",]/.test(cells[h] as string) ? `"${(cells[h] as string).replace(/"/g, '""')}"` : cells[h])).join(','),
    );
  }
  return { text: `${lines.join('\r\n')}\r\n`, bad, good, header };
}

describe('import and export', () => {
  it('a 10,000-row CSV with 37 bad rows: the dry run and the real run report exactly those rows; the export gives the same values back', async () => {
    const { text, bad, good, header } = bigCsv();
    expect(bad.size).toBe(37);
    const base = `/api/projects/${pid}/collections/items`;
    const before = (await request(t.app).get(`${base}/data?count=true`).set(auth)).headers['x-total-count'];
    const send = (dryRun: boolean) =>
      request(t.app)
        .post(`${base}/import?format=csv${dryRun ? '&dryRun=true' : ''}`)
        .set(auth)
        .set('Content-Type', 'text/csv')
        .send(text);
    const expected = [...bad.entries()].map(([row, error]) => ({ row, errors: [error] }));

    const dry = await send(true).expect(200);
    expect(dry.body.data).toEqual({ dryRun: true, total: 10_000, accepted: 9963, rejected: expected });
    expect((await request(t.app).get(`${base}/data`).set(auth)).headers['x-total-count']).toBe(before);

    const real = await send(false).expect(200);
    expect(real.body.data).toEqual({ dryRun: false, total: 10_000, accepted: 9963, rejected: expected });
    expect((await request(t.app).get(`${base}/data`).set(auth)).headers['x-total-count']).toBe(String(Number(before) + 9963));

    // Again: every row now collides with a stored sku (nothing is written twice).
    const again = await send(true).expect(200);
    expect(again.body.data.accepted).toBe(0);

    const exported = await request(t.app)
      .get(`${base}/export?format=csv&sort=createdAt`)
      .set(auth)
      .buffer(true)
      .parse(textParser as never)
      .expect(200);
    expect(exported.headers['content-type']).toMatch(/^text\/csv/);
    const [cols, ...rows] = parseCsv(exported.body as string);
    const index = new Map((cols as string[]).map((c, i) => [c, i]));
    for (const h of header) expect(index.has(h)).toBe(true);
    const bySku = new Map(rows.map((r) => [r[index.get('sku') as number], r]));
    expect(bySku.size).toBe(9963);
    for (const g of good) {
      const r = bySku.get(g.sku) as string[];
      expect(Object.fromEntries(header.map((h) => [h, r[index.get(h) as number]]))).toEqual(g);
    }
  }, 180_000);

  it('exports NDJSON and JSON with query-language filters; users never carry their password', async () => {
    const base = `/api/projects/${pid}/collections/items`;
    const nd = await request(t.app)
      .get(`${base}/export?format=ndjson&price_gt=499&sort=sku`)
      .set(auth)
      .buffer(true)
      .parse(textParser as never)
      .expect(200);
    const docs = (nd.body as string)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(docs.length).toBeGreaterThan(0);
    expect(docs.every((d) => d.price > 499)).toBe(true);
    expect(docs.map((d) => d.sku)).toEqual([...docs.map((d) => d.sku)].sort());

    await request(t.app)
      .post(`/api/projects/${pid}/collections/users/data`)
      .set(auth)
      .send({ email: 'u@example.com', password: 'secret-pass-1' })
      .expect(201);
    const users = await request(t.app)
      .get(`/api/projects/${pid}/collections/users/export?format=json`)
      .set(auth)
      .buffer(true)
      .parse(textParser as never)
      .expect(200);
    const list = JSON.parse(users.body as string);
    expect(list).toHaveLength(1);
    expect(list[0].email).toBe('u@example.com');
    expect(list[0]).not.toHaveProperty('password');
    expect(users.body as string).not.toMatch(/\$2[aby]\$/);
  });

  it('the daily export limit holds under concurrency (exactly N of many parallel exports succeed)', async () => {
    const other = await newProject('limits');
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        request(t.app).get(`/api/projects/${other}/collections/items/export?format=ndjson`).set(auth),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(EXPORTS_PER_DAY);
    expect(limited).toHaveLength(8 - EXPORTS_PER_DAY);
    expect(limited[0]?.body).toMatchObject({
      success: false,
      error: `Daily export limit reached (${EXPORTS_PER_DAY}/${EXPORTS_PER_DAY}). Please try again tomorrow.`,
    });
  });
});

function textParser(
  res: NodeJS.ReadableStream & { setEncoding(e: string): void },
  done: (err: Error | null, body: string) => void,
) {
  let data = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    data += chunk;
  });
  res.on('end', () => done(null, data));
}

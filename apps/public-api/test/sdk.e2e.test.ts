/** Drives the real public API over HTTP with the official, unchanged @urbackend/sdk 0.4.8. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestProject, createTestUser, signTestUserToken } from '@urbackend/common/testing';
import urBackend, { AuthError, NotFoundError, ValidationError } from '@urbackend/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from '../src/testing/harness.js';

let h: Harness;
let server: Server;
let baseUrl: string;
let p: TestProject;
let token: string;
let otherToken: string;

beforeAll(async () => {
  h = await createHarness('sdk');
  p = await h.project({
    collections: [
      { name: 'authors', model: [{ key: 'name', type: 'String', required: true }] },
      {
        name: 'books',
        model: [
          { key: 'title', type: 'String', required: true },
          { key: 'price', type: 'Number', default: 0 },
          { key: 'author', type: 'Ref', ref: 'authors' },
        ],
      },
      { name: 'diary', model: [{ key: 'text', type: 'String' }], rls: { enabled: true, mode: 'private', ownerField: 'userId' } },
      {
        name: 'users',
        model: [
          { key: 'email', type: 'String', required: true },
          { key: 'password', type: 'String', required: true },
        ],
      },
    ],
  });
  const conn = h.platform.db.tenantDb(p.projectId);
  token = signTestUserToken(p, await createTestUser(conn));
  otherToken = signTestUserToken(p, await createTestUser(conn));
  server = h.app.listen(0);
  await new Promise((r) => server.once('listening', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await h.close();
});

describe('@urbackend/sdk 0.4.8 against the public API', () => {
  it('db: insert, getAll with filters/sort/pagination, count, getOne with populate, update, patch, delete (secret key)', async () => {
    const client = urBackend({ apiKey: p.secretKey, baseUrl });
    const author = await client.db.insert('authors', { name: 'Ursula' });
    expect(author._id).toMatch(/^[0-9a-f]{24}$/);
    for (const [title, price] of [
      ['A', 5],
      ['B', 15],
      ['C', 25],
      ['D', 35],
    ] as const) {
      await client.db.insert('books', { title, price, author: author._id });
    }
    const page = await client.db.getAll('books', { filter: { price_gte: 10 }, sort: 'price:desc', limit: 2, page: 1 });
    expect(page.map((b) => b.title)).toEqual(['D', 'C']);
    const page2 = await client.db.getAll('books', { filter: { price_gte: 10 }, sort: '-price', limit: 2, page: 2 });
    expect(page2.map((b) => b.title)).toEqual(['B']);
    expect(await client.db.count('books', { filter: { price_lt: 20 } })).toBe(2);

    const first = page[0] as { _id: string };
    const one = await client.db.getOne('books', first._id, { populate: 'author' });
    expect(one).toMatchObject({ title: 'D', author: { _id: author._id, name: 'Ursula' } });

    const updated = await client.db.update('books', first._id, { price: 40 });
    expect(updated).toMatchObject({ _id: first._id, title: 'D', price: 40 });
    const patched = await client.db.patch('books', first._id, { title: 'D2' });
    expect(patched).toMatchObject({ title: 'D2', price: 40 });
    expect(await client.db.delete('books', first._id)).toEqual({ deleted: true });
    await expect(client.db.getOne('books', first._id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.db.insert('books', { price: 1 })).rejects.toBeInstanceOf(ValidationError);
    expect(await client.db.getAll('nope')).toEqual([]);
  });

  it('schema.getSchema returns the collection with its fields (pk and sk)', async () => {
    for (const apiKey of [p.publishableKey, p.secretKey]) {
      const collection = await urBackend({ apiKey, baseUrl }).schema.getSchema('books');
      expect(collection).toMatchObject({ name: 'books' });
      expect((collection as { model: { key: string; default?: unknown }[] }).model.find((f) => f.key === 'price')?.default).toBe(
        0,
      );
    }
  });

  it('publishable key: RLS off reads work and writes are refused; RLS private needs and honours the user token', async () => {
    const client = urBackend({ apiKey: p.publishableKey, baseUrl });
    expect((await client.db.getAll('books')).length).toBe(3);
    await expect(client.db.insert('books', { title: 'x' })).rejects.toBeInstanceOf(AuthError);

    await expect(client.db.insert('diary', { text: 'no token' })).rejects.toBeInstanceOf(AuthError);
    const entry = await client.db.insert('diary', { text: 'dear diary' }, token);
    expect(entry.userId).toBeTruthy();
    expect((await client.db.getAll('diary', {}, token)).map((d) => d.text)).toEqual(['dear diary']);
    expect(await client.db.getAll('diary', {}, otherToken)).toEqual([]);
    await expect(client.db.patch('diary', entry._id, { text: 'hacked' }, otherToken)).rejects.toBeInstanceOf(AuthError);
    expect(await client.db.patch('diary', entry._id, { text: 'edited' }, token)).toMatchObject({ text: 'edited' });
    expect(await client.db.count('diary', {}, token)).toBe(1);
    expect(await client.db.delete('diary', entry._id, token)).toEqual({ deleted: true });
    await expect(client.db.getAll('diary')).rejects.toBeInstanceOf(AuthError);
  });
});

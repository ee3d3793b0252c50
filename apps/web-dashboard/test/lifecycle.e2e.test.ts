/**
 * Browser end-to-end test of the data lifecycle screens (issue 16): a document deleted through the
 * public API is in the collection's Trash tab and the Restore button brings it back; a CSV import
 * is checked (dry run, rejected rows by number) then imported; the export dialog downloads the
 * collection as CSV with the same values.
 */
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, logInInBrowser, startStack } from './stack.js';

const stamp = Date.now();
const email = `lifecycle-${stamp}@example.com`;
const password = 'correct-horse-battery';

let stack: Stack;
let context: BrowserContext;
let page: Page;
let projectId = '';
let secretKey = '';
let token = '';

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function dash(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.dashboardUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The public API as the app would call it, with the secret key. */
async function pub(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.publicUrl}${path}`, {
    method,
    headers: { 'x-api-key': secretKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function titles(): Promise<string[]> {
  const res = await pub('GET', '/api/data/books?limit=100&sort=title:asc');
  expect(res.status).toBe(200);
  return (await json<{ data: { items: { title: string }[] } }>(res)).data.items.map((d) => d.title);
}

beforeAll(async () => {
  stack = await startStack('lifecyclee2e');
  const reg = await fetch(`${stack.dashboardUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(reg.status).toBe(201);
  const otp = await stack.mail.otpFor(email, { timeoutMs: 15_000 });
  const verified = await fetch(`${stack.dashboardUrl}/api/auth/verify-otp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, otp }),
  });
  token = (await json<{ accessToken: string }>(verified)).accessToken;
  const created = await json<{ _id: string; secretKey: string }>(await dash('POST', '/api/projects', { name: 'Library' }));
  projectId = created._id;
  secretKey = created.secretKey;
  const schema = [
    { key: 'title', type: 'String', required: true },
    { key: 'pages', type: 'Number', min: 1 },
  ];
  expect((await dash('POST', `/api/projects/${projectId}/collections`, { name: 'books', schema })).status).toBe(201);
  for (const [title, pages] of [
    ['Dune', 412],
    ['Emma', 320],
  ] as const) {
    expect((await pub('POST', '/api/data/books', { title, pages })).status).toBe(201);
  }

  context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await logInInBrowser(page, stack.webUrl, email, password);
});

afterAll(async () => {
  await context?.close();
  await stack?.close();
});

describe('trash, import and export in the dashboard', () => {
  it('a document deleted through the public API is restored from the Trash tab', async () => {
    const list = await json<{ data: { items: { _id: string; title: string }[] } }>(await pub('GET', '/api/data/books'));
    const emma = list.data.items.find((d) => d.title === 'Emma');
    const deleted = await pub('DELETE', `/api/data/books/${emma?._id}`);
    expect(await json(deleted)).toMatchObject({ success: true, data: { id: emma?._id }, message: 'Document moved to trash' });
    expect(await titles()).toEqual(['Dune']);

    await page.goto(`${stack.webUrl}/projects/${projectId}/collections/books?tab=trash`);
    await page.getByRole('heading', { name: 'Trash (1)' }).waitFor();
    await page.getByRole('button', { name: `Restore ${emma?._id}` }).click();
    await page.getByText('The trash is empty').waitFor();
    expect(await titles()).toEqual(['Dune', 'Emma']);
  });

  it('imports a CSV after a dry run that names the rejected rows', async () => {
    await page.goto(`${stack.webUrl}/projects/${projectId}/collections/books`);
    await page.getByRole('button', { name: 'Import' }).click();
    const csv = 'title,pages\nIliad,683\n,120\nOdyssey,541\nUlysses,0\n';
    await page.setInputFiles('#import-file', { name: 'books.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Check (dry run)' }).click();
    await page.getByText('Check: 2 of 4 row(s) can be imported, 2 rejected.').waitFor();
    const rows = await page.locator('.modal table tbody tr td.mono').allTextContents();
    expect(rows.map((r) => r.trim())).toEqual(['2', '4']);
    expect(await titles()).toEqual(['Dune', 'Emma']);
    await page.getByRole('button', { name: 'Import 2 row(s)' }).click();
    await page.getByText('Imported: 2 of 4 row(s) stored, 2 rejected.').waitFor();
    expect(await titles()).toEqual(['Dune', 'Emma', 'Iliad', 'Odyssey']);
    await page.getByRole('button', { name: 'Close', exact: true }).last().click();
  });

  it('exports the collection as CSV with the same values', async () => {
    await page.goto(`${stack.webUrl}/projects/${projectId}/collections/books`);
    await page.getByRole('button', { name: 'Export' }).click();
    await page.getByLabel('Format').selectOption('csv');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    const file = await download.path();
    const text = await readFile(file, 'utf8');
    const [header, ...lines] = text.trim().split('\n');
    const columns = (header ?? '').split(',');
    const titleAt = columns.indexOf('title');
    const pagesAt = columns.indexOf('pages');
    const rows = lines.map((l) => l.split(',')).map((cells) => `${cells[titleAt]}:${cells[pagesAt]}`);
    expect(rows.sort()).toEqual(['Dune:412', 'Emma:320', 'Iliad:683', 'Odyssey:541']);
  });
});

/**
 * Browser test of the dashboard as a workbench (issue 17): the data grid (fits 1280 px with its row
 * actions in view, header sort, remembered columns, row drawer, inline edit with client and server
 * validation, bulk delete into the trash), the schema-built form (defaults, hints, Ref picker,
 * lists) and end-user admin (signup rules, not silently verified, delete, readable sessions, disable
 * and enable, password-reset mail).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, logInInBrowser, startStack } from './stack.js';

let stack: Stack;
let context: BrowserContext;
let page: Page;
let projectId = '';
let secretKey = '';
let publishableKey = '';
let token = '';
const email = `bench-${Date.now()}@example.com`;
const password = 'correct-horse-battery';
const authorIds: Record<string, string> = {};
const bookIds: string[] = [];

async function dash(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.dashboardUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function dashOk<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await dash(method, path, body);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function publicCall(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return fetch(`${stack.publicUrl}${path}`, {
    method,
    headers: { 'x-api-key': secretKey, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function insert(collection: string, doc: Record<string, unknown>): Promise<string> {
  const res = await publicCall('POST', `/api/data/${collection}`, doc);
  expect(res.status).toBe(201);
  return ((await res.json()) as { _id: string })._id;
}

async function book(id: string): Promise<Record<string, unknown>> {
  const res = await publicCall('GET', `/api/data/books/${id}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data?: Record<string, unknown> } & Record<string, unknown>;
  return (body.data ?? body) as Record<string, unknown>;
}

/** Screenshots for review (issue 17 note), only when WORKBENCH_SHOTS names a directory. */
async function shot(name: string): Promise<void> {
  const dir = process.env.WORKBENCH_SHOTS;
  if (!dir) return;
  await page.screenshot({ path: `${dir}/${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${dir}/${name}-390.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function expectToast(text: string | RegExp): Promise<void> {
  await page.locator('.toast', { hasText: text }).first().waitFor({ timeout: 10_000 });
}

const WIDE = ['summary', 'publisher', 'language', 'edition', 'format', 'notes', 'series', 'translator'];

beforeAll(async () => {
  stack = await startStack('benche2e');
  await fetch(`${stack.dashboardUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const otp = await stack.mail.otpFor(email, { timeoutMs: 15_000 });
  const verified = await fetch(`${stack.dashboardUrl}/api/auth/verify-otp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, otp }),
  });
  token = ((await verified.json()) as { accessToken: string }).accessToken;
  const project = await dashOk<{ _id: string; secretKey: string; publishableKey: string }>('POST', '/api/projects', {
    name: 'Workbench',
  });
  projectId = project._id;
  secretKey = project.secretKey;
  publishableKey = project.publishableKey;
  await dashOk('POST', `/api/projects/${projectId}/collections`, {
    name: 'authors',
    schema: [{ key: 'name', type: 'String', required: true }],
  });
  await dashOk('POST', `/api/projects/${projectId}/collections`, {
    name: 'books',
    schema: [
      { key: 'title', type: 'String', required: true },
      { key: 'pages', type: 'Number', min: 1, max: 5000 },
      { key: 'isbn', type: 'String', unique: true },
      { key: 'status', type: 'String', enum: ['draft', 'published'], default: 'draft' },
      { key: 'author', type: 'Ref', ref: 'authors' },
      { key: 'publishedAt', type: 'Date' },
      { key: 'tags', type: 'Array', items: { type: 'String' } },
      ...WIDE.map((key) => ({ key, type: 'String' })),
    ],
  });
  await dashOk('POST', `/api/projects/${projectId}/collections`, {
    name: 'users',
    schema: [
      { key: 'email', type: 'String', required: true, unique: true },
      { key: 'password', type: 'String', required: true },
      { key: 'username', type: 'String' },
    ],
  });
  await dashOk('PATCH', `/api/projects/${projectId}/auth/toggle`, { enable: true });
  authorIds.ursula = await insert('authors', { name: 'Ursula Le Guin' });
  authorIds.terry = await insert('authors', { name: 'Terry Pratchett' });
  const long = 'A long text that makes this column wide enough to push the table past the container';
  for (const [i, title] of ['Earthsea', 'Mort', 'Dune', 'Emma', 'Kindred'].entries()) {
    bookIds.push(
      await insert('books', {
        title,
        pages: 100 + i * 50,
        isbn: `isbn-${i}`,
        ...Object.fromEntries(WIDE.map((k) => [k, `${long} (${k})`])),
      }),
    );
  }
  context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await logInInBrowser(page, stack.webUrl, email, password);
}, 300_000);

afterAll(async () => {
  await context?.close();
  await stack?.close();
});

describe('the data grid', () => {
  it('fits 1280 px: the page does not scroll sideways and every row action is in view; names as declared', async () => {
    await page.goto(`${stack.webUrl}/projects/${projectId}/collections/books`);
    const grid = page.getByRole('table', { name: 'Documents in books' });
    await grid.getByRole('cell', { name: 'Earthsea' }).waitFor();
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      view: document.documentElement.clientWidth,
      table: document.querySelector('.grid-table')?.getBoundingClientRect().width ?? 0,
    }));
    expect(widths.table).toBeGreaterThan(1280); // wide schema: the grid scrolls inside its own box
    expect(widths.page).toBeLessThanOrEqual(widths.view);
    for (const name of ['Edit', 'JSON', 'Delete']) {
      const button = page.getByRole('button', { name: new RegExp(`^(${name === 'JSON' ? 'View' : name}) ${bookIds[0]}`) });
      const box = await button.boundingBox();
      expect(box).not.toBeNull();
      expect(box?.x ?? -1).toBeGreaterThanOrEqual(0);
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(1280);
      expect(await button.isVisible()).toBe(true);
    }
    await shot('grid');
    // Field names as declared, not upper-cased.
    expect(await grid.getByRole('button', { name: 'publishedAt' }).innerText()).toContain('publishedAt');
  });

  it('sorts through the query from a header, and remembers hidden columns per collection', async () => {
    const grid = page.getByRole('table', { name: 'Documents in books' });
    await grid.getByRole('button', { name: 'pages', exact: true }).click();
    await page.locator('code', { hasText: 'sort=pages:asc' }).waitFor();
    await page.waitForFunction(() => document.querySelector('tbody tr td[data-col="title"]')?.textContent === 'Earthsea');
    await grid.getByRole('button', { name: 'pages', exact: true }).click();
    await page.locator('code', { hasText: 'sort=pages:desc' }).waitFor();
    await page.waitForFunction(() => document.querySelector('tbody tr td[data-col="title"]')?.textContent === 'Kindred');

    await page.locator('.grid-columns summary').click();
    await page.locator('.grid-columns-menu').getByLabel('translator').uncheck();
    expect(await grid.getByRole('button', { name: 'translator' }).count()).toBe(0);
    await page.reload();
    await page.getByRole('table', { name: 'Documents in books' }).getByRole('cell', { name: 'Earthsea' }).waitFor();
    expect(
      await page.getByRole('table', { name: 'Documents in books' }).getByRole('button', { name: 'translator' }).count(),
    ).toBe(0);
    expect(await page.getByRole('table', { name: 'Documents in books' }).getByRole('button', { name: 'series' }).count()).toBe(1);
  });

  it('opens a row in a side drawer with the form and the JSON (no __v)', async () => {
    const grid = page.getByRole('table', { name: 'Documents in books' });
    await grid.getByRole('cell', { name: 'Mort' }).click();
    const drawer = page.getByRole('dialog', { name: `Document ${bookIds[1]}` });
    await drawer.waitFor();
    expect(await drawer.getByLabel('title *').inputValue()).toBe('Mort');
    await shot('drawer-form');
    await drawer.getByRole('tab', { name: 'JSON' }).click();
    await shot('drawer-json');
    const json = await drawer.locator('pre').innerText();
    expect(json).toContain('"title": "Mort"');
    expect(json).not.toContain('__v');
    await drawer.getByRole('button', { name: 'Close details' }).click();
    await drawer.waitFor({ state: 'detached' });
  });

  it('edits a cell inline: the schema rule and the server error show on the cell, a valid value is saved', async () => {
    const row = page.getByRole('row', { name: new RegExp(bookIds[0] ?? '') });
    await row.locator('td[data-col="pages"]').dblclick();
    const editor = page.getByLabel(`pages of ${bookIds[0]}`);
    await editor.fill('0');
    await editor.press('Enter');
    await row.locator('.cell-error', { hasText: 'Must be at least 1.' }).waitFor();
    await shot('inline-error');
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    expect((await book(bookIds[0] ?? '')).pages).toBe(100);

    await editor.fill('321');
    await editor.press('Enter');
    await expectToast('pages saved');
    await row.locator('td[data-col="pages"]', { hasText: '321' }).waitFor();
    expect((await book(bookIds[0] ?? '')).pages).toBe(321);

    // A rule only the server knows (a unique value already taken): its refusal is shown on the cell
    // (whatever its wording: the data route answers 500 here today, see docs/dashboard.md) and nothing changes.
    await row.locator('td[data-col="isbn"]').dblclick();
    const isbn = page.getByLabel(`isbn of ${bookIds[0]}`);
    await isbn.fill('isbn-1');
    await isbn.press('Enter');
    await shot('inline-server-error');
    await row.locator('.cell-error', { hasText: /\S/ }).waitFor();
    expect(await isbn.isVisible()).toBe(true);
    expect((await book(bookIds[0] ?? '')).isbn).toBe('isbn-0');
    await isbn.press('Escape');
    await row.locator('td[data-col="isbn"]', { hasText: 'isbn-0' }).waitFor();
  });

  it('deletes 3 selected rows after a confirmation, into the trash', async () => {
    const doomed = bookIds.slice(2, 5);
    for (const id of doomed) await page.getByLabel(`Select ${id}`).check();
    await page.getByRole('button', { name: 'Delete 3 selected' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete 3 documents?' });
    await dialog.getByRole('button', { name: 'Delete 3' }).click();
    await expectToast('3 documents deleted');
    for (const id of doomed) await page.getByRole('cell', { name: id, exact: true }).waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: bookIds[0], exact: true }).waitFor();
    for (const id of doomed) expect((await publicCall('GET', `/api/data/books/${id}`)).status).toBe(404);
    const trash = JSON.stringify(await dashOk('GET', `/api/projects/${projectId}/collections/books/trash`));
    for (const id of doomed) expect(trash).toContain(id);
  });
});

describe('the schema-built form', () => {
  it('pre-fills defaults, shows constraints, picks a Ref by searching, edits a list', async () => {
    await page.getByRole('button', { name: 'Add document' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add document' });
    expect(await dialog.getByLabel('status').inputValue()).toBe('draft');
    expect(await dialog.getByRole('option').allInnerTexts()).toEqual(expect.arrayContaining(['draft', 'published']));
    await dialog.getByText('between 1 and 5000').waitFor();
    await dialog.getByLabel('title *').fill('The Dispossessed');
    await dialog.getByLabel('pages').fill('9000');
    const picker = dialog.getByRole('searchbox', { name: 'author' });
    await picker.fill('Ursula');
    await dialog.getByRole('button', { name: /Ursula Le Guin/ }).click();
    await dialog.locator('.ref-chosen', { hasText: 'Ursula Le Guin' }).waitFor();
    await shot('record-form');
    await dialog.getByRole('button', { name: '+ Add tags item' }).click();
    await dialog.getByLabel('tags item 1').fill('anarchy');
    await dialog.getByRole('button', { name: 'Add document' }).click();
    // The rule is checked before the save, on the right field.
    await dialog.locator('.field-invalid', { hasText: 'Must be at most 5000.' }).waitFor();
    await dialog.getByLabel('pages').fill('387');
    await dialog.getByRole('button', { name: 'Add document' }).click();
    await expectToast('Document added');
    await page.getByRole('cell', { name: 'The Dispossessed' }).waitFor();
    const res = await publicCall('GET', '/api/data/books?title=The%20Dispossessed');
    const items = ((await res.json()) as { data: { items: Record<string, unknown>[] } }).data.items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ pages: 387, status: 'draft', author: authorIds.ursula, tags: ['anarchy'] });
  });

  it('asks before discarding unsaved changes', async () => {
    await page.getByRole('button', { name: 'Add document' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add document' });
    await dialog.getByLabel('title *').fill('Half written');
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(asked).toEqual(['Discard your unsaved changes?']);
    expect(await dialog.getByLabel('title *').inputValue()).toBe('Half written');
    page.once('dialog', (d) => void d.accept());
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });
});

describe('end-user admin', () => {
  const usersPath = () => `/api/projects/${projectId}/admin/users`;

  it('"Add user" refuses an invalid email and a short password, on the fields, and creates nothing', async () => {
    await page.goto(`${stack.webUrl}/projects/${projectId}/users`);
    await page.getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a user' });
    await dialog.getByLabel('Email').fill('bad-email');
    await dialog.getByLabel('Password').fill('x');
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await dialog.locator('.field-invalid', { hasText: 'Enter a valid email address' }).waitFor();
    await dialog.locator('.field-invalid', { hasText: 'at least 6 characters' }).waitFor();
    await shot('add-user-invalid');
    await dialog.getByLabel('Email').fill('ada@example.com');
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await dialog.locator('.field-invalid', { hasText: 'at least 6 characters' }).waitFor();
    expect(await dialog.locator('.field-invalid').count()).toBe(1);
    const list = await dashOk<{ data: { items: unknown[] } }>('GET', usersPath());
    expect(list.data.items).toEqual([]);
  });

  it('creates a user unverified unless ticked; a duplicate email is refused on the field', async () => {
    const dialog = page.getByRole('dialog', { name: 'Add a user' });
    await dialog.getByLabel('Password').fill('lovelace-1815');
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await expectToast('User created');
    await page.getByRole('cell', { name: 'ada@example.com', exact: true }).waitFor();
    const list = await dashOk<{ data: { items: { email: string; emailVerified: boolean }[] } }>('GET', usersPath());
    expect(list.data.items).toEqual([expect.objectContaining({ email: 'ada@example.com', emailVerified: false })]);

    await page.getByRole('button', { name: 'Add user' }).click();
    await dialog.getByLabel('Email').fill('ada@example.com');
    await dialog.getByLabel('Password').fill('another-pass');
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await dialog.locator('.field-invalid', { hasText: /already exists/ }).waitFor();
    await dialog.getByLabel('Email').fill('grace@example.com');
    await dialog.getByLabel('Mark as verified').check();
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await expectToast('User created (verified)');
    const after = await dashOk<{ data: { items: { email: string; emailVerified: boolean }[] } }>('GET', usersPath());
    expect(after.data.items.find((u) => u.email === 'grace@example.com')?.emailVerified).toBe(true);
  });

  it('shows sessions with a readable IP and device, and deletes a user after a confirmation', async () => {
    const login = await fetch(`${stack.publicUrl}/api/userAuth/login`, {
      method: 'POST',
      headers: {
        'x-api-key': publishableKey,
        'content-type': 'application/json',
        'user-agent':
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
      },
      body: JSON.stringify({ email: 'grace@example.com', password: 'another-pass' }),
    });
    expect(login.status).toBe(200);
    const row = page.getByRole('row', { name: /grace@example.com/ });
    await row.getByRole('button', { name: 'Sessions' }).click();
    const sessions = page.getByRole('dialog', { name: 'Sessions of grace@example.com' });
    await sessions.getByText('Chrome on Windows').waitFor();
    await shot('sessions');
    const text = await sessions.innerText();
    expect(text).toContain('127.0.0.1');
    expect(text).not.toContain('::ffff:');
    await sessions.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Delete ada@example.com' }).click();
    await page.getByRole('dialog', { name: 'Delete this user?' }).getByRole('button', { name: 'Delete user' }).click();
    await expectToast('ada@example.com deleted');
    await page.getByRole('cell', { name: 'ada@example.com', exact: true }).waitFor({ state: 'detached' });
    const list = await dashOk<{ data: { items: { email: string }[] } }>('GET', usersPath());
    expect(list.data.items.map((u) => u.email)).toEqual(['grace@example.com']);
  });

  it('disables a user after a confirmation (badge, login refused), enables them again, and mails a reset code', async () => {
    const login = () =>
      fetch(`${stack.publicUrl}/api/userAuth/login`, {
        method: 'POST',
        headers: { 'x-api-key': publishableKey, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'grace@example.com', password: 'another-pass' }),
      });
    const row = page.getByRole('row', { name: /grace@example.com/ });
    await page.getByRole('button', { name: 'Disable grace@example.com' }).click();
    await page.getByRole('dialog', { name: 'Disable this user?' }).getByRole('button', { name: 'Disable user' }).click();
    await expectToast('grace@example.com disabled and signed out');
    await row.getByText('Disabled', { exact: true }).waitFor();
    await shot('user-disabled');
    const refused = await login();
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toBe('This account is disabled.');

    await page.getByRole('button', { name: 'Enable grace@example.com' }).click();
    await page.getByRole('dialog', { name: 'Enable this user?' }).getByRole('button', { name: 'Enable user' }).click();
    await expectToast('grace@example.com enabled');
    await row.getByText('Disabled', { exact: true }).waitFor({ state: 'detached' });
    expect((await login()).status).toBe(200);

    const since = stack.mail.messages.length;
    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit grace@example.com' });
    await edit.getByRole('button', { name: 'Send password reset' }).click();
    await expectToast('A password-reset code was sent to grace@example.com.');
    expect(await stack.mail.otpFor('grace@example.com', { since, subject: /Reset your password/ })).toMatch(/^\d{6}$/);
    await edit.getByRole('button', { name: 'Close' }).click();
  });
});

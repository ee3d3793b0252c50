/**
 * Browser end-to-end test: a developer walks through the web dashboard in Debian's chromium,
 * against the real dashboard API and public API, with OTPs read from a real SMTP sink.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack.js';

const email = `dev-${Date.now()}@example.com`;
const password = 'correct-horse-battery';
const projectName = 'Bookshelf';

let stack: Stack;
let context: BrowserContext;
let page: Page;
const keys = { publishable: '', secret: '' };
let projectUrl = '';

async function publicGet(path: string, key: string, token?: string): Promise<Response> {
  return fetch(`${stack.publicUrl}${path}`, {
    headers: { 'x-api-key': key, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
}

/** With `DASHBOARD_SHOTS=<dir>`, a screenshot of the current state (to look at, not asserted). */
async function shot(name: string): Promise<void> {
  const dir = process.env.DASHBOARD_SHOTS;
  if (dir) await page.screenshot({ path: `${dir}/${name}.png`, fullPage: false });
}

async function expectToast(text: string | RegExp): Promise<void> {
  await page.locator('.toast', { hasText: text }).first().waitFor({ timeout: 10_000 });
}

/** Small limits so the plan and upload checks show without filling anything (issue 17). */
const UPLOAD_LIMIT = 10 * 1024;

beforeAll(async () => {
  stack = await startStack('webe2e', {
    env: { PLAN_LIMITS: JSON.stringify({ free: { maxCollections: 2 } }), UPLOAD_LIMIT_BYTES: String(UPLOAD_LIMIT) },
  });
  context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.webUrl });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
}, 180_000);

afterAll(async () => {
  await context?.close();
  await stack?.close();
});

describe('web dashboard in a real browser', () => {
  it('registers, reads the OTP from the mail sink and lands on an empty project list', async () => {
    await page.goto(`${stack.webUrl}/`);
    await page.getByRole('link', { name: 'Get started' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Confirm password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Verify your email' }).waitFor();
    const otp = await stack.mail.otpFor(email, { timeoutMs: 15_000 });
    await page.getByLabel('Verification code').fill(otp);
    await page.getByRole('button', { name: 'Verify and continue' }).click();
    await page.getByRole('heading', { name: 'No projects yet' }).waitFor();
    expect(page.url()).toBe(`${stack.webUrl}/dashboard`);
  });

  it('keeps the session across a reload (refresh cookie) and shows validation errors from the server', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'No projects yet' }).waitFor();
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByRole('button', { name: 'Create project' }).click();
    await expect(page.getByText('Give the project a name.').isVisible()).resolves.toBe(true);
    // The server's validation message is shown on the field it belongs to.
    await page.getByLabel('Project name').fill(projectName);
    await page.getByLabel('Site URL (optional)').fill('http://example.com');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.locator('.field-error', { hasText: 'siteUrl must be an https URL' }).waitFor();
    await page.getByLabel('Site URL (optional)').fill('https://bookshelf.example.com');
  });

  it('creates a project and copies both keys, shown once', async () => {
    await page.getByLabel('Project name').fill(projectName);
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByText('They are shown only once').waitFor();
    keys.publishable = await page.getByRole('textbox', { name: 'Publishable key' }).inputValue();
    keys.secret = await page.getByRole('textbox', { name: 'Secret key' }).inputValue();
    expect(keys.publishable).toMatch(/^pk_live_/);
    expect(keys.secret).toMatch(/^sk_live_/);
    await page.getByRole('button', { name: 'Copy secret key' }).click();
    await page.getByText('Copied!').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(keys.secret);
    await page.getByRole('button', { name: 'Copy publishable key' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(keys.publishable);
    const next = page.getByRole('button', { name: 'Continue to project' });
    expect(await next.isDisabled()).toBe(true);
    await page.getByLabel('I have stored both keys somewhere safe').check();
    await next.click();
    await page.getByRole('heading', { name: projectName, exact: true, level: 1 }).waitFor();
    projectUrl = page.url();
    expect((await publicGet('/api/data/posts', keys.secret)).status).toBe(404);
  });

  it('creates users and posts collections in the schema editor', async () => {
    await page.getByRole('link', { name: 'New collection' }).first().click();
    await page.getByLabel('Collection name').fill('users');
    await page.getByRole('button', { name: 'Add email, password and username' }).click();
    await page.getByRole('button', { name: 'Create collection' }).click();
    await expectToast('Collection “users” created');

    await page.goto(`${projectUrl}/collections/new`);
    await page.getByLabel('Collection name').fill('posts');
    const addField = page.getByRole('button', { name: '+ Add field' });
    for (let i = 0; i < 4; i++) await addField.click();
    const names = page.getByLabel('Field name');
    const types = page.getByLabel('Type');
    await names.nth(0).fill('title');
    await page.getByLabel('Required').nth(0).check();
    await names.nth(1).fill('userId');
    await names.nth(2).fill('tags');
    await types.nth(2).selectOption('Array');
    await names.nth(3).fill('author');
    await types.nth(3).selectOption('Ref');
    await page.getByLabel('Points to').selectOption('users');
    await page.getByRole('button', { name: 'Create collection' }).click();
    await expectToast('Collection “posts” created');
    await page.getByRole('heading', { name: 'posts' }).waitFor();

    const schema = await fetch(`${stack.publicUrl}/api/schemas/posts`, { headers: { 'x-api-key': keys.secret } });
    expect(schema.status).toBe(200);
    const body = (await schema.json()) as { collection: { model: { key: string; type: string; ref?: string }[] } };
    expect(body.collection.model.map((f) => f.key)).toEqual(['title', 'userId', 'tags', 'author']);
  });

  it('shows "New collection" disabled with the plan reason once the limit is reached, before any form', async () => {
    await page.goto(`${projectUrl}/collections`);
    const reason = page.locator('#collection-limit');
    await reason.getByText('Free plan: 2 of 2 collections used. Upgrade or delete a collection.').waitFor();
    const create = page.getByRole('button', { name: 'New collection' });
    expect(await create.isDisabled()).toBe(true);
    expect(await create.getAttribute('aria-describedby')).toBe('collection-limit');
    // No link to the schema editor is left to click on this page.
    expect(await page.getByRole('link', { name: 'New collection' }).count()).toBe(0);
    await shot('collection-limit');
  });

  it('enables end-user auth and private row-level security on posts', async () => {
    await page.goto(`${projectUrl}/settings`);
    await page.getByLabel('Enable end-user authentication').check();
    await expectToast('Authentication enabled');

    await page.goto(`${projectUrl}/collections/posts?tab=rules`);
    await page.getByLabel('Enable row-level security').check();
    await page.getByLabel(/Only owners can read and write/).check();
    await page.getByLabel('Owner field').selectOption('userId');
    await page.getByRole('button', { name: 'Save access rules' }).click();
    await expectToast('Access rules saved');
    await page.getByText('Row-level security is on').waitFor();

    // A publishable-key read without a signed-in user is now refused by the public API.
    expect((await publicGet('/api/data/posts', keys.publishable)).status).toBe(401);
  });

  it('inserts and edits a row with the schema-built form', async () => {
    await page.goto(`${projectUrl}/collections/posts`);
    await page.getByRole('heading', { name: 'No documents yet' }).waitFor();
    await page.getByRole('button', { name: 'Add document' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Add document' }).click();
    await dialog.getByText('This field is required.').waitFor();
    await dialog.getByLabel('title *').fill('Hello world');
    await dialog.getByLabel('userId').fill('user-1');
    // Arrays are edited as lists (issue 17): one input per item.
    await dialog.getByRole('button', { name: '+ Add tags item' }).click();
    await dialog.getByLabel('tags item 1').fill('news');
    await dialog.getByRole('button', { name: '+ Add tags item' }).click();
    await dialog.getByLabel('tags item 2').fill('intro');
    await dialog.getByRole('button', { name: 'Add document' }).click();
    await expectToast('Document added');
    await page.getByRole('cell', { name: 'Hello world' }).waitFor();

    await page
      .getByRole('button', { name: /^Edit / })
      .first()
      .click();
    await dialog.getByLabel('title *').fill('Hello again');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await expectToast('Document saved');
    await page.getByRole('cell', { name: 'Hello again' }).waitFor();

    const res = await publicGet('/api/data/posts', keys.secret);
    const body = (await res.json()) as { data: { items: { title: string; tags: string[]; userId: string }[] } };
    expect(body.data.items).toHaveLength(1);
    expect(body.data.items[0]).toMatchObject({ title: 'Hello again', tags: ['news', 'intro'], userId: 'user-1' });
  });

  it('uploads a file with progress and finds it, with a working URL, in the storage page', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    await page.goto(`${projectUrl}/storage`);
    await page.getByRole('heading', { name: 'No files yet' }).waitFor();
    await page.getByLabel('Files to upload').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png });
    await expectToast('Uploaded logo.png');
    const card = page.locator('.file-card', { hasText: 'logo.png' });
    await card.waitFor();
    await card.getByRole('button', { name: 'Copy URL' }).click();
    const url = await page.evaluate(() => navigator.clipboard.readText());
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);
    await page.reload();
    await page.locator('.file-card', { hasText: 'logo.png' }).waitFor();
  });

  it('refuses an oversize file in the browser, naming both sizes, without sending it', async () => {
    await page.goto(`${projectUrl}/storage`);
    await page.getByText('Up to 10 KB each.').waitFor();
    const sent: string[] = [];
    const onRequest = (r: { url(): string }) => {
      if (/\/storage\/upload/.test(r.url())) sent.push(r.url());
    };
    page.on('request', onRequest);
    const big = Buffer.alloc(12_700, 1); // 12.4 KB
    await page.getByLabel('Files to upload').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: big });
    await page
      .locator('.upload-row')
      .getByRole('alert')
      .filter({ hasText: "photo.jpg is 12.4 KB; this project's limit is 10 KB per file." })
      .waitFor();
    page.off('request', onRequest);
    await shot('upload-oversize');
    expect(sent).toEqual([]);
    expect(await page.locator('.file-card', { hasText: 'photo.jpg' }).count()).toBe(0);
    // The server refuses it too, with the same sizes (a client that skips the check).
    const direct = await fetch(`${stack.publicUrl}/api/storage/upload-request`, {
      method: 'POST',
      headers: { 'x-api-key': keys.secret, 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'photo.jpg', contentType: 'image/jpeg', size: big.length }),
    });
    expect(direct.status).toBe(413);
    expect(await direct.json()).toEqual({
      success: false,
      code: 413,
      error: 'File size exceeds limit. photo.jpg is 12.4 KB; the limit is 10 KB per file.',
    });
  });

  it('shows the public API traffic in analytics and request logs', async () => {
    for (let i = 0; i < 3; i++) expect((await publicGet('/api/data/posts?limit=5', keys.secret)).status).toBe(200);
    const missingRes = await publicGet('/api/data/missing', keys.secret);
    expect(missingRes.status).toBe(404);
    const missingError = ((await missingRes.json()) as { error: string }).error;
    // Request logs are written in the background: reload until the four requests are counted.
    const requests = page.locator('.stat', { hasText: 'Requests' }).locator('.stat-value');
    let counted = 0;
    for (let attempt = 0; attempt < 20 && counted < 4; attempt++) {
      await page.goto(`${projectUrl}/analytics`);
      await requests.waitFor();
      counted = Number((await requests.innerText()).replace(/\D/g, ''));
      if (counted < 4) await page.waitForTimeout(500);
    }
    expect(counted).toBeGreaterThanOrEqual(4);
    await page.getByRole('heading', { name: 'Requests over time' }).waitFor();
    await page
      .getByRole('cell', { name: /^GET \/api\/data\// })
      .first()
      .waitFor();

    const missing = page.getByRole('cell', { name: '/api/data/missing' }).first();
    for (let attempt = 0; attempt < 20; attempt++) {
      await page.goto(`${projectUrl}/logs`);
      await page.getByRole('heading', { name: 'Request logs' }).waitFor();
      await page.locator('.table, .state-empty').first().waitFor();
      if (await missing.isVisible()) break;
      await page.waitForTimeout(500);
    }
    await missing.waitFor();
    await page.getByLabel('Status').selectOption('4xx');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction(() => {
      const codes = [...document.querySelectorAll('.table .badge')].map((b) => b.textContent ?? '');
      return codes.length > 0 && codes.every((c) => c.startsWith('4'));
    });
    await page.getByRole('cell', { name: '/api/data/missing' }).first().waitFor();

    // A row opens the detail drawer with every recorded field of that request.
    await page.getByRole('cell', { name: '/api/data/missing' }).first().click();
    const drawer = page.getByRole('dialog', { name: 'GET /api/data/missing' });
    await drawer.waitFor();
    await shot('log-drawer');
    const details = drawer.getByRole('definition');
    const detailText = (await details.allInnerTexts()).join('\n');
    expect(detailText).toContain('404');
    expect(detailText).toContain('/api/data/missing');
    expect(detailText).toContain('/api/data/:collectionName');
    expect(detailText).toContain('secret');
    expect(detailText).toContain(missingError);
    expect(detailText).toContain('127.0.0.1');
    expect(detailText).not.toContain('::ffff:');
    await drawer.getByRole('button', { name: 'Close details' }).click();
    await drawer.waitFor({ state: 'detached' });

    // The time range is applied by the server: a custom window in the future holds nothing.
    await page.getByLabel('Time').selectOption('custom');
    const tomorrow = new Date(Date.now() + 86_400_000);
    const local = (d: Date) =>
      `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}T12:00`;
    await page.getByLabel('From').fill(local(tomorrow));
    const logsAnswer = page.waitForResponse((r) => r.url().includes('/logs?') && r.url().includes('from='));
    await page.getByRole('button', { name: 'Apply' }).click();
    expect((await logsAnswer).status()).toBe(200);
    await page.getByRole('heading', { name: 'No requests match these filters' }).waitFor();
    await page.getByLabel('Time').selectOption('last1h');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('cell', { name: '/api/data/missing' }).first().waitFor();
  });

  it('renders only the visible rows of a 300-row page and reaches the last row by scrolling', async () => {
    for (let batch = 0; batch < 3; batch++) {
      const docs = Array.from({ length: batch < 2 ? 100 : 99 }, (_, i) => ({
        title: `Row ${batch * 100 + i + 1}`,
        userId: 'user-1',
      }));
      const res = await fetch(`${stack.publicUrl}/api/data/posts/bulk`, {
        method: 'POST',
        headers: { 'x-api-key': keys.secret, 'content-type': 'application/json' },
        body: JSON.stringify(docs),
      });
      expect(res.status).toBe(201);
    }
    await page.goto(`${projectUrl}/collections/posts`);
    await page.getByRole('table', { name: 'Documents in posts' }).waitFor();
    await page.getByLabel('Per page').selectOption('500');
    await page.getByText('Page 1 of 1 · 300 documents').waitFor();
    const rows = page.locator('.grid-table tbody tr.grid-row');
    await rows.first().waitFor();
    const rendered = await rows.count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(80);
    // Newest first: the first document ever added is the last of the 300, not in the DOM yet.
    const oldest = page.getByRole('cell', { name: 'Hello again' });
    expect(await oldest.count()).toBe(0);
    // Scroll to the end the way End does, again while rows measured on the way change the height.
    await page.waitForFunction(() => {
      const box = document.querySelector('.grid-scroll');
      if (!box) return false;
      box.scrollTop = box.scrollHeight;
      return document.querySelector('tr.grid-row[aria-rowindex="301"]') !== null;
    });
    await oldest.waitFor();
    await shot('grid-300-end');
    expect(await page.locator('tr.grid-row[aria-rowindex="301"]').count()).toBe(1);
    expect(await rows.count()).toBeLessThan(80);
    // The sticky row actions are still there on the last row.
    await page
      .locator('tr.grid-row', { hasText: 'Hello again' })
      .getByRole('button', { name: /^Edit / })
      .waitFor();
  });

  it('says before any form that the plan does not include webhooks (issue 17)', async () => {
    await page.goto(`${projectUrl}/webhooks`);
    await page.getByRole('heading', { name: 'No webhooks' }).waitFor();
    await page.getByText('Webhooks are not included in the free plan.').waitFor();
    expect(await page.getByRole('button', { name: 'New webhook' }).isDisabled()).toBe(true);
  });

  it('rotates the secret key: the old key stops working, the new one works', async () => {
    await page.goto(`${projectUrl}/keys`);
    await page.getByRole('button', { name: 'Rotate secret key' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate key' }).click();
    const fresh = await page.getByRole('textbox', { name: 'New secret key' }).inputValue();
    expect(fresh).toMatch(/^sk_live_/);
    expect(fresh).not.toBe(keys.secret);
    expect((await publicGet('/api/data/posts', keys.secret)).status).toBe(401);
    expect((await publicGet('/api/data/posts', fresh)).status).toBe(200);
    keys.secret = fresh;
  });

  it('deletes the project after typing its name', async () => {
    await page.goto(`${projectUrl}/settings`);
    await page.getByRole('button', { name: 'Delete project' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Delete project' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(/Type .* to confirm/).fill(projectName);
    await confirm.click();
    await page.getByRole('heading', { name: 'No projects yet' }).waitFor();
    expect((await publicGet('/api/data/posts', keys.secret)).status).toBe(401);
  });

  it('changes the password, logs out and logs back in with the new one', async () => {
    const next = 'an-even-better-passphrase';
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.getByLabel('Current password').fill(password);
    await page.getByLabel('New password').fill(next);
    await page.getByRole('button', { name: 'Update password' }).click();
    await expectToast(/Password changed/);
    const otherTab = await context.newPage();
    await otherTab.goto(`${stack.webUrl}/dashboard`);
    await otherTab.getByRole('heading', { name: 'No projects yet' }).waitFor();
    await page.getByRole('banner').getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    // Logging out in one tab logs out the other tabs too.
    await otherTab.getByRole('heading', { name: 'Log in' }).waitFor();
    await otherTab.close();
    await page.goto(`${stack.webUrl}/dashboard`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Invalid email or password' }).waitFor();
    await page.getByLabel('Password').fill(next);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'No projects yet' }).waitFor();
  });
});

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

async function expectToast(text: string | RegExp): Promise<void> {
  await page.locator('.toast', { hasText: text }).first().waitFor({ timeout: 10_000 });
}

beforeAll(async () => {
  stack = await startStack('webe2e');
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

  it('shows the public API traffic in analytics and request logs', async () => {
    for (let i = 0; i < 3; i++) expect((await publicGet('/api/data/posts?limit=5', keys.secret)).status).toBe(200);
    expect((await publicGet('/api/data/missing', keys.secret)).status).toBe(404);
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

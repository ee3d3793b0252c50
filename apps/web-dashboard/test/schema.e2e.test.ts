/**
 * Browser test of schema as code and the API reference: a developer imports a schema document,
 * reviews the dry-run plan, applies it, downloads the types, and reads the project's API
 * reference (Scalar, bundled: no request leaves this machine).
 */
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, logInInBrowser, startStack } from './stack.js';

let stack: Stack;
let context: BrowserContext;
let page: Page;
let projectId = '';
const email = `schema-${Date.now()}@example.com`;
const password = 'correct-horse-battery';
/** Hosts the browser talked to (everything must be this machine). */
const hosts = new Set<string>();

async function dashboardCall(path: string, token: string, method = 'GET', body?: unknown) {
  const res = await fetch(`${stack.dashboardUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

beforeAll(async () => {
  stack = await startStack('schemae2e');
  // An account with a project and a collection, made through the dashboard API.
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
  const { accessToken } = (await verified.json()) as { accessToken: string };
  projectId = (await dashboardCall('/api/projects', accessToken, 'POST', { name: 'Typed shop' }))._id;
  await dashboardCall(`/api/projects/${projectId}/collections`, accessToken, 'POST', {
    name: 'products',
    schema: [{ key: 'name', type: 'String', required: true }],
  });
  context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('request', (req) => hosts.add(new URL(req.url()).hostname));
  await logInInBrowser(page, stack.webUrl, email, password);
}, 300_000);

afterAll(async () => {
  await context?.close();
  await stack?.close();
});

describe('schema as code in the dashboard', () => {
  it('imports a schema document, shows the dry-run plan, applies it', async () => {
    await page.goto(`${stack.webUrl}/projects/${projectId}`);
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Schema as code' }).click();
    await page.getByRole('heading', { name: 'Schema as code' }).waitFor();
    await page.locator('pre.schema-json', { hasText: '"products"' }).waitFor();
    const doc = {
      collections: [
        {
          name: 'products',
          model: [
            { key: 'name', type: 'String', required: true },
            { key: 'price', type: 'Number', min: 0 },
          ],
        },
        { name: 'orders', model: [{ key: 'product', type: 'Ref', ref: 'products', required: true }] },
      ],
    };
    await page.getByLabel('Schema document (JSON)').fill(JSON.stringify(doc, null, 2));
    const apply = page.getByRole('button', { name: 'Apply' });
    expect(await apply.isDisabled()).toBe(true); // a dry run comes first
    await page.getByRole('button', { name: 'Dry run' }).click();
    const plan = page.getByTestId('schema-plan');
    await plan.waitFor();
    await page.getByRole('heading', { name: 'Plan: 2 collection(s) would change' }).waitFor();
    expect(await plan.textContent()).toContain('orders');
    expect(await plan.textContent()).toContain('price added');
    await apply.click();
    await page.locator('.toast', { hasText: 'Successfully synced 2 collection schema(s).' }).waitFor();
    await page.locator('pre.schema-json', { hasText: '"orders"' }).waitFor();
    await page.screenshot({ path: '/tmp/ub-schema-page.png', fullPage: true }).catch(() => undefined);
  });

  it('downloads the generated types', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Types' }).click()]);
    expect(download.suggestedFilename()).toBe('urbackend.d.ts');
    const text = await readFile((await download.path()) as string, 'utf8');
    expect(text).toContain('export interface UrBackendTypes {');
    expect(text).toContain('price?: number | null;');
  });

  it('renders the API reference of the project with its public API URL, from this machine only', async () => {
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'API reference' }).click();
    await page.getByRole('heading', { name: 'API reference' }).waitFor();
    // Scalar renders the operations of the project's collections.
    await page.getByText('List products').first().waitFor({ timeout: 60_000 });
    await page.getByText(stack.publicUrl).first().waitFor();
    await page.screenshot({ path: '/tmp/ub-api-reference.png' }).catch(() => undefined);
    await page.getByRole('tablist', { name: 'Key kind' }).getByRole('tab', { name: 'Secret key' }).click();
    // The secret-key document: its own description, and the secret-only `mail` and `storage` sections.
    await page
      .getByText(/server-side only: bypasses RLS/)
      .first()
      .waitFor({ timeout: 60_000 });
    await page.getByText('mail', { exact: true }).first().waitFor();
    await page.getByText('storage', { exact: true }).first().waitFor();
    expect([...hosts].filter((h) => h !== '127.0.0.1' && h !== 'localhost')).toEqual([]);
  }, 150_000);
});

/**
 * Browser test of live data: a row inserted through the public API appears in the data browser
 * without a reload; paused, the browser stops updating (and says how many changes wait); the
 * Realtime view counts a public-API subscriber and tails the events.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, logInInBrowser, startStack } from './stack.js';

let stack: Stack;
let context: BrowserContext;
let page: Page;
let projectId = '';
let secretKey = '';
const email = `live-${Date.now()}@example.com`;
const password = 'correct-horse-battery';

async function dashboardCall(path: string, token: string, method = 'GET', body?: unknown) {
  const res = await fetch(`${stack.dashboardUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function insertPost(title: string): Promise<string> {
  const res = await fetch(`${stack.publicUrl}/api/data/posts`, {
    method: 'POST',
    headers: { 'x-api-key': secretKey, 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { _id: string })._id;
}

beforeAll(async () => {
  stack = await startStack('livee2e');
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
  const project = await dashboardCall('/api/projects', accessToken, 'POST', { name: 'Live blog' });
  projectId = project._id;
  secretKey = project.secretKey;
  await dashboardCall(`/api/projects/${projectId}/collections`, accessToken, 'POST', {
    name: 'posts',
    schema: [{ key: 'title', type: 'String', required: true }],
  });
  context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await logInInBrowser(page, stack.webUrl, email, password);
}, 300_000);

afterAll(async () => {
  await context?.close();
  await stack?.close();
});

describe('live data in the dashboard', () => {
  it('shows a row inserted through the public API without a reload, and stops while paused', async () => {
    await page.goto(`${stack.webUrl}/projects/${projectId}/collections/posts`);
    await page.getByText('No documents yet').waitFor();
    await page.locator('.live-controls .badge', { hasText: 'Live' }).waitFor();
    const loads: string[] = [];
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) loads.push(f.url());
    });

    const first = await insertPost('Hello from the API');
    await page.getByRole('cell', { name: 'Hello from the API' }).waitFor({ timeout: 5000 });
    await page.getByRole('cell', { name: first, exact: true }).waitFor();

    await page.getByRole('button', { name: 'Pause live updates' }).click();
    await page.locator('.live-controls .badge', { hasText: 'Paused' }).waitFor();
    await insertPost('Written while paused');
    // The change arrives (it is counted) but the table does not move.
    await page.getByText('1 change while paused').waitFor({ timeout: 5000 });
    expect(await page.getByRole('cell', { name: 'Written while paused' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Resume live updates' }).click();
    await page.getByRole('cell', { name: 'Written while paused' }).waitFor({ timeout: 5000 });
    expect(loads).toEqual([]);
  });

  it('the Realtime view counts public-API connections and tails the events', async () => {
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Realtime' }).click();
    await page.getByRole('heading', { name: 'Realtime', level: 1 }).waitFor();
    const controller = new AbortController();
    const sse = await fetch(`${stack.publicUrl}/api/realtime/posts`, {
      headers: { 'x-api-key': secretKey },
      signal: controller.signal,
    });
    expect(sse.status).toBe(200);
    try {
      await page.getByTestId('realtime-connections').locator('strong', { hasText: /^1$/ }).waitFor({ timeout: 10_000 });
      await page.locator('.live-controls .badge', { hasText: 'Live' }).waitFor();
      const id = await insertPost('Tailed');
      const row = page.getByRole('table', { name: 'Live events' }).getByRole('row', { name: new RegExp(id) });
      await row.waitFor({ timeout: 5000 });
      expect(await row.textContent()).toContain('insert');
    } finally {
      controller.abort();
    }
  });
});

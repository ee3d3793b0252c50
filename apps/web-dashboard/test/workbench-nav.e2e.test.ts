/**
 * Browser end-to-end test of the dashboard as a workbench (issue 17, navigation side): the
 * "keys shown once" dialog cannot be dismissed before its check, plan limits are in sight and a
 * plan-forbidden action is disabled with its reason before any form, the phone layout reaches
 * every project section, the 404 page and the message after logout.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack.js';

const stamp = Date.now();
const email = `wb-${stamp}@example.com`;
const password = 'correct-horse-battery';
const projectName = 'Workbench';

let stack: Stack;
let context: BrowserContext;
let page: Page;
let projectUrl = '';

async function registerDeveloper(): Promise<void> {
  const reg = await fetch(`${stack.dashboardUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(reg.status).toBe(201);
  const otp = await stack.mail.otpFor(email, { timeoutMs: 15_000 });
  const res = await fetch(`${stack.dashboardUrl}/api/auth/verify-otp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, otp }),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  stack = await startStack('wbnave2e');
  await registerDeveloper();
  context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${stack.webUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
}, 240_000);

afterAll(async () => {
  await context?.close();
  await stack?.close();
});

describe('the dashboard as a workbench', () => {
  it('keeps the "keys shown once" dialog open until both keys are confirmed stored', async () => {
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByLabel('Project name').fill(projectName);
    await page.getByRole('button', { name: 'Create project' }).click();
    const dialog = page.getByRole('dialog', { name: `“${projectName}” is ready` });
    await dialog.waitFor();
    // Escape (twice: Chromium force-closes on a repeated Escape) and a backdrop click leave it open.
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.mouse.click(5, 5);
    expect(await dialog.isVisible()).toBe(true);
    expect(await dialog.getByRole('button', { name: 'Close' }).count()).toBe(0);
    expect(await dialog.getByRole('textbox', { name: 'Secret key' }).inputValue()).toMatch(/^sk_live_/);
    const next = dialog.getByRole('button', { name: 'Continue to project' });
    expect(await next.isDisabled()).toBe(true);
    await dialog.getByLabel('I have stored both keys somewhere safe').check();
    await next.click();
    await page.getByRole('heading', { name: projectName, exact: true, level: 1 }).waitFor();
    projectUrl = page.url();
  });

  it('shows the plan limits with usage, and disables plan-forbidden actions with the reason', async () => {
    // Project overview: every limit next to the current usage.
    const plan = page.locator('.plan-card', { hasText: 'Plan and usage' });
    await plan.waitFor();
    for (const label of ['Collections', 'Storage', 'Database', 'Requests today', 'Mail this month', 'Webhooks', 'Members']) {
      expect(await plan.getByText(label, { exact: false }).first().isVisible()).toBe(true);
    }
    expect(await plan.locator('.usage', { hasText: 'Collections' }).innerText()).toContain('0 / 5');
    expect(await plan.locator('.usage', { hasText: 'Webhooks' }).innerText()).toContain('not in this plan');

    // Webhooks on free: "New webhook" is disabled with the reason, no form to fill first.
    await page.goto(`${projectUrl}/webhooks`);
    const newHook = page.getByRole('button', { name: 'New webhook' });
    await newHook.waitFor();
    await page.getByText('Webhooks are not included in the free plan.').waitFor();
    expect(await newHook.isDisabled()).toBe(true);
    expect(await page.getByRole('dialog').count()).toBe(0);

    // Mail templates and your own storage likewise.
    await page.goto(`${projectUrl}/mail`);
    await page.getByText('Custom mail templates are not included in the free plan.').waitFor();
    expect(await page.getByRole('button', { name: 'New template' }).isDisabled()).toBe(true);
    await page.goto(`${projectUrl}/byod`);
    await page.getByText('Your own file storage (S3, Supabase) is not included in the free plan.').waitFor();
    expect(await page.getByRole('button', { name: 'Save storage' }).isDisabled()).toBe(true);

    // The account home: one project on free, so a second one is refused up front.
    await page.goto(`${stack.webUrl}/dashboard`);
    await page.getByText('Your plan allows 1 project and you own 1').waitFor();
    expect(await page.getByRole('button', { name: 'New project' }).isDisabled()).toBe(true);
    const account = page.locator('.plan-card', { hasText: 'Your plan' });
    expect(await account.locator('.usage', { hasText: 'Projects you own' }).innerText()).toContain('1 / 1');
  });

  it('on a phone, keeps the project name in sight and reaches every section in two taps', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(projectUrl);
    await page.getByRole('heading', { name: projectName, level: 1 }).waitFor();
    expect(await page.locator('.sidebar-title', { hasText: projectName }).isVisible()).toBe(true);
    const menu = page.getByRole('button', { name: /all project sections/ });
    // Hidden behind the menu button until it is tapped.
    const sections = page.locator('#project-sections a');
    expect(await sections.first().isVisible()).toBe(false);
    const links = await sections.evaluateAll((as) => as.map((a) => [a.textContent ?? '', a.getAttribute('href') ?? '']));
    expect(links.length).toBeGreaterThanOrEqual(17);
    try {
      for (const [label, href] of links.slice(1)) {
        await menu.click(); // tap 1
        await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: label, exact: true }).click(); // tap 2
        await page.waitForURL((url) => url.pathname === href);
        await page.locator('.project-content h1').first().waitFor();
        // The menu closes after the jump and the page does not scroll sideways.
        await sections.first().waitFor({ state: 'hidden' });
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `${label} scrolls sideways`).toBeLessThanOrEqual(
          390,
        );
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('shows a 404 page with a heading and the navigation bar', async () => {
    await page.goto(`${stack.webUrl}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found', level: 1 }).waitFor();
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Projects' }).waitFor();
    await page.getByRole('link', { name: 'Go to your projects' }).click();
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
  });

  it('says so after logout, and a logged-out page load asks for no refresh token', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out.').waitFor();
    const refreshCalls: string[] = [];
    const consoleErrors: string[] = [];
    page.on('request', (req) => {
      if (req.url().includes('/refresh-token')) refreshCalls.push(req.url());
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    await page.reload();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    // The message is shown once, not on every later visit.
    expect(await page.getByText('You are logged out.').count()).toBe(0);
    await page.goto(`${stack.webUrl}/dashboard`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(refreshCalls).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

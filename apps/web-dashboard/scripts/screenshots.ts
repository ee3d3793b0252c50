/**
 * Screenshots of every main page at 1280 px (and a few at phone width) into `screenshots/`
 * (git-ignored). Starts embedded MongoDB/Redis (scripts/services), the real APIs, a mail sink and
 * the built dashboard, seeds a demo project through the APIs, then walks the pages in chromium.
 * Run: `pnpm build && pnpm --filter @urbackend/web-dashboard screenshots`.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { ensureMongo } from '../../../scripts/services/mongo.js';
import { ensureRedis } from '../../../scripts/services/redis.js';
import { type Stack, startStack } from '../test/stack.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, '..', 'screenshots');
const log = (line: string) => process.stderr.write(`[screenshots] ${line}\n`);
const email = 'ada@example.com';
const password = 'screenshots-password';

async function api<T>(stack: Stack, method: string, url: string, token: string | null, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.dashboardUrl}${url}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${json.error ?? ''}`);
  return json;
}

async function tryStep(name: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    log(`seed step "${name}" skipped: ${(err as Error).message}`);
  }
}

/** A developer with one project, two collections, a few rows and some public-API traffic. */
async function seed(stack: Stack): Promise<{ projectId: string }> {
  await api(stack, 'POST', '/api/auth/register', null, { email, password });
  const otp = await stack.mail.otpFor(email, { timeoutMs: 15_000 });
  const { accessToken: token } = await api<{ accessToken: string }>(stack, 'POST', '/api/auth/verify-otp', null, { email, otp });
  const project = await api<{ _id: string; secretKey: string }>(stack, 'POST', '/api/projects', token, {
    name: 'Bookshelf',
    description: 'Reading list app: books, reviews and readers.',
    siteUrl: 'https://bookshelf.example.com',
  });
  const pid = project._id;
  const users = [
    { key: 'email', type: 'String', required: true, unique: true },
    { key: 'password', type: 'String', required: true },
    { key: 'username', type: 'String' },
  ];
  const books = [
    { key: 'title', type: 'String', required: true },
    { key: 'author', type: 'String' },
    { key: 'pages', type: 'Number', min: 1 },
    { key: 'published', type: 'Date' },
    { key: 'tags', type: 'Array', items: { type: 'String' } },
    { key: 'userId', type: 'String' },
    {
      key: 'meta',
      type: 'Object',
      fields: [
        { key: 'isbn', type: 'String' },
        { key: 'language', type: 'String' },
      ],
    },
  ];
  await api(stack, 'POST', `/api/projects/${pid}/collections`, token, { collectionName: 'users', schema: users });
  await api(stack, 'POST', `/api/projects/${pid}/collections`, token, { collectionName: 'books', schema: books });
  await tryStep('auth', () => api(stack, 'PATCH', `/api/projects/${pid}/auth/toggle`, token, { enable: true }));
  await tryStep('rls', () =>
    api(stack, 'PATCH', `/api/projects/${pid}/collections/books/rls`, token, {
      enabled: true,
      mode: 'public-read',
      ownerField: 'userId',
    }),
  );
  const titles = ['Dune', 'Neuromancer', 'The Left Hand of Darkness', 'Snow Crash', 'Hyperion', 'Foundation'];
  for (const [i, title] of titles.entries()) {
    await tryStep(`row ${title}`, () =>
      api(stack, 'POST', `/api/projects/${pid}/collections/books/data`, token, {
        title,
        author: ['Herbert', 'Gibson', 'Le Guin', 'Stephenson', 'Simmons', 'Asimov'][i],
        pages: 200 + i * 57,
        published: new Date(1965 + i * 5, 1, 1).toISOString(),
        tags: ['sci-fi', i % 2 ? 'classic' : 'award'],
        meta: { isbn: `978-0-00-00000${i}`, language: 'en' },
      }),
    );
  }
  for (let i = 0; i < 25; i++) {
    await fetch(`${stack.publicUrl}/api/data/books?limit=5`, { headers: { 'x-api-key': project.secretKey } }).catch(
      () => undefined,
    );
  }
  await fetch(`${stack.publicUrl}/api/data/nope`, { headers: { 'x-api-key': project.secretKey } }).catch(() => undefined);
  return { projectId: pid };
}

async function shot(page: Page, url: string, name: string, ready?: string): Promise<void> {
  await page.goto(url);
  await page.waitForLoadState('networkidle').catch(() => undefined);
  if (ready)
    await page
      .getByText(ready)
      .first()
      .waitFor({ timeout: 8000 })
      .catch(() => log(`${name}: "${ready}" not seen`));
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });
  log(`wrote ${name}.png`);
}

async function main(): Promise<void> {
  if (!existsSync(path.resolve(here, '../../../packages/common/dist')))
    throw new Error('Run `pnpm build` first (the APIs import @urbackend/common from dist).');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ub-shots-'));
  const mongo = await ensureMongo({ dataDir, log });
  const redis = await ensureRedis({ dataDir: path.join(dataDir, 'redis'), requireReal: false });
  process.env.URBACKEND_TEST_MONGODB_URI = mongo.uri;
  process.env.URBACKEND_TEST_REDIS_URL = redis.url ?? '';
  process.env.URBACKEND_TEST_REDIS_CLUSTER_NODES = '';
  const stack = await startStack('shots');
  try {
    await mkdir(outDir, { recursive: true });
    const { projectId } = await seed(stack);
    const web = stack.webUrl;
    const page = await stack.browser.newPage({ viewport: { width: 1280, height: 860 } });
    await shot(page, `${web}/`, '01-landing');
    await shot(page, `${web}/register`, '02-register');
    await shot(page, `${web}/verify?email=${email}&sent=1`, '03-verify');
    await shot(page, `${web}/login`, '04-login');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${web}/dashboard`);
    await shot(page, `${web}/dashboard`, '05-dashboard', 'Bookshelf');
    const p = `${web}/projects/${projectId}`;
    const pages: [string, string, string?][] = [
      ['', '06-project-overview', 'Quick start'],
      ['/collections', '07-collections', 'books'],
      ['/collections/new', '08-schema-new'],
      ['/collections/books', '09-data-browser', 'Dune'],
      ['/collections/books?tab=rules', '10-rls', 'Access rules'],
      ['/collections/books/schema', '11-schema-edit', 'Edit schema'],
      ['/users', '12-users'],
      ['/storage', '13-storage'],
      ['/analytics', '14-analytics'],
      ['/logs', '15-logs'],
      ['/webhooks', '16-webhooks'],
      ['/mail', '17-mail'],
      ['/keys', '18-keys', 'Rotate'],
      ['/settings', '19-settings', 'Danger zone'],
      ['/byod', '20-byod'],
    ];
    for (const [suffix, name, ready] of pages) await shot(page, `${p}${suffix}`, name, ready);
    await shot(page, `${web}/profile`, '21-profile', 'Change password');
    await page.goto(`${web}/dashboard`);
    await page.getByRole('button', { name: 'New project' }).click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(outDir, '22-create-project.png') });
    await page.goto(`${p}/collections/books`);
    await page
      .getByRole('button', { name: /^Edit / })
      .first()
      .click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(outDir, '23-record-form.png') });
    await page.goto(`${p}/collections/books/schema`);
    await page.getByRole('button', { name: 'More options' }).nth(2).click();
    await page.screenshot({ path: path.join(outDir, '24-schema-constraints.png'), fullPage: true });
    const phone = await stack.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.goto(`${web}/login`);
    await phone.getByLabel('Email').fill(email);
    await phone.getByLabel('Password').fill(password);
    await phone.getByRole('button', { name: 'Log in' }).click();
    await phone.waitForURL(`${web}/dashboard`);
    await shot(phone, `${web}/dashboard`, 'phone-dashboard', 'Bookshelf');
    await shot(phone, `${p}/collections/books`, 'phone-data-browser', 'Dune');
    await shot(phone, `${p}/settings`, 'phone-settings', 'Danger zone');
    log(`done: ${outDir}`);
  } finally {
    await stack.close();
    await Promise.allSettled([mongo.stop(), redis.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  log(err.stack ?? err.message);
  process.exit(1);
});

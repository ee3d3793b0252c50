/**
 * Screenshots of every main page at 1280 px (`desk-*`) and 390 px (`phone-*`), in the light and
 * the dark theme (`*-dark-*`: the browser's colour scheme is dark and the theme is on System),
 * into `screenshots/` (git-ignored). Starts embedded MongoDB/Redis (scripts/services), the real APIs, a mail sink and
 * the built dashboard, seeds a demo project through the APIs, then walks the pages in chromium.
 * Run: `pnpm build && pnpm --filter @urbackend/web-dashboard screenshots`.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
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

interface Session {
  prefix: string;
  viewport: { width: number; height: number };
  isMobile: boolean;
  colorScheme: 'light' | 'dark';
}

const SESSIONS: Session[] = [
  { prefix: 'desk', viewport: { width: 1280, height: 860 }, isMobile: false, colorScheme: 'light' },
  { prefix: 'desk-dark', viewport: { width: 1280, height: 860 }, isMobile: false, colorScheme: 'dark' },
  { prefix: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, colorScheme: 'light' },
  { prefix: 'phone-dark', viewport: { width: 390, height: 844 }, isMobile: true, colorScheme: 'dark' },
];

/** Pages before logging in. */
const PUBLIC: [string, string, string?][] = [
  ['/', '01-landing'],
  ['/register', '02-register'],
  [`/verify?email=${email}&sent=1`, '03-verify'],
  ['/login', '04-login'],
];

/** Every project section, under the demo project. */
const PROJECT_PAGES: [string, string, string?][] = [
  ['', 'project-overview', 'Plan and usage'],
  ['/collections', 'collections', 'books'],
  ['/collections/new', 'schema-new'],
  ['/collections/books', 'data-browser', 'Dune'],
  ['/collections/books?tab=rules', 'rls', 'Access rules'],
  ['/collections/books/schema', 'schema-edit', 'Edit schema'],
  ['/schema', 'schema-as-code'],
  ['/api-reference', 'api-reference'],
  ['/users', 'users'],
  ['/storage', 'storage'],
  ['/analytics', 'analytics', 'Requests over time'],
  ['/logs', 'logs'],
  ['/webhooks', 'webhooks'],
  ['/realtime', 'realtime'],
  ['/mail', 'mail'],
  ['/keys', 'keys', 'Rotate'],
  ['/byod', 'byod'],
  ['/settings', 'settings', 'Danger zone'],
  ['/members', 'members'],
  ['/config-log', 'config-log'],
  ['/backups', 'backups'],
];

/** Account pages. */
const ACCOUNT_PAGES: [string, string, string?][] = [
  ['/dashboard', 'dashboard', 'Your plan'],
  ['/profile', 'profile', 'Change password'],
  ['/tokens', 'tokens'],
  ['/invitations', 'invitations'],
  ['/no/such/page', '404', 'Page not found'],
];

/** One viewport and colour scheme: public pages, log in, every page, a few open states, log out. */
async function walkSession(browser: Browser, session: Session, web: string, p: string): Promise<void> {
  const { prefix } = session;
  const page = await browser.newPage({
    viewport: session.viewport,
    isMobile: session.isMobile,
    colorScheme: session.colorScheme,
  });
  const file = (name: string) => path.join(outDir, `${prefix}-${name}.png`);
  try {
    for (const [suffix, name, ready] of PUBLIC) await shot(page, `${web}${suffix}`, `${prefix}-${name}`, ready);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${web}/dashboard`);
    for (const [suffix, name, ready] of ACCOUNT_PAGES) await shot(page, `${web}${suffix}`, `${prefix}-${name}`, ready);
    for (const [i, [suffix, name, ready]] of PROJECT_PAGES.entries()) {
      await shot(page, `${p}${suffix}`, `${prefix}-${String(i + 6).padStart(2, '0')}-${name}`, ready);
    }
    // The command palette, open on a project page with a query typed.
    await page.goto(`${p}/collections`);
    await page.getByRole('heading', { name: 'Collections', level: 1 }).waitFor();
    await page.keyboard.press('Control+k');
    await page.getByRole('dialog', { name: 'Command palette' }).waitFor();
    await page.keyboard.type('bo');
    await page.getByRole('option', { name: /books/ }).waitFor();
    await page.screenshot({ path: file('palette') });
    await page.keyboard.press('Escape');
    if (session.isMobile) {
      // The phone menu, open: every project section in one tap.
      await page.goto(p);
      await page.getByRole('button', { name: /all project sections/ }).click();
      await page.screenshot({ path: file('menu-open') });
    } else {
      await page.goto(`${p}/collections/books`);
      await page
        .getByRole('button', { name: /^Edit / })
        .first()
        .click()
        .catch(() => log('no Edit button in the data browser'));
      await page.waitForTimeout(300);
      await page.screenshot({ path: file('record-form') });
    }
    // Logging out says so.
    await page.goto(`${web}/dashboard`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out.').waitFor();
    await page.screenshot({ path: file('logged-out') });
  } finally {
    await page.close();
  }
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
  // Four sessions reload every page (a refresh-token call each): more than the default per-IP limits.
  const stack = await startStack('shots', {
    env: { RATE_LIMIT_AUTH_IP_PER_15MIN: '2000', RATE_LIMIT_DASHBOARD_IP_PER_15MIN: '20000' },
  });
  try {
    await mkdir(outDir, { recursive: true });
    const { projectId } = await seed(stack);
    const web = stack.webUrl;
    const p = `${web}/projects/${projectId}`;
    for (const session of SESSIONS) await walkSession(stack.browser, session, web, p);
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

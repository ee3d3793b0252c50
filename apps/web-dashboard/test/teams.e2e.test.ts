/**
 * Browser end-to-end test of teams (issue 13): the owner invites a second developer as viewer,
 * the invitee accepts from the invitations badge, sees every write control disabled (and the API
 * refuses their writes), is promoted to admin and then edits. Also covers access tokens, the
 * config log and the platform admin area. One stack, two browser contexts, one login each.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, logInInBrowser, startStack } from './stack.js';

const stamp = Date.now();
const password = 'correct-horse-battery';
const owner = { email: `owner-${stamp}@example.com`, token: '' };
const member = { email: `member-${stamp}@example.com`, token: '' };
const projectName = 'Team Bookshelf';

let stack: Stack;
let ownerCtx: BrowserContext;
let memberCtx: BrowserContext;
let ownerPage: Page;
let memberPage: Page;
let projectId = '';
let secretKey = '';

/** A call to the dashboard API as a developer (`token`: a session access token or a PAT). */
async function dash(method: string, path: string, token: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.dashboardUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The documents of `posts`, read with the secret key through the public API. */
async function posts(): Promise<{ title: string }[]> {
  const res = await fetch(`${stack.publicUrl}/api/data/posts`, { headers: { 'x-api-key': secretKey } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { items: { title: string }[] } }).data.items;
}

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** Registers and verifies a developer through the API (OTP from the mail sink); returns an access token. */
async function registerDeveloper(email: string): Promise<string> {
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
  return (await json<{ accessToken: string }>(res)).accessToken;
}

async function loginToken(email: string): Promise<string> {
  const res = await fetch(`${stack.dashboardUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status).toBe(200);
  return (await json<{ accessToken: string }>(res)).accessToken;
}

async function openLoggedIn(email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.webUrl });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await logInInBrowser(page, stack.webUrl, email, password);
  return { context, page };
}

async function expectToast(page: Page, text: string | RegExp): Promise<void> {
  await page.locator('.toast', { hasText: text }).first().waitFor({ timeout: 10_000 });
}

beforeAll(async () => {
  // The owner is also the platform admin (created at start-up from ADMIN_EMAIL/ADMIN_PASSWORD).
  stack = await startStack('teamse2e', { env: { ADMIN_EMAIL: owner.email, ADMIN_PASSWORD: password } });
  [owner.token, member.token] = await Promise.all([loginToken(owner.email), registerDeveloper(member.email)]);
  const created = await dash('POST', '/api/projects', owner.token, { name: projectName });
  expect(created.status).toBe(201);
  const project = await json<{ _id: string; secretKey: string }>(created);
  projectId = project._id;
  secretKey = project.secretKey;
  const schema = [{ key: 'title', type: 'String', required: true }];
  const collection = await dash('POST', `/api/projects/${projectId}/collections`, owner.token, {
    projectId,
    collectionName: 'posts',
    schema,
  });
  expect(collection.status).toBeLessThan(300);
  [{ context: ownerCtx, page: ownerPage }, { context: memberCtx, page: memberPage }] = await Promise.all([
    openLoggedIn(owner.email),
    openLoggedIn(member.email),
  ]);
}, 240_000);

afterAll(async () => {
  await ownerCtx?.close();
  await memberCtx?.close();
  await stack?.close();
});

describe('teams in a real browser', () => {
  it('the owner invites the second developer as a viewer; the invitation is mailed', async () => {
    await ownerPage.goto(`${stack.webUrl}/projects/${projectId}/members`);
    await ownerPage.getByRole('heading', { name: 'Invite a developer' }).waitFor();
    await ownerPage.getByLabel('Email').fill(member.email);
    await ownerPage.getByLabel('Role', { exact: true }).selectOption('viewer');
    await ownerPage.getByRole('button', { name: 'Send invitation' }).click();
    await expectToast(ownerPage, `Invitation sent to ${member.email}`);
    await ownerPage.getByRole('button', { name: `Revoke the invitation for ${member.email}` }).waitFor();
    const mail = await stack.mail.waitFor({ to: member.email, body: /\/invitations/ }, { timeoutMs: 15_000 });
    expect(mail.subject).toMatch(new RegExp(projectName));
  });

  it('the invitee sees the badge, accepts, and lands in the project as a viewer', async () => {
    await memberPage.goto(`${stack.webUrl}/dashboard`);
    await memberPage.getByRole('link', { name: 'Invitations (1 pending)' }).click();
    await memberPage.getByRole('heading', { name: projectName }).waitFor();
    await memberPage.getByRole('button', { name: `Accept the invitation to ${projectName}` }).click();
    await expectToast(memberPage, /Invitation accepted/);
    await memberPage.getByRole('heading', { name: projectName, level: 1 }).waitFor();
    await memberPage.getByText('You are a viewer.').waitFor();
    await memberPage.getByRole('link', { name: 'Invitations', exact: true }).waitFor();
    await memberPage.goto(`${stack.webUrl}/dashboard`);
    await memberPage.locator('.project-card', { hasText: projectName }).getByText('viewer', { exact: true }).waitFor();
  });

  it('a viewer sees every write control disabled, and the API refuses their writes and changes nothing', async () => {
    const base = `${stack.webUrl}/projects/${projectId}`;
    await memberPage.goto(`${base}/collections`);
    expect(await memberPage.getByRole('button', { name: 'New collection' }).isDisabled()).toBe(true);
    expect(await memberPage.getByRole('button', { name: 'Delete posts' }).isDisabled()).toBe(true);
    await memberPage.goto(`${base}/collections/posts`);
    await memberPage.getByRole('heading', { name: 'No documents yet' }).waitFor();
    const add = memberPage.getByRole('button', { name: 'Add document' });
    expect(await add.isDisabled()).toBe(true);
    expect(await add.getAttribute('title')).toBe("Viewers can't change this project");
    await memberPage.goto(`${base}/settings`);
    expect(await memberPage.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
    expect(await memberPage.getByLabel('Project name').isDisabled()).toBe(true);
    expect(await memberPage.getByRole('button', { name: 'Delete project' }).isDisabled()).toBe(true);
    await memberPage.goto(`${base}/keys`);
    expect(await memberPage.getByRole('button', { name: 'Rotate secret key' }).isDisabled()).toBe(true);
    await memberPage.goto(`${base}/members`);
    await memberPage.getByRole('button', { name: 'Leave project' }).waitFor();
    expect(await memberPage.getByRole('button', { name: 'Send invitation' }).count()).toBe(0);

    const insert = await dash('POST', `/api/projects/${projectId}/collections/posts/data`, member.token, { title: 'sneaky' });
    expect(insert.status).toBe(403);
    expect((await json<{ error: string }>(insert)).error).toMatch(/Viewers/);
    const rename = await dash('PATCH', `/api/projects/${projectId}`, member.token, { name: 'Hijacked' });
    expect(rename.status).toBe(403);
    expect(await posts()).toEqual([]);
    const after = await json<{ name: string }>(await dash('GET', `/api/projects/${projectId}`, owner.token));
    expect(after.name).toBe(projectName);
  });

  it('the owner promotes the viewer to admin, who then adds a document', async () => {
    await ownerPage.goto(`${stack.webUrl}/projects/${projectId}/members`);
    await ownerPage.getByLabel(`Role of ${member.email}`).selectOption('admin');
    await expectToast(ownerPage, 'Member role updated');

    await memberPage.goto(`${stack.webUrl}/projects/${projectId}/collections/posts`);
    await memberPage.getByRole('heading', { name: 'No documents yet' }).waitFor();
    expect(await memberPage.getByText('You are a viewer.').count()).toBe(0);
    await memberPage.getByRole('button', { name: 'Add document' }).click();
    const dialog = memberPage.getByRole('dialog');
    await dialog.getByLabel('title *').fill('Written by an admin');
    await dialog.getByRole('button', { name: 'Add document' }).click();
    await expectToast(memberPage, 'Document added');
    await memberPage.getByRole('cell', { name: 'Written by an admin' }).waitFor();
    expect((await posts()).map((p) => p.title)).toEqual(['Written by an admin']);
    // Keys stay owner-only for an admin.
    await memberPage.goto(`${stack.webUrl}/projects/${projectId}/keys`);
    expect(await memberPage.getByRole('button', { name: 'Rotate secret key' }).isDisabled()).toBe(true);
  });

  it('the config log lists the member changes with their before/after', async () => {
    await ownerPage.goto(`${stack.webUrl}/projects/${projectId}/config-log`);
    await ownerPage.getByLabel('Category').selectOption('member');
    const row = ownerPage.getByRole('row', { name: new RegExp(`Role of ${member.email} changed to admin`) });
    await row.getByRole('button', { name: 'Show changes' }).click();
    const diff = ownerPage.locator('.diff-row');
    await diff.getByRole('cell', { name: 'viewer', exact: true }).waitFor();
    await diff.getByRole('cell', { name: 'admin', exact: true }).waitFor();
  });

  it('creates a read-only access token shown once in a dialog that Escape cannot close', async () => {
    await ownerPage.goto(`${stack.webUrl}/profile`);
    await ownerPage.getByRole('link', { name: 'Manage access tokens' }).click();
    await ownerPage.getByText('npm i -g @urbackend/cli@0.2.0').waitFor();
    await ownerPage.getByLabel('Label', { exact: true }).fill('ci reader');
    await ownerPage.getByLabel('Scope').selectOption('api:read');
    await ownerPage.getByLabel('Expires in').selectOption('7');
    await ownerPage.getByRole('button', { name: 'Create token' }).click();
    const dialog = ownerPage.getByRole('dialog', { name: 'Copy your new token' });
    const raw = await dialog.getByRole('textbox', { name: 'Access token' }).inputValue();
    expect(raw).toMatch(/^ubpat_(live|test)_/);
    await ownerPage.keyboard.press('Escape');
    expect(await dialog.isVisible()).toBe(true);
    const done = dialog.getByRole('button', { name: 'Done' });
    expect(await done.isDisabled()).toBe(true);
    await dialog.getByLabel('I have stored this token somewhere safe').check();
    await done.click();
    await dialog.waitFor({ state: 'hidden' });
    await ownerPage.getByRole('cell', { name: `ubpat_***${raw.slice(-4)}` }).waitFor();

    expect((await dash('GET', `/api/projects/${projectId}`, raw)).status).toBe(200);
    expect((await dash('PATCH', `/api/projects/${projectId}`, raw, { name: 'Renamed by token' })).status).toBe(403);
  });

  it('the platform admin changes a plan and closes registration; the register page says so', async () => {
    await ownerPage.getByRole('link', { name: 'Admin', exact: true }).click();
    await ownerPage.getByLabel(`Plan of ${member.email}`).selectOption('pro');
    await expectToast(ownerPage, `${member.email} is now on pro`);
    await ownerPage.getByRole('tab', { name: 'Registration' }).click();
    await ownerPage.getByLabel(/^Closed/).check();
    await ownerPage.getByRole('button', { name: 'Save registration mode' }).click();
    await expectToast(ownerPage, 'Registration is now closed');
    await ownerPage.getByRole('tab', { name: 'Audit log' }).click();
    await ownerPage.getByRole('cell', { name: 'registration.mode' }).waitFor();
    await ownerPage.getByRole('cell', { name: 'developer.plan' }).waitFor();

    const visitor = await stack.browser.newPage();
    try {
      await visitor.goto(`${stack.webUrl}/register`);
      await visitor.getByText('Registration is closed on this server.').waitFor({ timeout: 10_000 });
      expect(await visitor.getByRole('button', { name: 'Create account' }).count()).toBe(0);
    } finally {
      await visitor.close();
    }
  });
});

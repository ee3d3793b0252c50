/**
 * End users disabled by the developer (the dashboard's `PATCH …/admin/users/:id/status` runs the
 * same `endUsers.setDisabled` called here) and the dashboard's "Send password reset" (the same
 * `endUsers.sendPasswordReset`): real HTTP server, FerretDB, Redis and an SMTP sink.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProjectScope } from '@urbackend/common/scope';
import { type SmtpSink, type TestProject, startSmtpSink } from '@urbackend/common/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from '../../testing/harness.js';
import { type SseClient, openSse } from '../realtime/realtime.test-client.js';

let h: Harness;
let sink: SmtpSink;
let server: Server;
let base = '';
let p: TestProject;
let dev: ProjectScope;
const open: SseClient[] = [];

beforeAll(async () => {
  sink = await startSmtpSink();
  h = await createHarness('disabled-users', { mail: { smtpUrl: sink.url, from: 'Platform <no-reply@platform.test>' } });
  server = h.app.listen(0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await h.deps.realtimeHub.ready();
  await h.deps.models.UserSession.createIndexes();
  p = await h.project({
    name: 'Acme App',
    collections: [
      {
        name: 'users',
        model: [
          { key: 'email', type: 'String', required: true },
          { key: 'password', type: 'String', required: true },
        ],
      },
      {
        name: 'posts',
        model: [{ key: 'title', type: 'String' }],
        rls: { enabled: true, mode: 'public-read', ownerField: 'userId' },
      },
    ],
  });
  const project = (await h.deps.apiKeys.resolve(p.secretKey))?.project;
  dev = h.deps.scopeFor(project as never, {
    type: 'developer',
    developerId: p.ownerId,
    email: 'owner@example.test',
    role: 'owner',
    via: 'session',
  });
});

afterAll(async () => {
  for (const c of open) c.close();
  await h.close();
  await sink.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const pk = (token?: string) => ({ 'x-api-key': p.publishableKey, ...(token ? { authorization: `Bearer ${token}` } : {}) });
const DISABLED = { success: false, error: 'This account is disabled.', code: 403 };

let counter = 0;
async function signup() {
  counter += 1;
  const email = `dis-${counter}-${Date.now()}@example.com`;
  const res = await request(h.app)
    .post('/api/userAuth/signup')
    .set(pk())
    .set('x-refresh-token-mode', 'header')
    .send({ email, password: 'secret-pass-1' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return {
    email,
    userId: String(res.body.userId),
    accessToken: String(res.body.accessToken),
    refreshToken: String(res.body.refreshToken),
  };
}

const login = (email: string, password = 'secret-pass-1') =>
  request(h.app).post('/api/userAuth/login').set(pk()).set('x-refresh-token-mode', 'header').send({ email, password });

describe('a disabled end user', () => {
  it('cannot log in, refresh or use a live access token, and loses realtime at once; enabling restores login', async () => {
    const user = await signup();
    const sub = await openSse(`${base}/api/realtime/posts`, pk(user.accessToken));
    open.push(sub);
    expect(sub.status).toBe(200);

    const view = await h.deps.endUsers.setDisabled(dev, user.userId, true);
    expect(view.authDisabledAt).toBeInstanceOf(Date);
    expect((await sub.next((e) => e.event === 'close', 2000)).data).toEqual({ reason: 'user-revoked' });

    // The right password says why; a wrong one still says nothing about the account.
    expect((await login(user.email)).body).toEqual(DISABLED);
    expect((await login(user.email, 'wrong-pass-1')).status).toBe(400);
    const me = await request(h.app).get('/api/userAuth/me').set(pk(user.accessToken));
    expect(me.body).toEqual(DISABLED);
    // The data API and a new realtime subscription refuse the still-unexpired access token too.
    const rows = await request(h.app).get('/api/data/posts').set(pk(user.accessToken));
    expect(rows.body).toEqual(DISABLED);
    const write = await request(h.app).post('/api/data/posts').set(pk(user.accessToken)).send({ title: 'x' });
    expect(write.body).toEqual(DISABLED);
    const refreshed = await request(h.app)
      .post('/api/userAuth/refresh-token')
      .set(pk())
      .set('x-refresh-token', user.refreshToken);
    expect(refreshed.body).toEqual(DISABLED);
    const live = await h.deps.models.UserSession.countDocuments({ userId: user.userId, revokedAt: null });
    expect(live).toBe(0);

    await h.deps.endUsers.setDisabled(dev, user.userId, false);
    const again = await login(user.email).expect(200);
    const self = await request(h.app).get('/api/userAuth/me').set(pk(again.body.accessToken)).expect(200);
    expect(self.body.email).toBe(user.email);
    expect(JSON.stringify(self.body)).not.toMatch(/disabled/i);
    await request(h.app)
      .post('/api/userAuth/refresh-token')
      .set(pk())
      .set('x-refresh-token', again.body.refreshToken)
      .expect(200);
  });

  it('never shows the flag to the app, and an app cannot set or clear it', async () => {
    const user = await signup();
    await h.deps.endUsers.setDisabled(dev, user.userId, true);
    await h.deps.endUsers.setDisabled(dev, user.userId, false);
    const { accessToken } = (await login(user.email).expect(200)).body;
    await h.deps.endUsers.setDisabled(dev, user.userId, true);
    // Profile updates ignore it (a protected field), so the account stays disabled.
    const put = await request(h.app).put('/api/userAuth/update-profile').set(pk(accessToken)).send({ authDisabledAt: null });
    expect(put.body).toEqual(DISABLED);
    // A developer's generic row edit cannot clear it either: only the disable route does.
    await h.deps.data.writes.update(dev, 'users', user.userId, { authDisabledAt: null });
    expect((await login(user.email)).body).toEqual(DISABLED);
    const row = await h.deps.data.reads.getOne(dev, 'users', user.userId, {});
    expect(Object.keys(row)).not.toContain('authDisabledAt');
  });
});

describe('the dashboard password-reset mail', () => {
  it('is the public flow: same cooldown, and its code resets the password through the public API', async () => {
    const user = await signup();
    const since = sink.messages.length;
    expect(await h.deps.endUsers.sendPasswordReset(dev, user.userId)).toEqual({ email: user.email });
    const code = await sink.otpFor(user.email, { since, subject: /Reset your password/ });
    const mail = sink.messages.slice(since).find((m) => m.to.includes(user.email));
    expect(mail?.from).toContain('Acme App');

    // One cooldown for both ways of asking.
    await expect(h.deps.endUsers.sendPasswordReset(dev, user.userId)).rejects.toMatchObject({ status: 429 });
    const publicAsk = await request(h.app).post('/api/userAuth/request-password-reset').set(pk()).send({ email: user.email });
    expect(publicAsk.status).toBe(429);

    await request(h.app)
      .post('/api/userAuth/reset-password')
      .set(pk())
      .send({ email: user.email, otp: code, newPassword: 'brand-new-9' })
      .expect(200);
    expect((await login(user.email)).status).toBe(400);
    await login(user.email, 'brand-new-9').expect(200);
  });
});

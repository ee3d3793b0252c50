import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UserAuthHarness, startUserAuthHarness } from '../../testing/user-auth-harness.js';

let h: UserAuthHarness;
let pk: string;

const newEmail = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}@example.com`;
const post = (path: string, body: object, key = pk) =>
  request(h.app).post(`/api/userAuth/${path}`).set('x-api-key', key).send(body);

async function signup(label: string, extra: object = {}) {
  const email = newEmail(label);
  const res = await request(h.app)
    .post('/api/userAuth/signup')
    .set('x-api-key', pk)
    .set('x-refresh-token-mode', 'header')
    .set('user-agent', `agent-${label}`)
    .send({ email, password: 'secret-123', ...extra });
  expect(res.status).toBe(201);
  return {
    email,
    userId: res.body.userId as string,
    accessToken: res.body.accessToken as string,
    refreshToken: res.body.refreshToken as string,
  };
}

async function login(email: string, password: string, agent = 'vitest') {
  return request(h.app)
    .post('/api/userAuth/login')
    .set('x-api-key', pk)
    .set('x-refresh-token-mode', 'header')
    .set('user-agent', agent)
    .send({ email, password });
}

const refresh = (token: string) =>
  request(h.app).post('/api/userAuth/refresh-token').set('x-api-key', pk).set('x-refresh-token', token);

beforeAll(async () => {
  h = await startUserAuthHarness('user-auth-flows');
  pk = (await h.project()).publishableKey;
});
afterAll(() => h.close());

describe('email verification', () => {
  it('verifies with the mailed code, and burns a code after 5 wrong attempts', async () => {
    const user = await signup('verify');
    const code = await h.sink.otpFor(user.email, { subject: /Verify your account/ });
    const wrong = code === '000000' ? '111111' : '000000';
    expect((await post('verify-email', { email: user.email, otp: wrong })).body.error).toBe('Invalid or expired OTP');
    expect((await post('verify-email', { email: user.email.toUpperCase(), otp: code })).status).toBe(200);

    const other = await signup('brute');
    const otherCode = await h.sink.otpFor(other.email, { subject: /Verify your account/ });
    const bad = otherCode === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect((await post('verify-email', { email: other.email, otp: bad })).status).toBe(400);
    const tooLate = await post('verify-email', { email: other.email, otp: otherCode });
    expect(tooLate.status).toBe(400);
    const me = await request(h.app)
      .get('/api/userAuth/me')
      .set('x-api-key', pk)
      .set('authorization', `Bearer ${other.accessToken}`);
    expect(me.body.emailVerified).toBe(false);
  });

  it('answers resend identically for unknown and known emails, with a per-email cooldown', async () => {
    const known = await signup('resend');
    const unknown = newEmail('nobody');
    const a = await post('resend-verification-otp', { email: unknown });
    expect(a.status).toBe(200);
    expect(a.body).toEqual({ message: 'Verification code sent successfully.' });
    // The signup itself started the known email's cooldown; the unknown one is now in its own.
    const b = await post('resend-verification-otp', { email: known.email });
    const c = await post('resend-verification-otp', { email: unknown });
    expect(b.status).toBe(429);
    expect(c.status).toBe(429);
    expect(c.body.error).toMatch(/^Please wait \d+ seconds before requesting another code\.$/);
    expect(Number(c.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('passwords', () => {
  it('changes the password only with the current one, and revokes every session', async () => {
    const user = await signup('change');
    const second = await login(user.email, 'secret-123');
    const auth = { authorization: `Bearer ${user.accessToken}`, 'x-api-key': pk };
    const wrong = await request(h.app)
      .put('/api/userAuth/change-password')
      .set(auth)
      .send({ currentPassword: 'nope-nope', newPassword: 'new-pass-1' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('Invalid current password');
    const ok = await request(h.app)
      .put('/api/userAuth/change-password')
      .set(auth)
      .send({ currentPassword: 'secret-123', newPassword: 'new-pass-1' });
    expect(ok.body).toEqual({ message: 'Password changed successfully' });
    expect((await refresh(user.refreshToken)).status).toBe(403);
    expect((await refresh(second.body.refreshToken)).status).toBe(403);
    expect((await login(user.email, 'secret-123')).status).toBe(400);
    expect((await login(user.email, 'new-pass-1')).status).toBe(200);
  });

  it('resets with the mailed code (same answer for unknown emails) and revokes sessions', async () => {
    const user = await signup('reset');
    const unknown = await post('request-password-reset', { email: newEmail('ghost') });
    const before = h.sink.messages.length;
    const known = await post('request-password-reset', { email: user.email });
    expect(known.status).toBe(200);
    expect(known.body).toEqual(unknown.body);
    const code = await h.sink.otpFor(user.email, { subject: /Reset your password/, since: before });
    const res = await post('reset-password', { email: user.email, otp: code, newPassword: 'reset-pass-9' });
    expect(res.body).toEqual({ message: 'Password updated successfully' });
    expect((await post('reset-password', { email: user.email, otp: code, newPassword: 'again-pass-9' })).status).toBe(400);
    expect((await refresh(user.refreshToken)).status).toBe(403);
    expect((await login(user.email, 'reset-pass-9')).status).toBe(200);
  });
});

describe('profile and sessions', () => {
  it('updates declared custom fields only and shows a public profile without private fields', async () => {
    const user = await signup('profile', { username: 'public_pat' });
    const auth = { authorization: `Bearer ${user.accessToken}`, 'x-api-key': pk };
    const res = await request(h.app)
      .put('/api/userAuth/update-profile')
      .set(auth)
      .send({ bio: 'hello', emailVerified: true, email: 'x@y.z', roles: ['admin'] });
    expect(res.body).toEqual({ message: 'Profile updated successfully' });
    const me = await request(h.app).get('/api/userAuth/me').set(auth);
    expect(me.body).toMatchObject({ bio: 'hello', emailVerified: false, email: user.email });
    expect(me.body).not.toHaveProperty('roles');
    const bad = await request(h.app).put('/api/userAuth/update-profile').set(auth).send({ username: 'x' });
    expect(bad.status).toBe(400);

    const pub = await request(h.app).get('/api/userAuth/public/public_pat').set('x-api-key', pk);
    expect(pub.status).toBe(200);
    expect(pub.body).toMatchObject({ _id: user.userId, username: 'public_pat', bio: 'hello' });
    expect(pub.body).not.toHaveProperty('email');
    expect(pub.body).not.toHaveProperty('password');
    expect((await request(h.app).get('/api/userAuth/public/nobody_here').set('x-api-key', pk)).status).toBe(404);
  });

  it('lists the caller’s sessions, revokes one, logs out and logs out everywhere', async () => {
    const user = await signup('sessions');
    const phone = await login(user.email, 'secret-123', 'phone-app');
    const auth = { authorization: `Bearer ${user.accessToken}`, 'x-api-key': pk };
    const list = await request(h.app).get('/api/userAuth/sessions').set(auth);
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(2);
    const current = list.body.data.find((s: { current: boolean }) => s.current);
    expect(current.userAgent).toBe('agent-sessions');
    const other = list.body.data.find((s: { current: boolean }) => !s.current);
    expect(other).toMatchObject({ userAgent: 'phone-app', method: 'password' });
    expect(other).toHaveProperty('ip');

    expect((await request(h.app).delete(`/api/userAuth/sessions/${other.id}`).set(auth)).status).toBe(200);
    expect((await request(h.app).delete(`/api/userAuth/sessions/${other.id}`).set(auth)).status).toBe(404);
    expect((await refresh(phone.body.refreshToken)).status).toBe(403);

    const logout = await request(h.app)
      .post('/api/userAuth/logout')
      .set('x-api-key', pk)
      .set('x-refresh-token', user.refreshToken);
    expect(logout.body).toEqual({ success: true, message: 'Logged out successfully' });
    expect((await refresh(user.refreshToken)).status).toBe(403);

    const a = await login(user.email, 'secret-123');
    const b = await login(user.email, 'secret-123');
    const all = await request(h.app)
      .post('/api/userAuth/logout-all')
      .set('x-api-key', pk)
      .set('authorization', `Bearer ${a.body.accessToken}`);
    expect(all.body).toMatchObject({ success: true, data: { revoked: 2 } });
    expect((await refresh(a.body.refreshToken)).status).toBe(403);
    expect((await refresh(b.body.refreshToken)).status).toBe(403);
  });

  it('rejects another project’s refresh token without burning it', async () => {
    const user = await signup('foreign');
    const other = await h.project({ name: 'Other' });
    const res = await request(h.app)
      .post('/api/userAuth/refresh-token')
      .set('x-api-key', other.publishableKey)
      .set('x-refresh-token', user.refreshToken);
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('Refresh token does not belong to this project');
    expect((await refresh(user.refreshToken)).status).toBe(200);
  });
});

describe('plan limit on end users', () => {
  it('refuses signups beyond the plan’s authUsersLimit with 403', async () => {
    const { app } = h.appWith({
      plans: { defaultPlan: 'free', overrides: { free: { reqPerMinute: -1, reqPerDay: -1, authUsersLimit: 2 } } },
    });
    const project = await h.project({ name: 'Tiny' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await request(app)
        .post('/api/userAuth/signup')
        .set('x-api-key', project.publishableKey)
        .send({ email: newEmail(`cap${i}`), password: 'secret-123' });
      statuses.push(res.status);
      if (res.status === 403)
        expect(res.body.error).toBe('User limit reached (2). Please upgrade your plan to allow more users.');
    }
    expect(statuses).toEqual([201, 201, 403]);
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardTestApp,
  type TestDeveloper,
  createDashboardTestApp,
  createTestProject,
  registerVerifiedDeveloper,
} from '../../../test/helpers.js';

let t: DashboardTestApp;
let dev: TestDeveloper;
let projectId: string;

const session = (d: TestDeveloper) => ({ Authorization: `Bearer ${d.accessToken}` });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function createPat(d: TestDeveloper, body: Record<string, unknown>) {
  const res = await request(t.app).post('/api/user/pats').set(session(d)).send(body).expect(201);
  return res.body.data as { rawToken: string; pat: { id: string; suffix: string; scopes: string[]; expiresAt: string } };
}

beforeAll(async () => {
  t = await createDashboardTestApp('pats');
  dev = await registerVerifiedDeveloper(t);
  projectId = (await createTestProject(t.app, dev, 'Token project'))._id;
});
afterAll(() => t.cleanup());

describe('creating, listing and revoking tokens', () => {
  it('shows the token once, stores only its hash, and lists it by suffix', async () => {
    const res = await request(t.app)
      .post('/api/user/pats')
      .set(session(dev))
      .send({ label: 'laptop', scopes: ['api:all'], ttlDays: 7 })
      .expect(201);
    expect(res.body.message).toBe('Token created successfully. Store this token now. You will not be able to see it again.');
    const { rawToken, pat } = res.body.data;
    expect(rawToken).toMatch(/^ubpat_test_[A-Za-z0-9]{43}$/);
    expect(pat).toMatchObject({ suffix: rawToken.slice(-4), label: 'laptop', type: 'human', scopes: ['api:all'] });
    expect(new Date(pat.expiresAt).getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

    const stored = await t.deps.models.PersonalAccessToken.findById(pat.id).select('+tokenHash').lean();
    expect(stored?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(rawToken);
    const list = await request(t.app).get('/api/user/pats').set(session(dev)).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(rawToken);
    expect(list.body.data.pats[0]).toMatchObject({ id: pat.id, suffix: pat.suffix, label: 'laptop', lastUsedAt: null });
  });

  it('refuses a missing label, no scopes, an unknown scope and a TTL outside 1–365 days', async () => {
    const bad = async (body: object, message: string) => {
      const res = await request(t.app).post('/api/user/pats').set(session(dev)).send(body).expect(400);
      expect(res.body.error).toContain(message);
    };
    await bad({ scopes: ['api:all'] }, 'Token label is required.');
    await bad({ label: 'x', scopes: [] }, 'At least one scope must be explicitly selected.');
    await bad({ label: 'x' }, 'At least one scope must be explicitly selected.');
    await bad({ label: 'x', scopes: ['admin'] }, "Scopes are 'api:all'");
    await bad({ label: 'x', scopes: ['api:all'], ttlDays: 0 }, 'Token TTL must be between 1 and 365 days.');
    await bad({ label: 'x', scopes: ['api:all'], ttlDays: 366 }, 'Token TTL must be between 1 and 365 days.');
  });

  it('a revoked token stops working at once; revoking twice is 404', async () => {
    const { rawToken, pat } = await createPat(dev, { label: 'short', scopes: ['api:all'] });
    await request(t.app).get('/api/projects').set(bearer(rawToken)).expect(200);
    const res = await request(t.app).delete(`/api/user/pats/${pat.id}`).set(session(dev)).expect(200);
    expect(res.body.message).toBe('Token revoked successfully');
    const after = await request(t.app).get('/api/projects').set(bearer(rawToken)).expect(401);
    expect(after.body.error).toBe('Unauthorized: Invalid or revoked token.');
    expect((await request(t.app).delete(`/api/user/pats/${pat.id}`).set(session(dev)).expect(404)).body.error).toBe(
      'Token not found',
    );
  });

  it("one developer cannot see or revoke another's tokens", async () => {
    const other = await registerVerifiedDeveloper(t);
    const { pat } = await createPat(other, { label: 'theirs', scopes: ['api:read'] });
    await request(t.app).delete(`/api/user/pats/${pat.id}`).set(session(dev)).expect(404);
    const mine = await request(t.app).get('/api/user/pats').set(session(dev)).expect(200);
    expect(mine.body.data.pats.map((p: { id: string }) => p.id)).not.toContain(pat.id);
  });
});

describe('authenticating with a token', () => {
  it('acts as its developer on project routes, and records when and from where it was used', async () => {
    const { rawToken, pat } = await createPat(dev, { label: 'ci', type: 'agent', scopes: ['api:all'] });
    const list = await request(t.app).get('/api/projects').set(bearer(rawToken)).expect(200);
    expect(list.body).toEqual([expect.objectContaining({ _id: projectId, role: 'owner' })]);
    await request(t.app)
      .post(`/api/projects/${projectId}/collections`)
      .set(bearer(rawToken))
      .send({ name: 'notes', schema: [{ key: 'text', type: 'String' }] })
      .expect(201);
    const me = await request(t.app).get('/api/user/cli/me').set(bearer(rawToken)).expect(200);
    expect(me.body).toEqual({
      success: true,
      data: {
        developer: { id: dev.userId, email: dev.email, plan: 'free', githubUsername: null, avatarUrl: null },
        auth: { scopes: ['api:all'], tokenType: 'agent' },
      },
      message: 'Success',
    });
    const stored = await t.deps.models.PersonalAccessToken.findById(pat.id).lean();
    expect(stored?.lastUsedAt).toBeInstanceOf(Date);
    expect(stored?.lastUsedIp).toBeTruthy();
  });

  it('a read-only token reads but every change is 403 and changes nothing', async () => {
    const { rawToken } = await createPat(dev, { label: 'reader', scopes: ['api:read'] });
    await request(t.app).get(`/api/projects/${projectId}`).set(bearer(rawToken)).expect(200);
    const before = await request(t.app).get(`/api/projects/${projectId}`).set(session(dev)).expect(200);
    const write = await request(t.app)
      .patch(`/api/projects/${projectId}`)
      .set(bearer(rawToken))
      .send({ name: 'hijacked' })
      .expect(403);
    expect(write.body.error).toContain('read-only (scope api:read)');
    await request(t.app).delete(`/api/projects/${projectId}/collections/notes`).set(bearer(rawToken)).expect(403);
    await request(t.app).post('/api/projects').set(bearer(rawToken)).send({ name: 'more' }).expect(403);
    const after = await request(t.app).get(`/api/projects/${projectId}`).set(session(dev)).expect(200);
    expect(after.body.name).toBe(before.body.name);
    expect(after.body.collections.map((c: { name: string }) => c.name)).toContain('notes');
  });

  it('never reaches account settings, token management or admin routes', async () => {
    const { rawToken } = await createPat(dev, { label: 'all', scopes: ['api:all'] });
    const routes: [string, string, object?][] = [
      ['post', '/api/user/pats', { label: 'escalate', scopes: ['api:all'] }],
      ['get', '/api/user/pats'],
      ['put', '/api/auth/change-password', { currentPassword: dev.password, newPassword: 'another-horse-2' }],
      ['delete', '/api/auth/delete-account', { password: dev.password }],
      ['post', '/api/auth/logout-all'],
      ['get', '/api/admin/developers'],
      ['post', '/api/invitations/64b000000000000000000001/accept'],
    ];
    for (const [method, path, body] of routes) {
      const call = (request(t.app) as unknown as Record<string, (p: string) => request.Test>)[method]?.(path);
      const res = await (call as request.Test).set(bearer(rawToken)).send(body ?? {});
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.body.error).toContain('Personal access tokens cannot be used here');
    }
    // The password still works: nothing changed.
    await request(t.app).post('/api/auth/login').send({ email: dev.email, password: dev.password }).expect(200);
  });

  it('refuses malformed, unknown and expired tokens, and tokens in the query string', async () => {
    expect((await request(t.app).get('/api/projects').set(bearer('ubpat_live_short')).expect(401)).body.error).toBe(
      'Unauthorized: Invalid token format.',
    );
    const unknown = `ubpat_test_${'A'.repeat(43)}`;
    expect((await request(t.app).get('/api/projects').set(bearer(unknown)).expect(401)).body.error).toBe(
      'Unauthorized: Invalid or revoked token.',
    );
    const { rawToken, pat } = await createPat(dev, { label: 'old', scopes: ['api:all'] });
    await t.deps.models.PersonalAccessToken.updateOne({ _id: pat.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await request(t.app).get('/api/projects').set(bearer(rawToken)).expect(401)).body.error).toBe(
      'Unauthorized: Token has expired.',
    );
    const { rawToken: live } = await createPat(dev, { label: 'query', scopes: ['api:all'] });
    const query = await request(t.app).get(`/api/projects?token=${live}`).expect(400);
    expect(query.body.error).toBe('Bad Request: Providing tokens in query parameters is strictly prohibited.');
    await request(t.app).get(`/api/projects?token=${live}`).set(bearer(live)).expect(400);
  });

  it("acts with the developer's project role: a viewer's token cannot write", async () => {
    const viewer = await registerVerifiedDeveloper(t);
    await request(t.app)
      .post(`/api/projects/${projectId}/members/invite`)
      .set(session(dev))
      .send({ email: viewer.email, role: 'viewer' })
      .expect(201);
    const inv = await request(t.app).get('/api/invitations').set(session(viewer)).expect(200);
    await request(t.app).post(`/api/invitations/${inv.body.data[0]._id}/accept`).set(session(viewer)).expect(200);
    const { rawToken } = await createPat(viewer, { label: 'viewer', scopes: ['api:all'] });
    await request(t.app).get(`/api/projects/${projectId}/collections/notes/data`).set(bearer(rawToken)).expect(200);
    const res = await request(t.app)
      .post(`/api/projects/${projectId}/collections/notes/data`)
      .set(bearer(rawToken))
      .send({ text: 'x' })
      .expect(403);
    expect(res.body.error).toBe('Viewers do not have write access to this project.');
  });
});

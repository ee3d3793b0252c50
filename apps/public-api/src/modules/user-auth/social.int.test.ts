import { createPlatformModels } from '@urbackend/common/models';
import { projectSecretContext } from '@urbackend/common/scope';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GithubUser, type MockProvider, startGithubLike } from '../../testing/oauth-mocks.js';
import { type UserAuthHarness, startUserAuthHarness } from '../../testing/user-auth-harness.js';

let h: UserAuthHarness;
let github: MockProvider;
let app: UserAuthHarness['app'];
let pk: string;
let unconfiguredPk: string;
let githubUser: GithubUser = { id: 1, login: 'one', name: 'One', email: 'one@example.com', verified: true };
const siteUrl = 'http://site.example.test';

/** Follows start → provider → callback and returns the final redirect target. */
async function socialLogin(key: string): Promise<URL> {
  const start = await request(app).get(`/api/userAuth/social/github/start?key=${key}`);
  expect(start.status).toBe(302);
  const consent = await fetch(start.headers.location ?? '', { redirect: 'manual' });
  const callback = new URL(consent.headers.get('location') ?? '');
  const done = await request(app).get(`${callback.pathname}${callback.search}`);
  expect(done.status).toBe(302);
  return new URL(done.headers.location ?? '');
}

beforeAll(async () => {
  h = await startUserAuthHarness('user-auth-social');
  github = await startGithubLike(() => githubUser);
  const settings = h.config.userAuth;
  if (!settings) throw new Error('harness config has no userAuth settings');
  ({ app } = h.appWith({
    userAuth: { ...settings, oauth: { ...settings.oauth, githubBaseUrl: github.url, githubApiUrl: github.url } },
  }));
  const project = await h.project();
  pk = project.publishableKey;
  unconfiguredPk = (await h.project({ name: 'No providers' })).publishableKey;
  const clientSecret = h.deps.secretBox.encrypt('gh-secret', projectSecretContext(project.projectId, 'oauth:github'));
  await createPlatformModels(h.platform.db.connection).Project.updateOne(
    { _id: project.projectId },
    { $set: { siteUrl, 'authProviders.github': { enabled: true, clientId: 'gh-client', clientSecret } } },
  );
});
afterAll(async () => {
  await github.close();
  await h.close();
});

describe('social login', () => {
  it('answers 404 for an unknown provider and 422 when the project has not configured it', async () => {
    const unknown = await request(app).get(`/api/userAuth/social/myspace/start?key=${pk}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('Unsupported social auth provider');
    const off = await request(app).get(`/api/userAuth/social/google/start?key=${unconfiguredPk}`);
    expect(off.status).toBe(422);
    expect(off.body.error).toBe('Provider not configured');
  });

  it('refuses an unknown or reused state', async () => {
    const res = await request(app).get(`/api/userAuth/social/github/callback?code=x&state=${'ab'.repeat(24)}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Invalid or expired OAuth state');
  });

  it('creates a user, then finds the same user again, and links an existing account by verified email', async () => {
    githubUser = { id: 77, login: 'sam', name: 'Sam', email: 'sam@example.com', verified: true };
    const first = await socialLogin(pk);
    expect(first.searchParams.get('isNewUser')).toBe('true');
    const second = await socialLogin(pk);
    expect(second.searchParams.get('isNewUser')).toBe('false');
    expect(second.searchParams.get('userId')).toBe(first.searchParams.get('userId'));

    const signup = await request(app)
      .post('/api/userAuth/signup')
      .set('x-api-key', pk)
      .send({ email: 'lin@example.com', password: 'secret-123' });
    githubUser = { id: 88, login: 'lin', name: 'Lin', email: 'LIN@example.com', verified: true };
    const linked = await socialLogin(pk);
    expect(linked.searchParams.get('linkedByEmail')).toBe('true');
    expect(linked.searchParams.get('userId')).toBe(signup.body.userId);
  });

  it('does not link an existing account when the provider email is unverified', async () => {
    await request(app)
      .post('/api/userAuth/signup')
      .set('x-api-key', pk)
      .send({ email: 'kim@example.com', password: 'secret-123' });
    githubUser = { id: 99, login: 'kim', name: 'Kim', email: 'kim@example.com', verified: false };
    const landing = await socialLogin(pk);
    expect(`${landing.origin}${landing.pathname}`).toBe(`${siteUrl}/auth/callback`);
    expect(landing.searchParams.get('error')).toBe('SOCIAL_AUTH_EMAIL_NOT_VERIFIED');
    expect(landing.searchParams.get('rtCode')).toBeNull();
  });

  it('exchanges an rtCode once, only with the matching token and project', async () => {
    githubUser = { id: 123, login: 'ex', name: 'Ex', email: 'ex@example.com', verified: true };
    const landing = await socialLogin(pk);
    const rtCode = landing.searchParams.get('rtCode') ?? '';
    const token = new URLSearchParams(landing.hash.slice(1)).get('token') ?? '';
    const exchange = (body: object, key = pk) =>
      request(app).post('/api/userAuth/social/exchange').set('x-api-key', key).send(body);
    expect((await exchange({ rtCode })).body.error).toBe('rtCode and token are required');
    const wrong = await exchange({ rtCode, token: 'not-the-token' });
    expect(wrong.status).toBe(403);
    // A mismatched attempt burns the code.
    expect((await exchange({ rtCode, token })).body.error).toBe('Invalid or expired refresh token exchange code');

    const again = await socialLogin(pk);
    const code2 = again.searchParams.get('rtCode') ?? '';
    const token2 = new URLSearchParams(again.hash.slice(1)).get('token') ?? '';
    const ok = await exchange({ rtCode: code2, token: token2 });
    expect(ok.body).toMatchObject({ success: true, message: 'Refresh token exchanged successfully' });
    const refreshed = await request(app)
      .post('/api/userAuth/refresh-token')
      .set('x-api-key', pk)
      .set('x-refresh-token', ok.body.data.refreshToken);
    expect(refreshed.status).toBe(200);
  });
});

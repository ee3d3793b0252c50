import { randomBytes } from 'node:crypto';
import { USER_DISABLED_FIELD, type UserDoc, assertUserEnabled, usersCollectionOf } from '@urbackend/common/end-users';
import { AppError, badRequest, forbidden, notFound } from '@urbackend/common/errors';
import { assertNotTrashedUser } from '@urbackend/common/lifecycle';
import {
  type ProjectScope,
  SCOPED_PROJECT_FIELDS,
  type ScopedProject,
  assertProjectServable,
  projectSecretContext,
  toScopedProject,
} from '@urbackend/common/scope';
import { toObjectId } from '@urbackend/common/tenant';
import { OAUTH_PROVIDERS, type OAuthProfile, type OAuthProviderName, type SessionClient } from '@urbackend/common/user-auth';
import type { SessionsService } from './sessions.service.js';
import type { UserAuthKit } from './user-auth.kit.js';
import type { UserAuthService } from './user-auth.service.js';

interface OAuthState {
  projectId: string;
  provider: OAuthProviderName;
  callbackUrl: string;
}

interface ExchangeEntry {
  projectId: string;
  token: string;
  refreshToken: string;
}

const STATE_TTL_MS = 10 * 60_000;
const EXCHANGE_TTL_MS = 60_000;

/** Where the browser ends up after a social login (success or error). */
export type CallbackOutcome = { kind: 'redirect'; url: string; refreshToken?: string } | { kind: 'error'; error: AppError };

function providerOf(name: string): OAuthProviderName {
  if (!(OAUTH_PROVIDERS as readonly string[]).includes(name)) throw notFound('Unsupported social auth provider');
  return name as OAuthProviderName;
}

/** Social login (GitHub, Google): start → provider → callback → one-time exchange code. */
export function createSocialService(kit: UserAuthKit, sessions: SessionsService, auth: UserAuthService) {
  const redirectUri = (p: OAuthProviderName) => `${kit.publicApiUrl}/api/userAuth/social/${p}/callback`;

  function clientOf(project: ScopedProject, p: OAuthProviderName) {
    const cfg = project.authProviders[p];
    if (!cfg?.enabled || !cfg.clientId || !cfg.clientSecret) throw new AppError('UNPROCESSABLE', 'Provider not configured');
    const clientSecret = kit.secretBox.decrypt(cfg.clientSecret, projectSecretContext(project._id, `oauth:${p}`));
    return { clientId: cfg.clientId, clientSecret, redirectUri: redirectUri(p) };
  }

  /**
   * The scope of a provider callback: it arrives without an API key, so the project comes from
   * the OAuth state and the callback acts like the publishable key that started the login.
   */
  async function loadScope(projectId: string): Promise<ProjectScope> {
    const id = toObjectId(projectId);
    const project = id ? await kit.models.Project.findById(id).select(SCOPED_PROJECT_FIELDS).lean() : null;
    if (!project) throw notFound('Project not found');
    const owner = await kit.models.Developer.findById(project.owner).select('isVerified isAdmin plan disabledAt').lean();
    const scoped = toScopedProject(project as unknown as Record<string, unknown>, owner ?? { _id: project.owner });
    assertProjectServable(scoped);
    return kit.scopeFor(scoped, { type: 'key', key: 'publishable', keyHash: '', user: null });
  }

  /**
   * Finds the user by provider id, else links by verified email, else creates one (plan limit
   * applies). A disabled user: 403 `This account is disabled.` (nothing is linked).
   */
  async function resolveUser(scope: ProjectScope, p: OAuthProviderName, profile: OAuthProfile) {
    const users = await kit.users(scope);
    const idField = `${p}Id`;
    const linked = await users.findOne({ [idField]: profile.providerId });
    if (linked) {
      assertUserEnabled(linked);
      return { userId: String(linked._id), isNewUser: false, linkedByEmail: false };
    }
    if (!profile.email) throw new AppError('UNPROCESSABLE', `No email address was returned by ${p}.`);
    const byEmail = await users.findOne({ email: profile.email }, { projection: { _id: 1, [USER_DISABLED_FIELD]: 1 } });
    if (byEmail) {
      assertUserEnabled(byEmail);
      if (!profile.emailVerified) throw forbidden('SOCIAL_AUTH_EMAIL_NOT_VERIFIED');
      await users.updateOne(
        { _id: byEmail._id },
        {
          $set: {
            [idField]: profile.providerId,
            emailVerified: true,
            updatedAt: new Date(),
            ...(profile.avatarUrl ? { avatarUrl: profile.avatarUrl } : {}),
          },
          $addToSet: { authProviders: p },
        },
      );
      return { userId: String(byEmail._id), isNewUser: false, linkedByEmail: true };
    }
    // A trashed account (docs/data-lifecycle.md) keeps its email: 403 instead of a second account.
    await assertNotTrashedUser(scope, { email: profile.email });
    await auth.assertUserRoom(scope);
    const now = new Date();
    const doc: Record<string, unknown> = {
      email: profile.email,
      password: await kit.hasher.hash(randomBytes(32).toString('hex')),
      emailVerified: profile.emailVerified,
      [idField]: profile.providerId,
      authProviders: [p],
      createdAt: now,
      updatedAt: now,
    };
    if (profile.username) doc.username = profile.username.padEnd(3, '0').slice(0, 50);
    if (profile.name) doc.name = profile.name;
    if (profile.avatarUrl) doc.avatarUrl = profile.avatarUrl;
    const { insertedId } = await users.insertOne(doc as UserDoc);
    await auth.assertUserRoom(scope, insertedId);
    return { userId: String(insertedId), isNewUser: true, linkedByEmail: false };
  }

  return {
    /** The provider's consent URL (302 target). 404 unknown provider, 422 not configured. */
    async start(scope: ProjectScope, providerName: string): Promise<string> {
      usersCollectionOf(scope.project);
      const p = providerOf(providerName);
      const client = clientOf(scope.project, p);
      const state = randomBytes(24).toString('hex');
      const site = (scope.project.siteUrl || kit.dashboardUrl).replace(/\/$/, '');
      await kit.oauthStates.put(
        state,
        { projectId: scope.project._id, provider: p, callbackUrl: `${site}/auth/callback` },
        STATE_TTL_MS,
      );
      return kit.providers[p].authorizeUrl(client, state);
    },

    /** Finishes the provider round trip; errors after a valid state go to the app's callback URL. */
    async callback(providerName: string, query: Record<string, unknown>, client: SessionClient): Promise<CallbackOutcome> {
      const p = providerOf(providerName);
      const stateKey = typeof query.state === 'string' ? query.state : '';
      const state = /^[0-9a-f]{48}$/.test(stateKey) ? await kit.oauthStates.take<OAuthState>(stateKey) : null;
      if (!state || state.provider !== p) return { kind: 'error', error: badRequest('Invalid or expired OAuth state') };
      const fail = (message: string) => {
        const url = new URL(state.callbackUrl);
        url.searchParams.set('error', message);
        return { kind: 'redirect' as const, url: url.toString() };
      };
      if (typeof query.error === 'string') return fail(String(query.error_description ?? query.error));
      if (typeof query.code !== 'string' || !query.code) return fail('Missing authorization code');
      try {
        const scope = await loadScope(state.projectId);
        usersCollectionOf(scope.project);
        const profile = await kit.providers[p].profile(clientOf(scope.project, p), query.code);
        const who = await resolveUser(scope, p, profile);
        const tokens = await sessions.issue(scope, who.userId, client, p);
        const rtCode = randomBytes(16).toString('hex');
        const entry: ExchangeEntry = {
          projectId: scope.project._id,
          token: tokens.accessToken,
          refreshToken: tokens.refreshToken,
        };
        await kit.exchangeCodes.put(rtCode, entry, EXCHANGE_TTL_MS);
        const url = new URL(state.callbackUrl);
        const params = { rtCode, provider: p, userId: who.userId, projectId: scope.project._id };
        for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
        url.searchParams.set('isNewUser', String(who.isNewUser));
        url.searchParams.set('linkedByEmail', String(who.linkedByEmail));
        url.hash = `token=${tokens.accessToken}`;
        return { kind: 'redirect', url: url.toString(), refreshToken: tokens.refreshToken };
      } catch (err) {
        if (!(err instanceof AppError) || err.isServerError) kit.logger.warn({ err, provider: p }, 'social login failed');
        return fail(err instanceof AppError && !err.isServerError ? err.message : 'Social login failed. Please try again.');
      }
    },

    /** Swaps a one-time `rtCode` (60 s) plus the access token from the redirect for the refresh token. */
    async exchange(scope: ProjectScope, body: { rtCode?: string | undefined; token?: string | undefined }): Promise<string> {
      if (!body.rtCode || !body.token) throw badRequest('rtCode and token are required');
      const entry = /^[0-9a-f]{32}$/.test(body.rtCode) ? await kit.exchangeCodes.take<ExchangeEntry>(body.rtCode) : null;
      if (!entry) throw badRequest('Invalid or expired refresh token exchange code');
      if (entry.projectId !== scope.project._id || entry.token !== body.token)
        throw forbidden('Invalid refresh token exchange payload');
      return entry.refreshToken;
    },
  };
}

export type SocialService = ReturnType<typeof createSocialService>;

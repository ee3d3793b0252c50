import { createPublicKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '../errors/index.js';

/** Social login providers the product supports. */
export type OAuthProviderName = 'github' | 'google';

export const OAUTH_PROVIDERS: readonly OAuthProviderName[] = ['github', 'google'];

/** What a provider tells us about the person who signed in. */
export interface OAuthProfile {
  providerId: string;
  /** Trimmed and lower-cased; null when the provider gave none. */
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  username: string | null;
  avatarUrl: string | null;
}

/** A project's credentials for one provider (secret already decrypted). */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** One provider: builds the consent URL and turns a callback `code` into a profile. */
export interface OAuthProvider {
  readonly name: OAuthProviderName;
  authorizeUrl(client: Omit<OAuthClient, 'clientSecret'>, state: string): Promise<string>;
  /** Exchanges the code and reads the profile. Throws 502-like `UNAVAILABLE`/400 `AppError`s on provider failures. */
  profile(client: OAuthClient, code: string): Promise<OAuthProfile>;
}

/** Provider base URLs (configuration, so tests can point them at a local OAuth2 server). */
export interface OAuthProviderUrls {
  /** GitHub web base (`https://github.com`): `/login/oauth/authorize`, `/login/oauth/access_token`. */
  githubBaseUrl: string;
  /** GitHub API base (`https://api.github.com`): `/user`, `/user/emails`. */
  githubApiUrl: string;
  /** Google OpenID issuer (`https://accounts.google.com`); endpoints come from its discovery document. */
  googleIssuer: string;
}

export const DEFAULT_OAUTH_URLS: OAuthProviderUrls = {
  githubBaseUrl: 'https://github.com',
  githubApiUrl: 'https://api.github.com',
  googleIssuer: 'https://accounts.google.com',
};

const TIMEOUT_MS = 10_000;

const providerFailed = (provider: string, cause?: unknown) =>
  new AppError('VALIDATION_FAILED', `Could not complete ${provider} sign-in. Please try again.`, undefined, { cause });

async function fetchJson(url: string, init: RequestInit, provider: string): Promise<Record<string, unknown> | unknown[]> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw new AppError('UNAVAILABLE', `${provider} is not reachable right now. Please try again.`, undefined, { cause: err });
  }
  const body = (await res.json().catch(() => null)) as Record<string, unknown> | unknown[] | null;
  if (!res.ok || body === null) throw providerFailed(provider, new Error(`HTTP ${res.status} from ${url}`));
  return body;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const normEmail = (v: unknown): string | null => str(v)?.toLowerCase() ?? null;

function tokenForm(client: OAuthClient, code: string): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uri: client.redirectUri,
  });
}

function createGithub(urls: OAuthProviderUrls): OAuthProvider {
  const base = urls.githubBaseUrl.replace(/\/$/, '');
  const api = urls.githubApiUrl.replace(/\/$/, '');
  return {
    name: 'github',
    async authorizeUrl(client, state) {
      const q = new URLSearchParams({
        client_id: client.clientId,
        redirect_uri: client.redirectUri,
        // GitHub ignores response_type; standard OAuth2 servers (and test doubles) require it.
        response_type: 'code',
        scope: 'read:user user:email',
        state,
      });
      return `${base}/login/oauth/authorize?${q}`;
    },
    async profile(client, code) {
      const token = (await fetchJson(
        `${base}/login/oauth/access_token`,
        { method: 'POST', headers: { accept: 'application/json' }, body: tokenForm(client, code) },
        'GitHub',
      )) as Record<string, unknown>;
      const accessToken = str(token.access_token);
      if (!accessToken) throw providerFailed('GitHub');
      const headers = {
        authorization: `Bearer ${accessToken}`,
        accept: 'application/vnd.github+json',
        'user-agent': 'urbackend',
      };
      const user = (await fetchJson(`${api}/user`, { headers }, 'GitHub')) as Record<string, unknown>;
      const emails = await fetchJson(`${api}/user/emails`, { headers }, 'GitHub').catch(() => []);
      const list = (Array.isArray(emails) ? emails : []) as { email?: unknown; primary?: unknown; verified?: unknown }[];
      const chosen = list.find((e) => e.primary && e.verified) ?? list.find((e) => e.verified);
      const id = user.id;
      if (typeof id !== 'number' && typeof id !== 'string') throw providerFailed('GitHub');
      return {
        providerId: String(id),
        email: normEmail(chosen?.email) ?? normEmail(list.find((e) => e.primary)?.email) ?? normEmail(user.email),
        emailVerified: Boolean(chosen),
        name: str(user.name),
        username: str(user.login),
        avatarUrl: str(user.avatar_url),
      };
    },
  };
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  issuer: string;
}

function createGoogle(urls: OAuthProviderUrls): OAuthProvider {
  const issuer = urls.googleIssuer.replace(/\/$/, '');
  let discovery: { value: Discovery; at: number } | null = null;
  let jwks: { keys: Record<string, unknown>[]; at: number } | null = null;

  async function discover(): Promise<Discovery> {
    if (discovery && Date.now() - discovery.at < 3_600_000) return discovery.value;
    const doc = (await fetchJson(`${issuer}/.well-known/openid-configuration`, {}, 'Google')) as unknown as Discovery;
    discovery = { value: doc, at: Date.now() };
    return doc;
  }

  async function keyFor(kid: string | undefined): Promise<string> {
    const stale = !jwks || Date.now() - jwks.at > 3_600_000;
    let key = !stale ? jwks?.keys.find((k) => k.kid === kid) : undefined;
    if (!key) {
      const doc = (await fetchJson((await discover()).jwks_uri, {}, 'Google')) as { keys?: Record<string, unknown>[] };
      jwks = { keys: Array.isArray(doc.keys) ? doc.keys : [], at: Date.now() };
      key = jwks.keys.find((k) => k.kid === kid) ?? (kid === undefined ? jwks.keys[0] : undefined);
    }
    if (!key) throw providerFailed('Google', new Error('unknown id_token key'));
    return createPublicKey({ key: key as never, format: 'jwk' })
      .export({ format: 'pem', type: 'spki' })
      .toString();
  }

  return {
    name: 'google',
    async authorizeUrl(client, state) {
      const q = new URLSearchParams({
        client_id: client.clientId,
        redirect_uri: client.redirectUri,
        response_type: 'code',
        scope: 'openid email profile',
        access_type: 'offline',
        prompt: 'consent',
        state,
      });
      return `${(await discover()).authorization_endpoint}?${q}`;
    },
    async profile(client, code) {
      const d = await discover();
      const token = (await fetchJson(
        d.token_endpoint,
        { method: 'POST', headers: { accept: 'application/json' }, body: tokenForm(client, code) },
        'Google',
      )) as Record<string, unknown>;
      const idToken = str(token.id_token);
      if (!idToken) throw providerFailed('Google');
      const header = jwt.decode(idToken, { complete: true })?.header;
      let claims: Record<string, unknown>;
      try {
        const issuers: [string, ...string[]] = [d.issuer, issuer, issuer.replace(/^https:\/\//, '')];
        claims = jwt.verify(idToken, await keyFor(header?.kid), {
          algorithms: ['RS256'],
          audience: client.clientId,
          issuer: issuers,
        }) as Record<string, unknown>;
      } catch (err) {
        if (err instanceof AppError) throw err;
        throw providerFailed('Google', err);
      }
      const sub = str(claims.sub);
      if (!sub) throw providerFailed('Google');
      const email = normEmail(claims.email);
      return {
        providerId: sub,
        email,
        emailVerified: claims.email_verified === true || claims.email_verified === 'true',
        name: str(claims.name),
        username: email ? (email.split('@')[0] ?? null) : null,
        avatarUrl: str(claims.picture),
      };
    },
  };
}

/** Creates the providers with the given base URLs. */
export function createOAuthProviders(urls: Partial<OAuthProviderUrls> = {}): Record<OAuthProviderName, OAuthProvider> {
  const all = { ...DEFAULT_OAUTH_URLS, ...urls };
  return { github: createGithub(all), google: createGoogle(all) };
}

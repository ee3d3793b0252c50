/**
 * Real OAuth2/OIDC servers (`oauth2-mock-server`) shaped like GitHub and Google, for social-login
 * tests. The product reaches them through its OAUTH_* base-URL configuration.
 */
import { OAuth2Server } from 'oauth2-mock-server';

export interface MockProvider {
  url: string;
  server: OAuth2Server;
  close(): Promise<void>;
}

export interface GithubUser {
  id: number;
  login: string;
  name: string;
  email: string;
  verified: boolean;
}

/** GitHub-like: `/login/oauth/authorize`, `/login/oauth/access_token`, API `/user` and `/user/emails`. */
export async function startGithubLike(user: () => GithubUser): Promise<MockProvider> {
  const server = new OAuth2Server(undefined, undefined, {
    endpoints: { authorize: '/login/oauth/authorize', token: '/login/oauth/access_token', userinfo: '/user' },
  });
  await server.issuer.keys.generate('RS256');
  server.service.on('beforeUserinfo', (response: { body: unknown }) => {
    const u = user();
    response.body = { id: u.id, login: u.login, name: u.name, email: null, avatar_url: `https://avatars.example/${u.id}` };
  });
  server.service.addRoute('GET', '/user/emails', (_req, res) => {
    const u = user();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify([{ email: u.email, primary: true, verified: u.verified }]));
  });
  await server.start(0, '127.0.0.1');
  return { url: server.issuer.url ?? '', server, close: () => server.stop() };
}

/** Google-like OIDC provider: discovery, RS256 id_token carrying `email`, `email_verified`, `name`. */
export async function startGoogleLike(claims: () => { sub: string; email: string; email_verified: boolean; name: string }) {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  server.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) => {
    Object.assign(token.payload, claims());
  });
  await server.start(0, '127.0.0.1');
  return { url: server.issuer.url ?? '', server, close: () => server.stop() } satisfies MockProvider;
}

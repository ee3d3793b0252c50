import type { BenchRequest } from './load.js';
import { type LoadResult, runLoad } from './load.js';
/**
 * The scenario table of `pnpm bench` (issue 12): each scenario is one product request and the bare
 * baseline request doing the same database work. The forged-key flood has no baseline (it is
 * compared with GET one) and the login burst is its own procedure (`runLoginBurst`).
 */
import { BENCH_PASSWORD } from './seed.js';
import type { BenchStack } from './stack.js';

/** What the requests of a run need: keys, tokens, ids, cursors. */
export interface ScenarioContext {
  publishable: Record<string, string>;
  secret: Record<string, string>;
  userToken: string;
  /** The product's cursor after the first page of 20 (`nextCursor`). */
  cursor: string;
  bareAfter: string;
  userId: string;
  nextId(): string;
}

export interface Scenario {
  name: string;
  product: (c: ScenarioContext) => BenchRequest;
  /** null: compared with GET one's product req/s instead (forged-key flood). */
  bare: ((c: ScenarioContext) => BenchRequest) | null;
  expect: number;
  bareExpect?: number;
}

let counter = 0;
const json = (value: unknown) => JSON.stringify(value);
const bulkBody = json(Array.from({ length: 100 }, (_, i) => ({ title: `bulk ${i}`, views: i })));
/** A publishable key of the right shape whose check value is wrong (what a flood of guesses sends). */
const forgedKey = () => `pk_live_${Math.random().toString(36).slice(2).padEnd(43, 'x')}0123abcd${'y'.repeat(22)}`;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'GET one (publishable key)',
    product: (c) => ({ path: `/api/data/items/${c.nextId()}`, headers: c.publishable }),
    bare: (c) => ({ path: `/items/${c.nextId()}` }),
    expect: 200,
  },
  {
    name: 'list 20 (default sort)',
    product: (c) => ({ path: '/api/data/items?limit=20', headers: c.publishable }),
    bare: () => ({ path: '/items' }),
    expect: 200,
  },
  {
    name: 'list 20, filter on an indexed field',
    product: (c) => ({ path: `/api/data/items?limit=20&category=c${counter++ % 50}`, headers: c.publishable }),
    bare: () => ({ path: `/items?category=c${counter++ % 50}` }),
    expect: 200,
  },
  {
    name: 'cursor page (2nd page of 20)',
    product: (c) => ({ path: `/api/data/items?limit=20&cursor=${encodeURIComponent(c.cursor)}`, headers: c.publishable }),
    bare: (c) => ({ path: `/items?after=${c.bareAfter}` }),
    expect: 200,
  },
  {
    name: 'RLS-private list (user token)',
    product: (c) => ({ path: '/api/data/notes?limit=20', headers: { ...c.publishable, authorization: `Bearer ${c.userToken}` } }),
    bare: (c) => ({ path: `/notes?owner=${c.userId}` }),
    expect: 200,
  },
  {
    name: 'update (secret key)',
    product: (c) => ({
      method: 'PATCH',
      path: `/api/data/items/${c.nextId()}`,
      headers: c.secret,
      body: json({ views: counter++ }),
    }),
    bare: (c) => ({ method: 'PATCH', path: `/items/${c.nextId()}`, body: json({ views: counter++ }) }),
    expect: 200,
  },
  {
    name: 'insert (secret key, quota-charged)',
    product: (c) => ({
      method: 'POST',
      path: '/api/data/logs',
      headers: c.secret,
      body: json({ title: 'log', views: counter++ }),
    }),
    bare: () => ({ method: 'POST', path: '/logs', body: json({ title: 'log', views: counter++ }) }),
    expect: 201,
  },
  {
    name: 'bulk insert of 100',
    product: (c) => ({ method: 'POST', path: '/api/data/logs/bulk', headers: c.secret, body: bulkBody }),
    bare: () => ({ method: 'POST', path: '/logs/bulk', body: bulkBody }),
    expect: 201,
  },
  {
    name: 'forged-key flood',
    product: (c) => ({ path: `/api/data/items/${c.nextId()}`, headers: { 'x-api-key': forgedKey() } }),
    bare: null,
    expect: 401,
  },
];

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: json(body) });
  const parsed = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${json(parsed)}`);
  return parsed;
}

/** Logs in the end user and reads the first page's cursor: what the scenarios need from the running product. */
export async function createScenarioContext(stack: BenchStack): Promise<ScenarioContext> {
  const { seed, publicApi } = stack;
  const publishable = { 'x-api-key': seed.publishableKey };
  const login = await postJson(
    `${publicApi.url}/api/userAuth/login`,
    { email: seed.userEmail, password: BENCH_PASSWORD },
    publishable,
  );
  const first = await fetch(`${publicApi.url}/api/data/items?limit=20&cursor=`, { headers: publishable });
  const page = (await first.json()) as { data?: { nextCursor?: string } };
  if (!page.data?.nextCursor) throw new Error(`the cursor page answered ${first.status} without nextCursor`);
  let pick = 0;
  return {
    publishable,
    secret: { 'x-api-key': seed.secretKey },
    userToken: String(login.accessToken),
    cursor: page.data.nextCursor,
    bareAfter: seed.bareAfter,
    userId: seed.userId,
    nextId: () => seed.itemIds[pick++ % seed.itemIds.length] as string,
  };
}

/** A developer access token of the project's owner (for the dashboard-api reads). */
export async function ownerAccessToken(stack: BenchStack): Promise<string> {
  const body = await postJson(`${stack.dashboardApi.url}/api/auth/login`, {
    email: stack.seed.ownerEmail,
    password: BENCH_PASSWORD,
  });
  return String(body.accessToken);
}

export interface LoginBurstResult {
  alone: LoadResult;
  during: LoadResult;
  logins: LoadResult;
}

/**
 * A cheap GET at a fixed rate, alone and then during `burst` concurrent logins (closed loop, one
 * login after another per connection), on one side (product or baseline).
 */
export async function runLoginBurst(options: {
  url: string;
  get: () => BenchRequest;
  login: () => BenchRequest;
  seconds: number;
  rate: number;
  burst: number;
}): Promise<LoginBurstResult> {
  const probe = () =>
    runLoad({
      url: options.url,
      request: options.get,
      connections: 4,
      overallRate: options.rate,
      seconds: options.seconds,
      expect: 200,
    });
  const alone = await probe();
  const [during, logins] = await Promise.all([
    probe(),
    runLoad({ url: options.url, request: options.login, connections: options.burst, seconds: options.seconds, expect: 200 }),
  ]);
  return { alone, during, logins };
}

/** The login request of each side. */
export const loginRequests = (stack: BenchStack, c: ScenarioContext) => ({
  product: (): BenchRequest => ({
    method: 'POST',
    path: '/api/userAuth/login',
    headers: c.publishable,
    body: json({ email: stack.seed.userEmail, password: BENCH_PASSWORD }),
  }),
  bare: (): BenchRequest => ({
    method: 'POST',
    path: '/login',
    body: json({ email: stack.seed.userEmail, password: BENCH_PASSWORD }),
  }),
});

/**
 * Starts the whole product for browser tests and screenshots: the real dashboard API and public
 * API (in-process, on this run's own databases and Redis prefix), a real SMTP sink, the built web
 * dashboard served by `vite preview` (proxying /api to the dashboard API), and Debian's chromium.
 * Needs the services of the vitest global setup (URBACKEND_TEST_MONGODB_URI, and _REDIS_URL or
 * _REDIS_CLUSTER_NODES: `testRedisEnv()`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SmtpSink, createTestPlatform, startSmtpSink, testRedisEnv } from '@urbackend/common/testing';
import react from '@vitejs/plugin-react';
import { type Browser, type Page, chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { createApp as createDashboardApp } from '../../dashboard-api/src/app.js';
import { loadDashboardConfig } from '../../dashboard-api/src/config.js';
import { createDeps as createDashboardDeps } from '../../dashboard-api/src/deps.js';
import { createApp as createPublicApp } from '../../public-api/src/app.js';
import { loadPublicConfig } from '../../public-api/src/config.js';
import { createDeps as createPublicDeps } from '../../public-api/src/deps.js';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Stack {
  webUrl: string;
  dashboardUrl: string;
  publicUrl: string;
  mail: SmtpSink;
  browser: Browser;
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the servers need each other's URLs before they listen). */
export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function listen(app: { listen(port: number, host: string, cb: () => void): Server }, port: number): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Hash of everything the web build reads (sources, index.html, package.json, public assets). */
async function webSourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(file);
      else hash.update(file).update(await readFile(file));
    }
  };
  for (const name of ['index.html', 'package.json']) hash.update(name).update(await readFile(path.join(appRoot, name)));
  await walk(path.join(appRoot, 'src'));
  await walk(path.join(appRoot, 'public'));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The built web dashboard, built once per source version and shared by every test file of a run
 * (each file used to build its own: ~20 s of two cores each). The build needs no per-stack value:
 * the dashboard reads the public API URL from the project (`publicApiUrl`).
 */
async function webBuild(): Promise<string> {
  const dir = path.join(tmpdir(), `ub-web-build-${await webSourceHash()}`);
  if (existsSync(path.join(dir, 'index.html'))) return dir;
  const outDir = await mkdtemp(path.join(tmpdir(), 'ub-web-'));
  await build({
    root: appRoot,
    configFile: false,
    plugins: [react()],
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  });
  try {
    await rename(outDir, dir); // atomic: a concurrent file's build of the same sources wins or loses whole
  } catch {
    await rm(outDir, { recursive: true, force: true });
  }
  return dir;
}

/** Serves the built web dashboard with `vite preview` on `port`, proxying /api. */
async function serveWeb(port: number, apiUrl: string) {
  const server = await preview({
    root: appRoot,
    configFile: false,
    logLevel: 'silent',
    build: { outDir: await webBuild() },
    preview: { port, strictPort: true, host: '127.0.0.1', proxy: { '/api': { target: apiUrl } } },
  });
  return { close: () => server.close() };
}

/** Starts everything; `close()` stops it and drops this run's databases. `env` adds or overrides server variables (e.g. ADMIN_EMAIL). */
export async function startStack(label: string, options: { env?: Record<string, string> } = {}): Promise<Stack> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: install it with "apt-get install -y chromium".`);
  const platform = await createTestPlatform(label);
  const mail = await startSmtpSink();
  const [webPort, dashPort, publicPort] = [await freePort(), await freePort(), await freePort()];
  const webUrl = `http://127.0.0.1:${webPort}`;
  const dashboardUrl = `http://127.0.0.1:${dashPort}`;
  const publicUrl = `http://127.0.0.1:${publicPort}`;
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    MONGODB_URI: platform.mongoUri,
    ...testRedisEnv(),
    JWT_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    DASHBOARD_URL: webUrl,
    PUBLIC_API_URL: publicUrl,
    SMTP_URL: mail.url,
    ALLOW_PRIVATE_TARGETS: 'true',
    STORAGE_DIR: await mkdtemp(path.join(tmpdir(), 'ub-files-')),
    ...options.env,
  };
  const overrides = { db: platform.db, cache: platform.cache };
  const dashDeps = createDashboardDeps(loadDashboardConfig(env), platform.logger, overrides);
  const publicDeps = createPublicDeps(loadPublicConfig(env), platform.logger, overrides);
  await dashDeps.startup();
  publicDeps.start();
  const dashServer = await listen(createDashboardApp(dashDeps), dashPort);
  const publicServer = await listen(createPublicApp(publicDeps), publicPort);
  const web = await serveWeb(webPort, dashboardUrl);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  return {
    webUrl,
    dashboardUrl,
    publicUrl,
    mail,
    browser,
    async close() {
      const t = Date.now();
      const step = async (name: string, fn: () => Promise<unknown>) => {
        // Each step is bounded so one stuck closer cannot hang the test run.
        await Promise.race([fn().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
        if (process.env.STACK_DEBUG) process.stderr.write(`stack close: ${name} at ${Date.now() - t} ms\n`);
      };
      await step('browser', () => browser.close());
      await step('web', () => web.close());
      await step('servers', () => Promise.allSettled([closeServer(dashServer), closeServer(publicServer), mail.close()]));
      // Closing the deps flushes the request-log writer and stops the workers before the databases go.
      await step('deps', () => Promise.allSettled([dashDeps.close(), publicDeps.close()]));
      await step('cleanup', () => platform.cleanup());
      await step('files', () => rm(env.STORAGE_DIR, { recursive: true, force: true }));
    },
  };
}

/** Logs a developer in through the dashboard's login page and waits for the project list. */
export async function logInInBrowser(page: Page, webUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${webUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
}

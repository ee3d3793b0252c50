/** Helpers of the whole-stack end-to-end test: real API processes, plain HTTP, polling. */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { testRedisEnv, waitFor } from '@urbackend/common/testing';
import { freePort } from '../../../scripts/services/util.js';

const appsDir = path.resolve(import.meta.dirname, '../..');

/** A spawned API process (`node --import tsx src/main.ts` in its app folder). */
export interface ApiProcess {
  name: string;
  baseUrl: string;
  child: ChildProcess;
  /** Everything the process printed (for assertion messages). */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** SIGTERM and the exit code (null when it had to be killed after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | null>;
}

/** Starts one app from the environment alone on a free port and waits for `/api/health` to answer 200. */
export async function startApi(
  app: 'dashboard-api' | 'public-api',
  env: Record<string, string | undefined>,
): Promise<ApiProcess> {
  const port = await freePort();
  const portVar = app === 'dashboard-api' ? 'DASHBOARD_PORT' : 'PUBLIC_PORT';
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', 'src/main.ts'], {
    cwd: path.join(appsDir, app),
    env: { PATH: process.env.PATH, ...env, [portVar]: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const proc: ApiProcess = {
    name: app,
    baseUrl,
    child,
    output: () => output,
    exited,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}:\n${output}`);
        const res = await fetch(`${baseUrl}/api/health`).catch(() => undefined);
        return res?.ok;
      },
      { timeoutMs: 60_000, intervalMs: 100, message: () => `${app} did not start:\n${output}` },
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return proc;
}

/**
 * The environment both API processes of the stack test start with (fresh secrets each run), on the
 * run's Redis (`REDIS_URL`, or `REDIS_CLUSTER_NODES` in a cluster run).
 */
export function stackEnv(input: { mongoUri: string; smtpUrl: string; storageDir: string }) {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    MONGODB_URI: input.mongoUri,
    ...testRedisEnv(),
    JWT_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    ALLOW_PRIVATE_TARGETS: 'true',
    SMTP_URL: input.smtpUrl,
    STORAGE_DIR: input.storageDir,
    BCRYPT_COST: '4',
    // Both processes share the test Redis without a key prefix: per-IP counters would carry over
    // between runs (and other e2e files), so the IP limits are off and the plan quotas unlimited.
    RATE_LIMIT_PUBLIC_IP_PER_MIN: '0',
    RATE_LIMIT_DASHBOARD_IP_PER_15MIN: '0',
    RATE_LIMIT_AUTH_IP_PER_15MIN: '0',
    PLAN_LIMITS: JSON.stringify({ free: { reqPerMinute: -1, reqPerDay: -1 } }),
  };
}

/** A JSON HTTP answer. */
export interface JsonReply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** Sends JSON (with an optional Bearer token or extra headers) and parses the JSON answer. */
export async function json<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<JsonReply<T>> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/**
 * Polls `check` (with `waitFor` of `@urbackend/common/testing`, every 20 ms) until it returns true;
 * resolves with the elapsed milliseconds, rejects with `what` after `timeoutMs`.
 */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = performance.now();
  await waitFor(check, { timeoutMs, intervalMs: 20, message: what });
  return performance.now() - started;
}

/** The HTTP status an SDK call ended with: 200 when it resolved, else the error's `statusCode`. */
export function status(promise: Promise<unknown>): Promise<number> {
  return promise.then(
    () => 200,
    (err: { statusCode?: number }) => err.statusCode ?? -1,
  );
}

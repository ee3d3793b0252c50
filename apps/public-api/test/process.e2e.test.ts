/** The real server process: starts from the environment alone, serves, and exits 0 on SIGTERM. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { testRedisEnv, testServices, uniqueTestName, waitFor, withDatabase } from '@urbackend/common/testing';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../scripts/services/util.js';

const appDir = path.resolve(import.meta.dirname, '..');

describe('public-api process', () => {
  it('serves health from env-only configuration and shuts down cleanly on SIGTERM', async () => {
    const services = testServices();
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', 'src/main.ts'], {
      cwd: appDir,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        PUBLIC_PORT: String(port),
        MONGODB_URI: withDatabase(services.mongoUri, uniqueTestName('proc')),
        ...testRedisEnv(),
        JWT_SECRET: randomBytes(32).toString('hex'),
        ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const health = await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`public-api exited (${child.exitCode ?? child.signalCode}):\n${output}`);
        const res = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
        return res?.ok ? res : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100, message: () => `public-api did not answer /api/health:\n${output}` },
    );
    expect(health.status, output).toBe(200);
    expect(((await health.json()) as { dependencies: { mongodb: string } }).dependencies.mongodb).toBe('connected');

    child.kill('SIGTERM');
    expect(await exited, output).toBe(0);
  });

  it('refuses to start with a bad configuration and names every bad variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', 'src/main.ts'], {
      cwd: appDir,
      env: { PATH: process.env.PATH, MONGODB_URI: 'nope', ENCRYPTION_KEY: 'short' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    for (const name of ['MONGODB_URI', 'JWT_SECRET', 'ENCRYPTION_KEY']) expect(stderr).toContain(name);
  });
});

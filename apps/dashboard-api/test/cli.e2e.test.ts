import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardTestApp,
  type TestDeveloper,
  createDashboardTestApp,
  createTestProject,
  registerVerifiedDeveloper,
} from './helpers.js';

/**
 * The official CLI (`@urbackend/cli@0.2.0`, pinned in the root package.json, nobody here wrote it)
 * driven as a subprocess against a listening dashboard API, with a temporary HOME.
 */
const UB = path.join(import.meta.dirname, '../../../node_modules/@urbackend/cli/bin/ub.js');

let t: DashboardTestApp;
let server: Server;
let apiUrl: string;
let home: string;
let dev: TestDeveloper;
let token: string;
let projectId: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `ub <args>` (stdin optional) without blocking the in-process server. */
function ub(args: string[], stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [UB, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: home, URBACKEND_API_URL: apiUrl, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

beforeAll(async () => {
  t = await createDashboardTestApp('cli');
  server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  home = await mkdtemp(path.join(tmpdir(), 'ub-home-'));
  dev = await registerVerifiedDeveloper(t);
  await t.deps.models.Developer.updateOne({ email: dev.email }, { $set: { plan: 'pro' } });
  projectId = (await createTestProject(t.app, dev, 'Shop'))._id;
  for (const [name, schema] of [
    [
      'products',
      [
        { key: 'title', type: 'String', required: true },
        { key: 'price', type: 'Number' },
      ],
    ],
    ['drafts', [{ key: 'body', type: 'String' }]],
  ] as const) {
    await request(t.app)
      .post(`/api/projects/${projectId}/collections`)
      .set('Authorization', `Bearer ${dev.accessToken}`)
      .send({ name, schema })
      .expect(201);
  }
  const pat = await request(t.app)
    .post('/api/user/pats')
    .set('Authorization', `Bearer ${dev.accessToken}`)
    .send({ label: 'cli e2e', scopes: ['api:all'], ttlDays: 1 })
    .expect(201);
  token = pat.body.data.rawToken;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.cleanup();
  await rm(home, { recursive: true, force: true });
});

describe('@urbackend/cli@0.2.0 against our dashboard API', () => {
  it('login with a PAT saves it privately and prints the account', async () => {
    const bad = await ub(['login'], 'ubpat_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Invalid or expired token');

    const res = await ub(['login'], `${token}\n`);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Logged in successfully.');
    expect(res.stdout).toMatch(new RegExp(`Email\\s+${dev.email.replace('.', '\\.')}`));
    expect(res.stdout).toMatch(/Plan\s+pro/);
    expect(res.stdout).toMatch(/Scopes\s+api:all/);
    const file = path.join(home, '.ub', 'config.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ apiBase: apiUrl, pat: token });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('whoami shows the developer and the token type', async () => {
    const res = await ub(['whoami']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(dev.email);
    expect(res.stdout).toMatch(/Token type\s+human/);
  });

  it('project list, use and info show the real project', async () => {
    const list = await ub(['project', 'list']);
    expect(list.stdout).toContain('Found 1 project(s)');
    expect(list.stdout).toContain('Shop');
    expect(list.stdout).toMatch(new RegExp(`ID\\s+${projectId}`));
    expect(list.stdout).toMatch(/Collections 2/);

    const use = await ub(['project', 'use', 'shop']);
    expect(use.stdout).toContain(`Switched to project: Shop (${projectId})`);

    const info = await ub(['project', 'info']);
    expect(info.stdout).toMatch(new RegExp(`ID\\s+${projectId}`));
    expect(info.stdout).toMatch(/Collections\s+2/);
    expect(info.stdout).toContain('• products (2 fields)');
    expect(info.stdout).toContain('• drafts (1 field)');
  });

  it('collection list prints each schema and RLS mode', async () => {
    const res = await ub(['collection', 'list']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain('Collections in "Shop" (2)');
    expect(res.stdout).toContain('title: String*, price: Number');
    expect(res.stdout).toMatch(/RLS\s+disabled/);
  });

  it('collection delete removes the collection on the server', async () => {
    const res = await ub(['collection', 'delete', 'drafts', '--force']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain('Collection "drafts" deleted.');
    const project = await request(t.app).get(`/api/projects/${projectId}`).set('Authorization', `Bearer ${dev.accessToken}`);
    expect(project.body.collections.map((c: { name: string }) => c.name)).toEqual(['products']);
    const missing = await ub(['collection', 'delete', 'drafts', '--force']);
    expect(missing.stderr).toContain('Collection "drafts" not found in project "Shop".');
  });

  it('status prints the plan, usage against limits and the active project', async () => {
    const res = await ub(['status']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/Plan\s+PRO/);
    expect(res.stdout).toMatch(/Projects\s+1 \/ 10/);
    expect(res.stdout).toMatch(/Collections\s+1 \/ -1/);
    expect(res.stdout).toMatch(/Name\s+Shop/);
  });

  it('doctor finds every check passing (it probes /health without /api)', async () => {
    const res = await ub(['doctor', '--json']);
    const report = JSON.parse(res.stdout);
    expect(report).toMatchObject({
      configFound: true,
      patValid: true,
      projectSelected: true,
      projectAccessible: true,
      dashboardApiReachable: true,
      email: dev.email,
      plan: 'pro',
      projectName: 'Shop',
    });
    const text = await ub(['doctor']);
    expect(text.stdout).toContain('Everything looks good.');
  });

  it('a revoked token is reported as such; logout forgets it', async () => {
    const pats = await request(t.app).get('/api/user/pats').set('Authorization', `Bearer ${dev.accessToken}`).expect(200);
    await request(t.app)
      .delete(`/api/user/pats/${pats.body.data.pats[0].id}`)
      .set('Authorization', `Bearer ${dev.accessToken}`)
      .expect(200);
    const who = await ub(['whoami']);
    expect(who.code).toBe(1);
    expect(who.stderr).toContain("Token is invalid or expired. Run 'ub login' to re-authenticate.");
    const out = await ub(['logout']);
    expect(out.stdout).toContain('Logged out.');
    expect(JSON.parse(await readFile(path.join(home, '.ub', 'config.json'), 'utf8'))).not.toHaveProperty('pat');
    const after = await ub(['whoami']);
    expect(after.stderr).toContain("You are not logged in. Run 'ub login' first.");
  });
});

import { CONFIG_LOG_CATEGORIES, type ConfigCategory } from '@urbackend/common/models';
import { withDatabase } from '@urbackend/common/testing';
import { Types } from 'mongoose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardTestApp,
  type TestDeveloper,
  createDashboardTestApp,
  createTestProject,
  registerVerifiedDeveloper,
} from '../../../test/helpers.js';
import { loadDashboardConfig } from '../../config.js';
import type { DashboardScope } from '../../middleware/project-access.js';
import { MASKED, createConfigLogService, diffOf } from './config-log.service.js';

let t: DashboardTestApp;
let pro: TestDeveloper;
let stranger: TestDeveloper;

const auth = (dev: Pick<TestDeveloper, 'accessToken'>) => ({ Authorization: `Bearer ${dev.accessToken}` });

interface LogEntry {
  _id: string;
  projectId: string;
  changedBy: string | null;
  changedByEmail: string;
  category: string;
  label: string;
  diff: { field: string; from: unknown; to: unknown }[];
  changedAt: string;
}

/** Every entry of a project's config log, newest first, as the API answers it. */
async function logsOf(projectId: string, dev: TestDeveloper = pro): Promise<{ logs: LogEntry[]; text: string }> {
  const res = await request(t.app).get(`/api/projects/${projectId}/config-logs?limit=100`).set(auth(dev)).expect(200);
  expect(res.body).toMatchObject({ success: true, message: 'Configuration change logs retrieved successfully.' });
  return { logs: res.body.data.logs as LogEntry[], text: JSON.stringify(res.body) };
}

/** The one entry with this label (fails when absent or repeated). */
function entry(logs: LogEntry[], label: string): LogEntry {
  const found = logs.filter((l) => l.label === label);
  expect(
    found.map((l) => l.label),
    `one entry labelled "${label}"`,
  ).toEqual([label]);
  return found[0] as LogEntry;
}

beforeAll(async () => {
  t = await createDashboardTestApp('config-log');
  pro = await registerVerifiedDeveloper(t);
  await t.deps.models.Developer.updateOne({ email: pro.email }, { $set: { plan: 'pro' } });
  stranger = await registerVerifiedDeveloper(t);
});
afterAll(() => t.cleanup());

describe('config log: every change is recorded, secrets masked', () => {
  it('records a change of every category through the dashboard routes, with who and a masked diff', async () => {
    const p = await createTestProject(t.app, pro, 'Audit');
    const base = `/api/projects/${p._id}`;
    const send = (method: 'post' | 'patch' | 'delete', path: string, body?: object) => {
      const req = request(t.app)[method](`${base}${path}`).set(auth(pro));
      return body ? req.send(body) : req;
    };
    const GH_SECRET = 'gh-client-secret-do-not-log-1234';
    const S3_SECRET = 's3-secret-access-key-do-not-log';
    const WH_SECRET = 'webhook-secret-one-do-not-log';
    const WH_SECRET2 = 'webhook-secret-two-do-not-log';
    const dbUri = withDatabase(t.platform.mongoUri, `${t.platform.tenantDbPrefix}cfglog`);

    await send('patch', '', { name: 'Audit 2', siteUrl: 'https://app.example.com', allowPublishableUploads: true }).expect(200);
    const rotated = await send('post', '/api-key', { keyType: 'secret' }).expect(200);
    const newKey = rotated.body.apiKey as string;
    expect(newKey).toMatch(/^sk_live_/);
    await send('patch', '/allowed-domains', { domains: ['app.example.com', '*.example.org'] }).expect(200);
    const usersSchema = [
      { key: 'email', type: 'String', required: true },
      { key: 'password', type: 'String', required: true },
    ];
    await send('post', '/collections', { name: 'users', schema: usersSchema }).expect(201);
    await send('patch', '/auth/toggle', { enable: true }).expect(200);
    await send('patch', '/auth/providers', { github: { enabled: true, clientId: 'gh-client', clientSecret: GH_SECRET } }).expect(
      200,
    );
    await send('patch', '/byod-config', { dbUri }).expect(200);
    await send('delete', '/byod-config/db').expect(200);
    const s3 = {
      storageProvider: 's3',
      s3Bucket: 'files',
      s3AccessKeyId: 'AKIA1',
      s3SecretAccessKey: S3_SECRET,
      s3Endpoint: 'https://s3.example.com',
    };
    await send('patch', '/byod-config', s3).expect(200);
    const storedStorage = (await t.deps.models.Project.findById(p._id).lean())?.resources.storage.config as string;
    await send('delete', '/byod-config/storage').expect(200);
    await send('post', '/collections', {
      name: 'posts',
      schema: [
        { key: 'title', type: 'String' },
        { key: 'userId', type: 'String' },
      ],
    }).expect(201);
    await send('patch', '/collections/posts', {
      schema: [
        { key: 'title', type: 'String', required: true },
        { key: 'userId', type: 'String' },
        { key: 'body', type: 'String' },
      ],
    }).expect(200);
    await send('patch', '/collections/posts/rls', { enabled: true, mode: 'private' }).expect(200);
    await send('delete', '/collections/posts').expect(200);
    const hook = await send('post', '/webhooks', {
      name: 'orders',
      url: 'http://127.0.0.1:9/hook',
      secret: WH_SECRET,
      events: { posts: { insert: true } },
    }).expect(201);
    const hookId = hook.body.data._id as string;
    await send('patch', `/webhooks/${hookId}`, { secret: WH_SECRET2, enabled: false }).expect(200);
    await send('delete', `/webhooks/${hookId}`).expect(200);
    const template = await send('post', '/mail/templates', {
      name: 'Order shipped',
      subject: 'Shipped {{order}}',
      html: '<p>{{order}}</p>',
    }).expect(201);
    const templateId = template.body.data.template.id as string;
    await send('patch', `/mail/templates/${templateId}`, { subject: 'Your order {{order}} shipped' }).expect(200);
    await send('delete', `/mail/templates/${templateId}`).expect(200);
    // Members are recorded by the members module through the same interface.
    const actor = { type: 'developer', developerId: pro.userId, email: pro.email, role: 'owner', via: 'session' };
    await t.deps.configLog.record({ project: { _id: p._id }, actor } as unknown as DashboardScope, {
      category: 'member',
      label: 'Member invited: teammate@example.com',
      diff: diffOf({}, { email: 'teammate@example.com', role: 'viewer' }),
    });

    const { logs, text } = await logsOf(p._id);
    for (const raw of [newKey, GH_SECRET, S3_SECRET, WH_SECRET, WH_SECRET2, dbUri, storedStorage]) {
      expect(text, 'a secret reached the config log').not.toContain(raw);
    }
    for (const l of logs) {
      expect(l).toMatchObject({ projectId: p._id, changedBy: pro.userId, changedByEmail: pro.email });
      expect(Date.parse(l.changedAt)).not.toBeNaN();
    }
    const times = logs.map((l) => Date.parse(l.changedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(logs[0]?.category).toBe('member');

    const expected: [ConfigCategory, string][] = [
      ['project_info', 'Project info updated: name, siteUrl'],
      ['storage', 'Storage settings updated: uploads with the publishable key allowed'],
      ['api_key', 'Secret API key rotated'],
      ['allowed_domains', 'Allowed domains updated (2 domains)'],
      ['collection_schema', "Collection 'users' created"],
      ['auth', 'Authentication enabled'],
      ['auth_providers', 'OAuth providers updated: github'],
      ['byod_db', 'External database (BYOD) configuration updated'],
      ['byod_db', 'External database (BYOD) configuration removed'],
      ['byod_storage', 'External storage (BYOD) configuration updated'],
      ['byod_storage', 'External storage (BYOD) configuration removed'],
      ['collection_schema', "Collection 'posts' created"],
      ['collection_schema', "Schema of collection 'posts' updated"],
      ['collection_rls', "RLS settings updated for collection 'posts'"],
      ['collection_schema', "Collection 'posts' deleted"],
      ['webhook', "Webhook 'orders' created"],
      ['webhook', "Webhook 'orders' updated"],
      ['webhook', "Webhook 'orders' deleted"],
      ['mail_template', "Mail template 'Order shipped' created"],
      ['mail_template', "Mail template 'Order shipped' updated"],
      ['mail_template', "Mail template 'Order shipped' deleted"],
      ['member', 'Member invited: teammate@example.com'],
    ];
    expect([...logs].reverse().map((l) => [l.category, l.label])).toEqual(expected);

    expect(entry(logs, 'Project info updated: name, siteUrl').diff).toEqual([
      { field: 'name', from: 'Audit', to: 'Audit 2' },
      { field: 'siteUrl', from: '', to: 'https://app.example.com' },
    ]);
    expect(entry(logs, 'Storage settings updated: uploads with the publishable key allowed').diff).toEqual([
      { field: 'allowPublishableUploads', from: false, to: true },
    ]);
    expect(entry(logs, 'Secret API key rotated').diff).toEqual([{ field: 'secretKey', from: MASKED, to: MASKED }]);
    expect(entry(logs, 'Allowed domains updated (2 domains)').diff).toEqual([
      { field: 'allowedDomains', from: ['*'], to: ['app.example.com', '*.example.org'] },
    ]);
    expect(entry(logs, 'Authentication enabled').diff).toEqual([{ field: 'isAuthEnabled', from: false, to: true }]);
    expect(entry(logs, 'OAuth providers updated: github').diff).toEqual(
      expect.arrayContaining([
        { field: 'github.enabled', from: false, to: true },
        { field: 'github.clientId', from: '', to: 'gh-client' },
        { field: 'github.clientSecret', from: null, to: MASKED },
      ]),
    );
    expect(entry(logs, 'External database (BYOD) configuration updated').diff).toEqual(
      expect.arrayContaining([
        { field: 'isExternal', from: false, to: true },
        { field: 'config', from: null, to: MASKED },
      ]),
    );
    expect(entry(logs, 'External storage (BYOD) configuration removed').diff).toEqual(
      expect.arrayContaining([
        { field: 'config', from: MASKED, to: null },
        { field: 'provider', from: 's3', to: null },
      ]),
    );
    expect(entry(logs, "Schema of collection 'posts' updated").diff).toEqual([
      { field: 'schema.title', from: expect.objectContaining({ key: 'title' }), to: expect.objectContaining({ required: true }) },
      { field: 'schema.body', from: null, to: expect.objectContaining({ key: 'body', type: 'String' }) },
    ]);
    expect(entry(logs, "RLS settings updated for collection 'posts'").diff).toEqual([
      { field: 'rls.enabled', from: false, to: true },
      { field: 'rls.mode', from: 'public-read', to: 'private' },
    ]);
    expect(entry(logs, "Webhook 'orders' created").diff).toEqual(
      expect.arrayContaining([
        { field: 'url', from: null, to: 'http://127.0.0.1:9/hook' },
        { field: 'secret', from: null, to: MASKED },
      ]),
    );
    expect(entry(logs, "Webhook 'orders' updated").diff).toEqual([
      { field: 'enabled', from: true, to: false },
      { field: 'secret', from: MASKED, to: MASKED },
    ]);
    expect(entry(logs, "Mail template 'Order shipped' updated").diff).toEqual([
      { field: 'subject', from: 'Shipped {{order}}', to: 'Your order {{order}} shipped' },
    ]);
  });

  it('records nothing for a change that changes nothing, and a failed record never fails the change', async () => {
    const p = await createTestProject(t.app, pro, 'Noop');
    await request(t.app).patch(`/api/projects/${p._id}`).set(auth(pro)).send({ name: 'Noop' }).expect(200);
    await request(t.app).patch(`/api/projects/${p._id}/auth/toggle`).set(auth(pro)).send({ enable: false }).expect(200);
    expect((await logsOf(p._id)).logs).toEqual([]);
    const scope = { project: { _id: p._id }, actor: { type: 'developer', developerId: pro.userId, email: pro.email } };
    const bad = { category: 'not-a-category' as ConfigCategory, label: 'x' };
    await expect(t.deps.configLog.record(scope as unknown as DashboardScope, bad)).resolves.toBeUndefined();
    expect((await logsOf(p._id)).logs).toEqual([]);
  });
});

describe('GET /config-logs', () => {
  let pid: string;
  beforeAll(async () => {
    pid = (await createTestProject(t.app, pro, 'Paged'))._id;
    for (let n = 1; n <= 5; n++) {
      const domains = Array.from({ length: n }, (_, i) => `d${i}.example.com`);
      await request(t.app).patch(`/api/projects/${pid}/allowed-domains`).set(auth(pro)).send({ domains }).expect(200);
    }
    await request(t.app).patch(`/api/projects/${pid}`).set(auth(pro)).send({ description: 'paged' }).expect(200);
  });

  it('pages newest first (page default 1, limit default 30, at most 100)', async () => {
    const url = `/api/projects/${pid}/config-logs`;
    const all = await request(t.app).get(url).set(auth(pro)).expect(200);
    expect(all.body.data.pagination).toEqual({ page: 1, limit: 30, total: 6, totalPages: 1 });
    const first = await request(t.app).get(`${url}?page=1&limit=2`).set(auth(pro)).expect(200);
    expect(first.body.data.pagination).toEqual({ page: 1, limit: 2, total: 6, totalPages: 3 });
    expect(first.body.data.logs.map((l: LogEntry) => l.label)).toEqual([
      'Project info updated: description',
      'Allowed domains updated (5 domains)',
    ]);
    const last = await request(t.app).get(`${url}?page=3&limit=2`).set(auth(pro)).expect(200);
    expect(last.body.data.logs.map((l: LogEntry) => l.label)).toEqual([
      'Allowed domains updated (2 domains)',
      'Allowed domains updated (1 domain)',
    ]);
    const capped = await request(t.app).get(`${url}?limit=500`).set(auth(pro)).expect(200);
    expect(capped.body.data.pagination.limit).toBe(100);
    const beyond = await request(t.app).get(`${url}?page=9`).set(auth(pro)).expect(200);
    expect(beyond.body.data).toEqual({ logs: [], pagination: { page: 9, limit: 30, total: 6, totalPages: 1 } });
  });

  it('filters by category and refuses an unknown one (400)', async () => {
    const url = `/api/projects/${pid}/config-logs`;
    const domains = await request(t.app).get(`${url}?category=allowed_domains`).set(auth(pro)).expect(200);
    expect(domains.body.data.pagination.total).toBe(5);
    expect(new Set(domains.body.data.logs.map((l: LogEntry) => l.category))).toEqual(new Set(['allowed_domains']));
    const none = await request(t.app).get(`${url}?category=webhook`).set(auth(pro)).expect(200);
    expect(none.body.data).toEqual({ logs: [], pagination: { page: 1, limit: 30, total: 0, totalPages: 0 } });
    const bad = await request(t.app).get(`${url}?category=resend`).set(auth(pro)).expect(400);
    expect(bad.body).toEqual({
      success: false,
      error: `Invalid category. Allowed values: ${CONFIG_LOG_CATEGORIES.join(', ')}`,
      code: 400,
    });
  });

  it("answers 404 for a developer without access, and shows no other project's entries", async () => {
    const res = await request(t.app).get(`/api/projects/${pid}/config-logs`).set(auth(stranger)).expect(404);
    expect(res.body).toEqual({ success: false, error: 'Project not found.', code: 404 });
    await request(t.app).get(`/api/projects/${pid}/config-logs`).expect(401);
    const own = await createTestProject(t.app, stranger, 'Other');
    expect((await logsOf(own._id, stranger)).logs).toEqual([]);
  });

  it('is deleted with the project', async () => {
    const doomed = await createTestProject(t.app, pro, 'Doomed');
    await request(t.app).patch(`/api/projects/${doomed._id}`).set(auth(pro)).send({ name: 'Doomed 2' }).expect(200);
    expect(await t.deps.models.ConfigLog.countDocuments({ projectId: doomed._id })).toBe(1);
    await request(t.app).delete(`/api/projects/${doomed._id}`).set(auth(pro)).expect(200);
    expect(await t.deps.models.ConfigLog.countDocuments({ projectId: doomed._id })).toBe(0);
  });
});

describe('retention', () => {
  const DAY = 86_400_000;
  const seed = async (projectId: Types.ObjectId, label: string, ageDays: number) =>
    t.deps.models.ConfigLog.create({
      projectId,
      changedBy: new Types.ObjectId(),
      changedByEmail: 'old@example.com',
      category: 'project_info',
      label,
      diff: [],
      changedAt: new Date(Date.now() - ageDays * DAY),
    });
  const labelsOf = async (projectId: Types.ObjectId) =>
    (await t.deps.models.ConfigLog.find({ projectId }).lean()).map((l) => l.label).sort();

  it('the cleanup job removes only the entries older than the retention (default 90 days)', async () => {
    expect(t.deps.configLog.retentionDays).toBe(90);
    const a = new Types.ObjectId();
    const b = new Types.ObjectId();
    await seed(a, 'a-91d', 91);
    await seed(a, 'a-89d', 89);
    await seed(a, 'a-now', 0);
    await seed(b, 'b-200d', 200);
    await seed(b, 'b-1d', 1);
    const removed = await t.deps.configLog.cleanup.runOnce();
    expect(removed).toBeGreaterThanOrEqual(2);
    expect(await labelsOf(a)).toEqual(['a-89d', 'a-now']);
    expect(await labelsOf(b)).toEqual(['b-1d']);

    const weekly = createConfigLogService({
      ConfigLog: t.deps.models.ConfigLog,
      Project: t.deps.models.Project,
      cache: t.deps.cache,
      logger: t.deps.logger,
      retentionDays: 7,
    });
    await weekly.purge();
    expect(await labelsOf(a)).toEqual(['a-now']);
    expect(await labelsOf(b)).toEqual(['b-1d']);
  });

  it('is configured by CONFIG_LOG_RETENTION_DAYS (default 90, at least 1)', () => {
    const env = { MONGODB_URI: 'mongodb://127.0.0.1/x', JWT_SECRET: 'j'.repeat(32), ENCRYPTION_KEY: 'a'.repeat(64) };
    expect(loadDashboardConfig(env).dashboard.configLogRetentionDays).toBe(90);
    expect(loadDashboardConfig({ ...env, CONFIG_LOG_RETENTION_DAYS: '' }).dashboard.configLogRetentionDays).toBe(90);
    expect(loadDashboardConfig({ ...env, CONFIG_LOG_RETENTION_DAYS: '30' }).dashboard.configLogRetentionDays).toBe(30);
    expect(() => loadDashboardConfig({ ...env, CONFIG_LOG_RETENTION_DAYS: '0' })).toThrow(/CONFIG_LOG_RETENTION_DAYS/);
  });
});

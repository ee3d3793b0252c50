import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type WebhookModel, createPlatformModels } from '../models/index.js';
import { type TestPlatform, createTestPlatform, waitFor } from '../testing/index.js';
import { type HookIndex, createHookIndex } from './hook-index.js';

let platform: TestPlatform;
let Webhook: WebhookModel;
/** Two indexes on one Redis: two processes. */
let a: HookIndex;
let b: HookIndex;
const projectId = '64b0000000000000000000aa';

beforeAll(async () => {
  platform = await createTestPlatform('hook-index');
  Webhook = createPlatformModels(platform.db.connection).Webhook;
  const options = { webhooks: Webhook, cache: platform.cache, logger: platform.logger };
  a = createHookIndex(options);
  b = createHookIndex(options);
});
afterAll(async () => {
  await a.close();
  await b.close();
  await platform.cleanup();
});

describe('the per-project webhook index', () => {
  it('reads a project without webhooks once, then answers from memory', async () => {
    expect(await a.hooksOf(projectId)).toEqual([]);
    const find = vi.spyOn(Webhook, 'find');
    for (let i = 0; i < 20; i++) expect(await a.hooksOf(projectId)).toEqual([]);
    expect(find).not.toHaveBeenCalled();
    find.mockRestore();
  });

  it('a webhook created through another process is seen here within a second', async () => {
    expect(await a.hooksOf(projectId)).toEqual([]);
    await Webhook.create({ projectId, name: 'w', url: 'https://example.com/h', secret: 'x', enabled: true, events: {} });
    await b.changed(projectId);
    await waitFor(async () => (await a.hooksOf(projectId)).length === 1, { timeoutMs: 1000 });
  });

  it('a disabled or deleted webhook leaves the index within a second too', async () => {
    await Webhook.updateMany({ projectId }, { $set: { enabled: false } });
    await b.changed(projectId);
    await waitFor(async () => (await a.hooksOf(projectId)).length === 0, { timeoutMs: 1000 });
  });
});

import { type TestPlatform, createTestPlatform } from '@urbackend/common/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDashboardConfig } from '../test/helpers.js';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { createDeps } from './deps.js';

let platform: TestPlatform;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  platform = await createTestPlatform('dashboard-app');
  const config = testDashboardConfig(platform, null) as Config;
  app = createApp(createDeps(config, platform.logger, { db: platform.db, cache: platform.cache }));
});
afterAll(() => platform.cleanup());

describe('dashboard API foundation', () => {
  it('reports health and readiness', async () => {
    const res = await request(app).get('/api/health').expect(200);
    expect(res.body.dependencies.mongodb).toBe('connected');
    await request(app).get('/api/ready').expect(200);
  });

  it('answers unknown routes with a JSON 404 before any auth check', async () => {
    const res = await request(app).delete('/api/projects/nope/secret').expect(404);
    expect(res.body).toMatchObject({ success: false, code: 404 });
  });

  it('allows only the configured dashboard origins, with credentials', async () => {
    const ok = await request(app).get('/api/health').set('Origin', 'http://localhost:5173');
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    const evil = await request(app).get('/api/health').set('Origin', 'https://evil.example');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });
});

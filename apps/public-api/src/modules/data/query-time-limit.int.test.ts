import type { TestProject } from '@urbackend/common/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from '../../testing/harness.js';

/**
 * Queries are time-limited (SECURITY "Input"; CONTRACT §3.7): every read runs with
 * `maxTimeMS` = QUERY_MAX_TIME_MS (regex filters: at most 2 s). With a 1 ms limit, scans over
 * 20 000 documents exceed it on FerretDB and MongoDB alike; the API answers a 503 in the
 * envelope at once instead of hanging or answering 500.
 */

let h: Harness;
let p: TestProject;
const DOCS = 20_000;

beforeAll(async () => {
  h = await createHarness('querytime', { queryMaxTimeMs: 1 });
  p = await h.project({
    collections: [
      {
        name: 'logs',
        model: [
          { key: 'line', type: 'String' },
          { key: 'n', type: 'Number' },
        ],
      },
    ],
  });
  const collection = h.platform.db.tenantDb(p.projectId).collection('logs');
  const filler = 'x'.repeat(100);
  for (let start = 0; start < DOCS; start += 5000) {
    const docs = Array.from({ length: 5000 }, (_, i) => ({ line: `line ${start + i} ${filler}`, n: start + i }));
    await collection.insertMany(docs);
  }
}, 120_000);
afterAll(() => h.close());

const sk = () => ({ 'x-api-key': p.secretKey });
const TOO_LONG = {
  success: false,
  error: 'The query took too long and was stopped. Narrow the filter and retry.',
  code: 503,
};

describe('query time limit', () => {
  it.each([
    ['a regex filter', '/api/data/logs?line_regex=(a|b)*zz$'],
    ['a sort over every document', '/api/data/logs?sort=line:desc&n_gte=0'],
    ['a count', '/api/data/logs?count=true&line_regex=zz'],
  ])('stops %s at the limit with a 503 in the envelope', async (_name, url) => {
    const started = Date.now();
    const res = await request(h.app).get(url).set(sk());
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.status).toBe(503);
    expect(res.body).toEqual(TOO_LONG);
  });

  it('stops an aggregation at the limit with a 503 in the envelope', async () => {
    const res = await request(h.app)
      .post('/api/data/logs/aggregate')
      .set(sk())
      .send({ pipeline: [{ $match: { line: { $regex: 'zz' } } }, { $group: { _id: '$n', c: { $sum: 1 } } }] });
    expect(res.status).toBe(503);
    expect(res.body).toEqual(TOO_LONG);
  });
});

import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { redactPaths } from '../logger/index.js';
import { httpLogger } from './http-logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()));
      cb();
    },
  });
  return { logger: pino({ redact: { paths: redactPaths, censor: '[redacted]' } }, stream), lines };
}

describe('the request log line', () => {
  it('keeps the path and cuts credentials out of the query string', async () => {
    const { logger, lines } = capture();
    const app = express();
    app.use(httpLogger(logger));
    app.get('/api/data/:c', (_req, res) => {
      res.json({ ok: true });
    });
    await request(app).get('/api/data/posts?key=pk_live_secret&limit=5&ticket=t1').expect(200);
    expect(lines).toHaveLength(1);
    const req = lines[0]?.req as Record<string, unknown>;
    expect(req.path).toBe('/api/data/posts?key=[redacted]&limit=5&ticket=[redacted]');
    expect(JSON.stringify(lines)).not.toContain('pk_live_secret');
  });

  it('writes no line for a request flagged quietReject (summed up elsewhere)', async () => {
    const { logger, lines } = capture();
    const app = express();
    app.use(httpLogger(logger));
    app.get('/x', (_req, res) => {
      res.locals.quietReject = true;
      res.status(401).json({});
    });
    app.get('/y', (_req, res) => {
      res.status(401).json({});
    });
    await request(app).get('/x').expect(401);
    await request(app).get('/y').expect(401);
    expect(lines.map((l) => (l.req as { path: string }).path)).toEqual(['/y']);
  });
});

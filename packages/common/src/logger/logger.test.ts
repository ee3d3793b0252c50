import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createErrorSerializer, redactPaths, redactUri } from './index.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { logger: pino({ redact: { paths: redactPaths, censor: '[redacted]' } }, stream), lines };
}

describe('logger redaction', () => {
  it('removes credentials, passwords, secrets and URIs from log lines', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        req: { headers: { authorization: 'Bearer abc.def', 'x-api-key': 'sk_live_xyz', cookie: 'refreshToken=r1' } },
        body: { password: 'hunter22', nested: { clientSecret: 'cs-1' } },
        dbUri: 'mongodb://u:p@h',
      },
      'request',
    );
    const line = lines.join('');
    for (const secret of ['abc.def', 'sk_live_xyz', 'refreshToken=r1', 'hunter22', 'cs-1', 'mongodb://u:p@h']) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[redacted]');
  });

  it('redacts credentials inside URIs', () => {
    expect(redactUri('mongodb://user:pass@db.example.com/x')).toBe('mongodb://[redacted]@db.example.com/x');
    expect(redactUri('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});

describe('error serializer', () => {
  it('logs no stack trace and no URI credentials unless stacks are enabled', () => {
    const err = new Error('connect failed for mongodb://admin:hunter2@db.internal:27017/x');
    const safe = createErrorSerializer(false)(err);
    expect(safe.message).toBe('connect failed for mongodb://[redacted]@db.internal:27017/x');
    expect(safe.stack).toBeUndefined();
    expect(JSON.stringify(safe)).not.toContain('hunter2');
    const dev = createErrorSerializer(true)(err);
    expect(String(dev.stack)).toContain('Error: connect failed');
    expect(String(dev.stack)).not.toContain('hunter2');
  });
});

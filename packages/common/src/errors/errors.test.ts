import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, toAppError } from './index.js';

describe('toAppError', () => {
  const cases: Array<[string, unknown, number, string | RegExp]> = [
    ['AppError passes through', new AppError('NOT_FOUND', 'Nope'), 404, 'Nope'],
    ['duplicate key', Object.assign(new Error('E11000 dup'), { code: 11000, keyValue: { email: 'a' } }), 409, /email/],
    [
      'duplicate key on update (FerretDB 1.24)',
      Object.assign(
        new Error("[msg_update.go:133] constraint failed: UNIQUE constraint failed: index 'posts_f10c3da3_unique_slug_1' (2067)"),
        { code: 1, codeName: 'InternalError' },
      ),
      409,
      /\(slug\)/,
    ],
    ['cast error', Object.assign(new Error('Cast'), { name: 'CastError', path: 'age' }), 400, /age/],
    ['body too large', Object.assign(new Error('big'), { type: 'entity.too.large', status: 413 }), 413, 'Payload too large.'],
    ['multer size', Object.assign(new Error('big'), { code: 'LIMIT_FILE_SIZE' }), 413, 'Payload too large.'],
    ['bad json', Object.assign(new SyntaxError('x'), { type: 'entity.parse.failed', status: 400 }), 400, /Invalid JSON/],
    ['db down', Object.assign(new Error('x'), { name: 'MongoServerSelectionError' }), 503, /Database/],
    [
      'query over maxTimeMS',
      Object.assign(new Error('operation exceeded time limit'), { name: 'MongoServerError', code: 50 }),
      503,
      /took too long/,
    ],
    ['anything else', new Error('secret internal path /etc/x'), 500, 'Internal server error.'],
    ['a string', 'boom', 500, 'Internal server error.'],
  ];
  it.each(cases)('%s', (_name, input, status, message) => {
    const mapped = toAppError(input);
    expect(mapped.status).toBe(status);
    if (typeof message === 'string') expect(mapped.message).toBe(message);
    else expect(mapped.message).toMatch(message);
  });

  it('maps zod errors to 400 with one detail per issue', () => {
    const result = z.object({ a: z.string(), b: z.number() }).safeParse({ a: 1, b: 'x' });
    if (result.success) throw new Error('expected failure');
    const mapped = toAppError(result.error);
    expect(mapped.status).toBe(400);
    expect(mapped.details?.map((d) => d.path)).toEqual(['a', 'b']);
  });
});

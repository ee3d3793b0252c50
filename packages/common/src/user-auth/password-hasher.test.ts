import bcryptjs from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { HASHING_BUSY, createPasswordHasher } from './password-hasher.js';

describe('createPasswordHasher', () => {
  it.each(['native', 'bcryptjs'] as const)('%s engine writes $2b$ hashes with the configured cost', async (engine) => {
    const hasher = createPasswordHasher({ cost: 5, engine });
    expect(hasher.engine).toBe(engine);
    const hash = await hasher.hash('correct horse');
    expect(hash).toMatch(/^\$2b\$05\$/);
    expect(await hasher.verify('correct horse', hash)).toBe(true);
    expect(await hasher.verify('wrong horse', hash)).toBe(false);
  });

  it('reads hashes written by the other engine and by the original product (bcryptjs)', async () => {
    const native = createPasswordHasher({ cost: 4 });
    const js = createPasswordHasher({ cost: 4, engine: 'bcryptjs' });
    expect(await js.verify('pw-123456', await native.hash('pw-123456'))).toBe(true);
    expect(await native.verify('pw-123456', await js.hash('pw-123456'))).toBe(true);
    expect(await native.verify('pw-123456', bcryptjs.hashSync('pw-123456', 4))).toBe(true);
  });

  it('answers false (not an error) for a missing or malformed hash', async () => {
    const hasher = createPasswordHasher({ cost: 4 });
    expect(await hasher.verify('x', null)).toBe(false);
    expect(await hasher.verify('x', undefined)).toBe(false);
    expect(await hasher.verify('x', 'not-a-hash')).toBe(false);
  });

  it('refuses a cost outside 4..15', () => {
    expect(() => createPasswordHasher({ cost: 3 })).toThrow(/cost/);
    expect(() => createPasswordHasher({ cost: 16 })).toThrow(/cost/);
  });

  it('runs a bounded number of hashes at once and refuses beyond the queue with 503 and Retry-After', async () => {
    const hasher = createPasswordHasher({ cost: 6, maxConcurrent: 1, maxQueued: 2 });
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => hasher.hash(`pw-${i}`)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(3);
    for (const r of refused) {
      expect(r.reason).toMatchObject({ status: 503, message: HASHING_BUSY, headers: { 'Retry-After': '1' } });
    }
    // Once the queue drains, work is accepted again (and a refused check still answers later).
    expect(await hasher.verify('pw-0', (ok[0] as PromiseFulfilledResult<string>).value)).toBe(true);
    expect(await hasher.verify('x', null)).toBe(false);
  });
});

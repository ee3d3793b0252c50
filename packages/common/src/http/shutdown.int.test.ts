import { type AddressInfo, createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger/index.js';
import { gracefulShutdown } from './shutdown.js';

describe('gracefulShutdown', () => {
  it('finishes the in-flight request, refuses new connections, then runs the closers', async () => {
    const server = createServer((_req, res) => {
      setTimeout(() => res.end('done'), 300);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const inFlight = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50));
    const closed: string[] = [];
    const shutdown = gracefulShutdown({
      server,
      logger: createLogger({ name: 'test', level: 'silent' }),
      graceMs: 5000,
      closers: [async () => void closed.push('db')],
    });
    await new Promise((r) => setTimeout(r, 20));
    await expect(fetch(`http://127.0.0.1:${port}/new`)).rejects.toThrow();
    expect(await inFlight).toBe('done');
    await shutdown;
    expect(closed).toEqual(['db']);
  });

  it('cuts connections that outlive the grace period', async () => {
    const server = createServer(() => {
      // never answers
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const hanging = fetch(`http://127.0.0.1:${port}/hang`).catch(() => 'cut');
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await gracefulShutdown({ server, logger: createLogger({ name: 'test', level: 'silent' }), graceMs: 200, closers: [] });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await hanging).toBe('cut');
  });
});

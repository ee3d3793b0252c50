import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger/index.js';
import { gracefulShutdown } from './shutdown.js';

describe('gracefulShutdown', () => {
  it('finishes the in-flight request, refuses new connections, then runs the closers', async () => {
    let arrived: () => void = () => undefined;
    const requestArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const server = createServer((_req, res) => {
      arrived();
      // A slow handler (part of the simulated server): still busy when the shutdown starts.
      setTimeout(() => res.end('done'), 300);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const inFlight = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.text());
    await requestArrived;
    const closed: string[] = [];
    const shutdown = gracefulShutdown({
      server,
      logger: createLogger({ name: 'test', level: 'silent' }),
      graceMs: 5000,
      closers: [async () => void closed.push('db')],
    });
    // gracefulShutdown stops listening synchronously (server.close() in its first step).
    expect(server.listening).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/new`)).rejects.toThrow();
    expect(await inFlight).toBe('done');
    await shutdown;
    expect(closed).toEqual(['db']);
  });

  it('cuts connections that outlive the grace period', async () => {
    let arrived: () => void = () => undefined;
    const requestArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const server = createServer(() => {
      arrived(); // never answers
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const hanging = fetch(`http://127.0.0.1:${port}/hang`).catch(() => 'cut');
    await requestArrived;
    const started = Date.now();
    await gracefulShutdown({ server, logger: createLogger({ name: 'test', level: 'silent' }), graceMs: 200, closers: [] });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await hanging).toBe('cut');
  });
});

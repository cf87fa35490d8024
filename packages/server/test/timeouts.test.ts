import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { startPostern, type TestPostern } from './helpers.js';

/**
 * Issue 14 item 6: idle sockets and requests trickled in byte by byte are closed by the
 * server. The timeouts are set short here; the assertions are about what the server does
 * (closes the socket, before the client could finish), not about how fast.
 */
describe('request, header and keep-alive timeouts', () => {
  let p: TestPostern;
  let port: number;
  beforeAll(async () => {
    p = await startPostern(
      'sqlite',
      { POSTERN_HEADERS_TIMEOUT_MS: '300', POSTERN_REQUEST_TIMEOUT_MS: '600', POSTERN_KEEP_ALIVE_TIMEOUT_MS: '300' },
      { housekeeping: false },
    );
    await p.app.listen({ port: 0, host: '127.0.0.1' });
    port = (p.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await p?.close();
  });

  /** A raw socket that records what the server sends and whether it closed. */
  function open(): Promise<{ socket: Socket; received: () => string; closed: Promise<void>; isClosed: () => boolean }> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let data = '';
      let done = false;
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (data += d));
      const closed = new Promise<void>((r) => socket.on('close', () => ((done = true), r())));
      socket.on('error', () => undefined);
      socket.once('connect', () => resolve({ socket, received: () => data, closed, isClosed: () => done }));
      socket.once('error', reject);
    });
  }

  /** Writes one byte at a time with a pause between, until the socket closes or all is sent. */
  async function trickle(
    c: { socket: Socket; isClosed: () => boolean },
    text: string,
    pauseMs: number,
  ): Promise<number> {
    let sent = 0;
    for (const ch of text) {
      if (c.isClosed() || c.socket.destroyed) break;
      c.socket.write(ch);
      sent++;
      await new Promise((r) => setTimeout(r, pauseMs));
    }
    return sent;
  }

  it('closes a connection that never sends anything', async () => {
    const c = await open();
    await c.closed;
    expect(c.isClosed()).toBe(true);
  }, 20_000);

  it('closes a request whose body is trickled one byte at a time, before the body is complete', async () => {
    const c = await open();
    const body = JSON.stringify({ email: 'slow@example.test', password: 'x'.repeat(400) });
    c.socket.write(
      `POST /api/experience/sign-in/password HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    const sent = await trickle(c, body, 50);
    await c.closed;
    expect(sent).toBeLessThan(body.length);
    // Node answers 408 when it can; never a response to the unfinished request.
    expect(c.received() === '' || c.received().startsWith('HTTP/1.1 408 ')).toBe(true);
  }, 60_000);

  it('closes a request whose headers are trickled one byte at a time', async () => {
    const c = await open();
    const head = `GET /healthz HTTP/1.1\r\nHost: localhost\r\n${'X-Slow: ' + 'a'.repeat(400)}\r\n\r\n`;
    const sent = await trickle(c, head, 50);
    await c.closed;
    expect(sent).toBeLessThan(head.length);
    expect(c.received() === '' || c.received().startsWith('HTTP/1.1 408 ')).toBe(true);
  }, 60_000);

  it('answers a normal request, then closes the idle keep-alive connection', async () => {
    const c = await open();
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(c.received()).toMatch(/keep-alive/i);
  }, 20_000);
});

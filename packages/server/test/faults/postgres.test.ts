import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startTcpProxy, type TcpProxy } from '../../src/testing/proxies/tcp.js';
import { PG_URL, startPostern, type TestPostern } from '../helpers.js';

/**
 * PostgreSQL goes away under load and comes back, without restarting the shared server:
 * Postern reaches it through a TCP proxy that the test cuts and restores.
 */
describe('PostgreSQL unavailable during load', () => {
  let proxy: TcpProxy;
  let p: TestPostern;
  const tag = randomBytes(4).toString('hex');
  const pub = (method: string, url: string, body?: unknown) =>
    p.app.inject({ method: method as never, url, ...(body !== undefined ? { payload: body as object } : {}) });

  beforeAll(async () => {
    const target = new URL(PG_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const url = new URL(PG_URL);
    url.port = String(proxy.port);
    p = await startPostern('postgres', { DATABASE_URL: url.toString() }, { housekeeping: false });
    expect((await p.api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0, maxSendsPerRecipientPerHour: 1000 })).status).toBe(200);
  });
  afterAll(async () => {
    proxy?.resume();
    await p?.close();
    await proxy?.close();
  });

  /** What a client sees on the calls that need the database. */
  const load = () =>
    Promise.all([
      p.api('POST', '/api/verification-codes', { email: `load-${tag}-${randomBytes(3).toString('hex')}@example.test` }),
      p.api('GET', '/api/email-logs'),
      p.api('GET', '/api/users'),
      p.api('POST', '/api/verification-codes/verify', { verificationId: 'x', email: `v-${tag}@example.test`, code: '123456' }),
      pub('POST', '/api/experience/verification-codes', { email: `exp-${tag}@example.test`, intent: 'sign-in' }).then((r) => ({ status: r.statusCode, body: JSON.parse(r.body) })),
      pub('POST', '/api/experience/sign-in/password', { email: `exp-${tag}@example.test`, password: 'a password here' }).then((r) => ({ status: r.statusCode, body: JSON.parse(r.body) })),
    ]);

  it('works through the proxy before the cut', async () => {
    const rs = await load();
    expect(rs.map((r) => r.status)).not.toContain(503);
    expect(rs[0]!.status).toBe(201);
    expect((await pub('GET', '/readyz')).statusCode).toBe(200);
  });

  it('while cut: 503 service.unavailable (never 500) on every call that needs the database; /readyz 503, /healthz 200', async () => {
    proxy.pause();
    const rounds = await Promise.all([load(), load(), load()]);
    for (const r of rounds.flat()) {
      expect(r.status, JSON.stringify(r.body)).toBe(503);
      expect(r.body.code).toBe('service.unavailable');
      expect(typeof r.body.message).toBe('string');
      expect(JSON.stringify(r.body)).not.toMatch(/\bat .+\.(ts|js):\d+|ECONNRESET|127\.0\.0\.1/);
    }
    const ready = await pub('GET', '/readyz');
    expect(ready.statusCode).toBe(503);
    expect(JSON.parse(ready.body).code).toBe('service.unavailable');
    expect((await pub('GET', '/healthz')).statusCode).toBe(200);
  });

  it('after resuming, the same Postern serves again', async () => {
    proxy.resume();
    let ready = 0;
    for (let i = 0; i < 100 && ready !== 200; i++) {
      ready = (await pub('GET', '/readyz')).statusCode;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(ready).toBe(200);
    const rs = await load();
    expect(rs.map((r) => r.status)).not.toContain(503);
    expect(rs[0]!.status).toBe(201);
    expect(rs[1]!.status).toBe(200);
    expect((await pub('GET', '/healthz')).statusCode).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startTcpProxy, type TcpProxy } from '../../src/testing/proxies/tcp.js';
import { startPostern, type TestPostern } from '../helpers.js';

const REDIS = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

/** The shared rate-limit store goes away: sends and verifies fail closed, then limits work again. */
describe('Redis unavailable', () => {
  let proxy: TcpProxy;
  let p: TestPostern;
  const tag = randomBytes(4).toString('hex');
  const addr = (n: string) => `${n}-${tag}@example.test`;

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: REDIS.hostname, port: Number(REDIS.port || 6379) });
    p = await startPostern('sqlite', { REDIS_URL: `redis://127.0.0.1:${proxy.port}` }, { housekeeping: false });
    expect((await p.api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0, maxSendsPerRecipientPerHour: 2 })).status).toBe(200);
    // The first connection to Redis is made in the background (see the start-up test below).
    for (let i = 0; i < 100 && (await send(addr('warm-up'))).status !== 201; i++) await new Promise((r) => setTimeout(r, 20));
  });
  afterAll(async () => {
    proxy?.resume();
    await p?.close();
    await proxy?.close();
  });

  /** A request that never answers is a hang; turn it into a failure that says so. */
  const answered = <T,>(label: string, r: Promise<T>) =>
    Promise.race([r, new Promise<{ status: string; body: { code: string } }>((ok) => setTimeout(() => ok({ status: `no answer within 5 s (${label})`, body: { code: 'hang' } }), 5000).unref())]);
  const send = (email: string) => p.api('POST', '/api/verification-codes', { email });
  const pubSend = (email: string) =>
    p.app.inject({ method: 'POST', url: '/api/experience/verification-codes', payload: { email, intent: 'sign-in' } }).then((r) => ({ status: r.statusCode, body: JSON.parse(r.body) }));

  it('limits work through the proxy', async () => {
    expect((await send(addr('before'))).status).toBe(201);
    expect((await send(addr('before'))).status).toBe(201);
    const third = await send(addr('before'));
    expect(third.status).toBe(429);
  });

  it('while cut, sends and verifies are refused with 503, never let through unlimited', async () => {
    const issued = await send(addr('verify'));
    expect(issued.status).toBe(201);
    proxy.pause();
    const results = await Promise.all([
      ...Array.from({ length: 10 }, () => answered('management send', send(addr('during')))),
      ...Array.from({ length: 5 }, () => answered('experience send', pubSend(addr('during-pub')))),
      answered('verify', p.api('POST', '/api/verification-codes/verify', { verificationId: issued.body.verificationId, email: addr('verify'), code: '000000' })),
    ]);
    for (const r of results) {
      expect(r.status, JSON.stringify(r.body)).toBe(503);
      expect(r.body.code).toBe('service.unavailable');
    }
    // Nothing was delivered while the limiter could not count.
    const box = await p.api('GET', `/api/mailbox?limit=200`);
    expect(box.body.items.filter((m: { to: string }) => m.to.startsWith('during'))).toHaveLength(0);
  });

  it('after resuming, sends work and the per-recipient limit holds again', async () => {
    proxy.resume();
    let status = 0;
    for (let i = 0; i < 100 && status !== 201; i++) {
      status = (await send(addr('after'))).status;
      if (status !== 201) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(201);
    expect((await send(addr('after'))).status).toBe(201);
    const over = await send(addr('after'));
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('verification_code.rate_limited');
  });
});

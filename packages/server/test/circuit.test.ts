import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startWebhookPeer, type WebhookPeer } from '../src/testing/peers/webhook.js';
import { startPostern, type TestPostern } from './helpers.js';

/**
 * Circuit breaker per connector (SPEC §15) against a primary that takes requests and never
 * answers. The clock is moved forward instead of waiting out the open period.
 */
describe('the circuit breaker', () => {
  let p: TestPostern;
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };
  const peers: WebhookPeer[] = [];
  const run = randomBytes(3).toString('hex');
  let n = 0;
  const addr = () => `circuit-${run}-${++n}@example.test`;
  const peer = async (script: Array<'stall'> = []) => {
    const x = await startWebhookPeer({ script });
    peers.push(x);
    return x;
  };
  beforeAll(async () => {
    p = await startPostern(
      'sqlite',
      { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' },
      {
        clock,
        deliveryRules: { attemptTimeoutMs: 150, totalBudgetMs: 3000, baseBackoffMs: 20 },
        outboxWorker: false,
        housekeeping: false,
      },
    );
    await p.api('PATCH', '/api/verification-code-policy', {
      resendCooldownSeconds: 0,
      maxSendsPerRecipientPerHour: 1000,
    });
  });
  afterAll(async () => {
    await p?.close();
    for (const x of peers) await x.close();
  });
  const health = async (role: string) =>
    (await p.api('GET', '/api/connectors/health')).body.items.find((i: { role: string }) => i.role === role);

  it('opens after 5 failures: then fails at once with 503 connector.circuit_open without reaching the primary, and a half-open probe closes it', async () => {
    // 5 sends × 3 attempts stall; after that the primary answers again.
    const dead = await peer(Array.from({ length: 15 }, () => 'stall' as const));
    expect(
      (await p.api('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: dead.url } })).status,
    ).toBe(200);
    const failures = await Promise.all(
      Array.from({ length: 5 }, () => p.api('POST', '/api/verification-codes', { email: addr() })),
    );
    expect(failures.map((f) => f.body.code)).toEqual(Array(5).fill('connector.timeout'));
    expect(dead.received).toHaveLength(15);
    expect((await health('primary')).circuit).toBe('open');

    const refused = await p.api('POST', '/api/verification-codes', { email: addr() });
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('connector.circuit_open');
    expect(refused.body.details.retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused.body.details.retryAfter).toBeLessThanOrEqual(30);
    expect(refused.headers['retry-after']).toBe(String(refused.body.details.retryAfter));
    expect(dead.received).toHaveLength(15);

    const h = await health('primary');
    expect(h).toMatchObject({ factoryId: 'http', circuit: 'open', failed5m: 5, sent5m: 0 });
    expect(h.lastError.code).toBe('connector.timeout');
    const metrics = await p.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/postern_connector_circuit_state\{tenant="default",role="primary",factory="http"\} 2/);

    offset += 31_000;
    expect((await health('primary')).circuit).toBe('half-open');
    const probe = await p.api('POST', '/api/verification-codes', { email: addr() });
    expect(probe.status).toBe(201);
    expect(dead.received).toHaveLength(16);
    expect(await health('primary')).toMatchObject({ circuit: 'closed', sent5m: 1 });
  });

  it('a failed half-open probe opens the circuit again', async () => {
    const dead = await peer(Array.from({ length: 30 }, () => 'stall' as const));
    expect(
      (await p.api('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: dead.url } })).status,
    ).toBe(200);
    await Promise.all(Array.from({ length: 5 }, () => p.api('POST', '/api/verification-codes', { email: addr() })));
    expect((await health('primary')).circuit).toBe('open');
    offset += 31_000;
    const probe = await p.api('POST', '/api/verification-codes', { email: addr() });
    expect(probe.body.code).toBe('connector.timeout');
    expect((await health('primary')).circuit).toBe('open');
    const seen = dead.received.length;
    expect((await p.api('POST', '/api/verification-codes', { email: addr() })).body.code).toBe(
      'connector.circuit_open',
    );
    expect(dead.received).toHaveLength(seen);
  });

  it('with a fallback, an open primary is skipped: the fallback delivers at once and the primary sees nothing', async () => {
    const dead = await peer(Array.from({ length: 100 }, () => 'stall' as const));
    const good = await peer();
    expect(
      (await p.api('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: dead.url } })).status,
    ).toBe(200);
    expect(
      (await p.api('PUT', '/api/connectors/email/fallback', { factoryId: 'http', config: { endpoint: good.url } }))
        .status,
    ).toBe(200);
    const first = await Promise.all(
      Array.from({ length: 5 }, () => p.api('POST', '/api/verification-codes', { email: addr() })),
    );
    expect(first.map((r) => r.status)).toEqual(Array(5).fill(201));
    // With a fallback the primary gets one attempt per send: failover on the first error.
    expect(dead.received).toHaveLength(5);
    expect((await health('primary')).circuit).toBe('open');

    const to = addr();
    const r = await p.api('POST', '/api/verification-codes', { email: to });
    expect(r.status).toBe(201);
    expect(dead.received).toHaveLength(5);
    expect(good.received.map((x) => (x.body as { to: string }).to)).toContain(to);
    const log = (await p.api('GET', `/api/email-logs?to=${encodeURIComponent(to)}`)).body.items[0];
    expect(log.attemptLog.map((a: { role: string; outcome: string }) => `${a.role}:${a.outcome}`)).toEqual([
      'primary:skipped',
      'fallback:sent',
    ]);
    expect(await health('fallback')).toMatchObject({ circuit: 'closed', sent5m: 6 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startWebhookPeer, type WebhookPeer } from '../src/testing/peers/webhook.js';
import { startPostern, type TestPostern } from './helpers.js';

/** An HTTP receiver that takes requests and, while `dead`, never answers them. */
async function switchable() {
  const state = { dead: true, received: 0 };
  const held = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.received += 1;
      if (state.dead) return void held.add(res);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `ok_${state.received}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/**
 * Circuit breaker per connector (SPEC §15) against a primary that takes requests and never
 * answers. The clock is moved forward instead of waiting out the open period.
 */
describe('the circuit breaker', () => {
  let p: TestPostern;
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };
  const peers: Array<WebhookPeer | Awaited<ReturnType<typeof switchable>>> = [];
  const dead = async () => {
    const x = await switchable();
    peers.push(x);
    return x;
  };
  const run = randomBytes(3).toString('hex');
  let n = 0;
  const addr = () => `circuit-${run}-${++n}@example.test`;
  const peer = async () => {
    const x = await startWebhookPeer();
    peers.push(x);
    return x;
  };
  beforeAll(async () => {
    p = await startPostern(
      'sqlite',
      { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' },
      {
        clock,
        deliveryRules: { attemptTimeoutMs: 300, totalBudgetMs: 3000, baseBackoffMs: 20 },
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
    const primary = await dead();
    expect(
      (await p.api('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: primary.url } })).status,
    ).toBe(200);
    const failures = await Promise.all(
      Array.from({ length: 5 }, () => p.api('POST', '/api/verification-codes', { email: addr() })),
    );
    expect(failures.map((f) => f.body.code)).toEqual(Array(5).fill('connector.timeout'));
    expect((await health('primary')).circuit).toBe('open');
    const seen = primary.state.received;

    const refused = await p.api('POST', '/api/verification-codes', { email: addr() });
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('connector.circuit_open');
    expect(refused.body.details.retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused.body.details.retryAfter).toBeLessThanOrEqual(30);
    expect(refused.headers['retry-after']).toBe(String(refused.body.details.retryAfter));
    expect(primary.state.received).toBe(seen);

    const h = await health('primary');
    expect(h).toMatchObject({ factoryId: 'http', circuit: 'open', failed5m: 5, sent5m: 0 });
    expect(h.lastError.code).toBe('connector.timeout');
    const metrics = await p.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/postern_connector_circuit_state\{tenant="default",role="primary",factory="http"\} 2/);

    offset += 31_000;
    expect((await health('primary')).circuit).toBe('half-open');
    primary.state.dead = false;
    const probe = await p.api('POST', '/api/verification-codes', { email: addr() });
    expect(probe.status).toBe(201);
    expect(primary.state.received).toBe(seen + 1);
    expect(await health('primary')).toMatchObject({ circuit: 'closed', sent5m: 1 });
  });

  it('a failed half-open probe opens the circuit again', async () => {
    const primary = await dead();
    expect(
      (await p.api('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: primary.url } })).status,
    ).toBe(200);
    await Promise.all(Array.from({ length: 5 }, () => p.api('POST', '/api/verification-codes', { email: addr() })));
    expect((await health('primary')).circuit).toBe('open');
    offset += 31_000;
    const probe = await p.api('POST', '/api/verification-codes', { email: addr() });
    expect(probe.body.code).toBe('connector.timeout');
    expect((await health('primary')).circuit).toBe('open');
    const seen = primary.state.received;
    expect((await p.api('POST', '/api/verification-codes', { email: addr() })).body.code).toBe(
      'connector.circuit_open',
    );
    expect(primary.state.received).toBe(seen);
  });

  it('with a fallback, an open primary is skipped: the fallback delivers at once and the primary sees nothing', async () => {
    const primary = await dead();
    const good = await peer();
    expect(
      (await p.api('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: primary.url } })).status,
    ).toBe(200);
    expect(
      (await p.api('PUT', '/api/connectors/email/fallback', { factoryId: 'http', config: { endpoint: good.url } }))
        .status,
    ).toBe(200);
    const first = await Promise.all(
      Array.from({ length: 5 }, () => p.api('POST', '/api/verification-codes', { email: addr() })),
    );
    expect(first.map((r) => r.status)).toEqual(Array(5).fill(201));
    expect((await health('primary')).circuit).toBe('open');
    // With a fallback the primary gets one attempt per send: failover on the first error.
    const log = async (to: string) =>
      (await p.api('GET', `/api/email-logs?to=${encodeURIComponent(to)}`)).body.items[0];
    expect((await log(`circuit-${run}-${n}@example.test`)).attemptLog[0]).toMatchObject({
      role: 'primary',
      outcome: 'failed',
      attempts: 1,
    });
    const seen = primary.state.received;

    const to = addr();
    const r = await p.api('POST', '/api/verification-codes', { email: to });
    expect(r.status).toBe(201);
    expect(primary.state.received).toBe(seen);
    expect(good.received.map((x) => (x.body as { to: string }).to)).toContain(to);
    expect((await log(to)).attemptLog.map((a: { role: string; outcome: string }) => `${a.role}:${a.outcome}`)).toEqual([
      'primary:skipped',
      'fallback:sent',
    ]);
    expect(await health('fallback')).toMatchObject({ circuit: 'closed', sent5m: 6 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { DIALECTS, startPostern, type TestPostern } from '../helpers.js';
import { until } from '../faults/spawn.js';
import { startWebhookPeer, type WebhookPeer } from '../../src/testing/peers/webhook.js';
import { deliverStandardWebhook, newWebhookSecret } from '../../src/testing/peers/standard-webhook-events.js';

/** An app's webhook receiver on 127.0.0.1: records every request, answers `status` (200). */
interface Receiver {
  url: string;
  port: number;
  status: number;
  got: Array<{ headers: Record<string, string>; raw: string; body: any }>;
  close(): Promise<void>;
}

async function startReceiver(port = 0): Promise<Receiver> {
  const r: Receiver = { url: '', port: 0, status: 200, got: [], close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // kept as text
      }
      r.got.push({ headers, raw, body });
      res.writeHead(r.status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  r.port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${r.port}/postern-events`;
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}

const verify = (secret: string, got: { headers: Record<string, string>; raw: string }) =>
  new Webhook(secret).verify(got.raw, got.headers) as { type: string; timestamp: string; data: any };

for (const dialect of DIALECTS) {
  describe(`event webhooks (${dialect})`, () => {
    let p: TestPostern;
    let base = '';
    let sendPeer: WebhookPeer;
    const sendSecret = newWebhookSecret();
    const closers: Array<() => Promise<void>> = [];
    const tenant = 'hooks';
    const api = (method: string, path: string, body?: unknown) => p.api(method, `/t/${tenant}${path}`, body);
    const addr = (what: string) => `${what}-${randomUUID().slice(0, 8)}@example.test`;

    beforeAll(async () => {
      p = await startPostern(
        dialect,
        { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' },
        { webhooks: { pollMs: 50, retryBaseMs: 100, retryMaxMs: 400 } },
      );
      base = await p.app.listen({ port: 0, host: '127.0.0.1' });
      sendPeer = await startWebhookPeer({ secret: sendSecret });
      closers.push(() => sendPeer.close());
      expect((await p.api('POST', '/api/tenants', { id: tenant, name: tenant })).status).toBe(201);
      await api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0 });
      const c = await api('PUT', '/api/connectors/email', {
        factoryId: 'http',
        config: { endpoint: sendPeer.url, signingSecret: sendSecret },
      });
      expect(c.status).toBe(200);
    });
    afterAll(async () => {
      await p?.close();
      for (const c of closers) await c();
    });

    async function hook(url: string, events: string[]) {
      const r = await api('POST', '/api/webhooks', { url, events });
      expect(r.status).toBe(201);
      return r.body as { id: string; secret: string };
    }

    it('creates, reads, lists, changes and deletes a webhook; the secret is shown only at creation', async () => {
      const made = await api('POST', '/api/webhooks', {
        url: 'http://127.0.0.1:9/hook',
        events: ['email.sent', 'email.bounced', 'email.sent'],
      });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({
        url: 'http://127.0.0.1:9/hook',
        events: ['email.sent', 'email.bounced'],
        enabled: true,
        disabledReason: null,
      });
      expect(made.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const got = await api('GET', `/api/webhooks/${made.body.id}`);
      expect(got.status).toBe(200);
      expect(got.body.secret).toBeUndefined();
      expect(JSON.stringify((await api('GET', '/api/webhooks')).body)).not.toContain(made.body.secret);
      const patched = await api('PATCH', `/api/webhooks/${made.body.id}`, { events: ['email.failed'], enabled: false });
      expect(patched.body).toMatchObject({ events: ['email.failed'], enabled: false, url: 'http://127.0.0.1:9/hook' });
      expect((await api('PATCH', `/api/webhooks/${made.body.id}`, { nope: 1 })).status).toBe(400);
      expect((await api('DELETE', `/api/webhooks/${made.body.id}`)).status).toBe(204);
      expect((await api('GET', `/api/webhooks/${made.body.id}`)).body.code).toBe('webhook.not_found');
      expect((await api('GET', `/api/webhooks/${made.body.id}/deliveries`)).status).toBe(404);
      // Another tenant cannot see it.
      const other = await hook('http://127.0.0.1:9/other', ['email.sent']);
      expect((await p.api('GET', `/api/webhooks/${other.id}`)).status).toBe(404);
      await api('DELETE', `/api/webhooks/${other.id}`);
    });

    it('refuses plain http outside the allow list, private destinations, unknown events and credentials in the URL', async () => {
      const http1 = await api('POST', '/api/webhooks', { url: 'http://example.com/hook', events: ['email.sent'] });
      expect(http1.status).toBe(400);
      expect(http1.body.message).toMatch(/https/);
      for (const url of [
        'https://10.1.2.3/hook',
        'https://[::1]/hook',
        'https://169.254.169.254/latest',
        'https://192.168.0.1/',
      ]) {
        const r = await api('POST', '/api/webhooks', { url, events: ['email.sent'] });
        expect(r.status, url).toBe(422);
        expect(r.body.code).toBe('connector.destination_blocked');
      }
      for (const body of [
        { url: 'ftp://127.0.0.1/x', events: ['email.sent'] },
        { url: 'not a url', events: ['email.sent'] },
        { url: 'http://u:p@127.0.0.1/x', events: ['email.sent'] },
        { url: 'http://127.0.0.1/x', events: ['email.opened'] },
        { url: 'http://127.0.0.1/x', events: [] },
        { url: 'http://127.0.0.1/x' },
      ]) {
        const r = await api('POST', '/api/webhooks', body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.body.code).toBe('request.invalid');
      }
      const h = await hook('http://127.0.0.1:9/ok', ['email.sent']);
      const moved = await api('PATCH', `/api/webhooks/${h.id}`, { url: 'https://10.0.0.1/' });
      expect(moved.body.code).toBe('connector.destination_blocked');
      await api('DELETE', `/api/webhooks/${h.id}`);
    });

    it("an app's webhook gets email.sent then email.bounced for the same message, verifiable with standardwebhooks", async () => {
      const rx = await startReceiver();
      closers.push(() => rx.close());
      const h = await hook(rx.url, ['email.sent', 'email.bounced', 'email.complained']);
      const to = addr('bounce');
      expect((await api('POST', '/api/verification-codes', { email: to })).status).toBe(201);
      await until('email.sent received', () => rx.got.length === 1);
      const sent = verify(h.secret, rx.got[0]!);
      expect(sent.type).toBe('email.sent');
      expect(sent.data).toMatchObject({ tenantId: tenant, to, templateType: expect.any(String), status: 'sent' });
      const providerMessageId = sent.data.providerMessageId as string;
      expect(providerMessageId).toBeTruthy();
      // No code in what the app receives.
      const code = JSON.parse(sendPeer.received.at(-1)!.raw).variables?.code as string | undefined;
      if (code) expect(rx.got[0]!.raw).not.toContain(code);

      // The provider reports a hard bounce (the HTTP connector's receiver, signed with its secret).
      const bounce = await deliverStandardWebhook(`${base}/t/${tenant}/api/provider-events/http`, sendSecret, {
        messageId: providerMessageId,
        event: 'bounced',
        recipient: to,
        bounceType: 'hard',
        reason: '550 5.1.1 no such user',
      });
      expect(bounce.status).toBe(200);
      await until('email.bounced received', () => rx.got.length === 2);
      const bounced = verify(h.secret, rx.got[1]!);
      expect(bounced.type).toBe('email.bounced');
      expect(bounced.data).toMatchObject({
        emailLogId: sent.data.emailLogId,
        to,
        bounceType: 'hard',
        source: 'http',
      });
      expect(rx.got[0]!.headers['webhook-id']).not.toBe(rx.got[1]!.headers['webhook-id']);
      // Not for another secret.
      expect(() => verify(newWebhookSecret(), rx.got[1]!)).toThrow();

      // The receiver answers before the delivery row records it: wait for both to be marked.
      let deliveries = await api('GET', `/api/webhooks/${h.id}/deliveries`);
      await until('both deliveries recorded', async () => {
        deliveries = await api('GET', `/api/webhooks/${h.id}/deliveries`);
        return deliveries.body.items.every((d: any) => d.state === 'delivered');
      });
      expect(deliveries.body.items.map((d: any) => [d.eventType, d.state, d.lastStatus])).toEqual([
        ['email.bounced', 'delivered', 200],
        ['email.sent', 'delivered', 200],
      ]);
      // The suppressed address: the next send is refused, and the app hears of it only if it asked.
      expect((await api('POST', '/api/verification-codes', { email: to })).status).toBe(422);
      await api('DELETE', `/api/webhooks/${h.id}`);
    });

    it('a receiver that is down gets the event later', async () => {
      const gone = await startReceiver();
      const port = gone.port;
      const url = gone.url;
      await gone.close();
      const h = await hook(url, ['email.sent']);
      const to = addr('later');
      expect((await api('POST', '/api/verification-codes', { email: to })).status).toBe(201);
      await until('a failed attempt recorded', async () => {
        const d = (await api('GET', `/api/webhooks/${h.id}/deliveries`)).body.items[0];
        return d?.attempts >= 1 && d.state !== 'delivered';
      });
      const failed = (await api('GET', `/api/webhooks/${h.id}/deliveries`)).body.items[0];
      expect(failed).toMatchObject({ eventType: 'email.sent', lastError: expect.stringMatching(/refused|reached/) });
      expect((await api('GET', `/api/webhooks/${h.id}`)).body.failingSince).toEqual(expect.any(String));

      const back = await startReceiver(port);
      closers.push(() => back.close());
      await until('the event delivered after the receiver came back', () => back.got.length >= 1);
      const event = verify(h.secret, back.got[0]!);
      expect(event).toMatchObject({ type: 'email.sent', data: { to } });
      expect(back.got[0]!.headers['webhook-id']).toBe(failed.eventId);
      await until('the delivery marked delivered', async () => {
        const d = (await api('GET', `/api/webhooks/${h.id}/deliveries`)).body.items[0];
        return d.state === 'delivered';
      });
      expect((await api('GET', `/api/webhooks/${h.id}`)).body.failingSince).toBeNull();
      await api('DELETE', `/api/webhooks/${h.id}`);
    });

    it('a rotation signs with both secrets for 24 h; the test event and a redelivery keep their webhook-id', async () => {
      const rx = await startReceiver();
      closers.push(() => rx.close());
      const h = await hook(rx.url, ['email.failed']);
      const test = await api('POST', `/api/webhooks/${h.id}/test`);
      expect(test.status).toBe(201);
      expect(test.body).toMatchObject({ eventType: 'webhook.test', state: 'delivered', attempts: 1, lastStatus: 200 });
      expect(rx.got).toHaveLength(1);
      expect(verify(h.secret, rx.got[0]!).type).toBe('webhook.test');
      expect(rx.got[0]!.headers['webhook-signature']!.split(' ')).toHaveLength(1);

      const rotated = await api('POST', `/api/webhooks/${h.id}/secret`);
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(h.secret);
      expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
      expect((await api('GET', `/api/webhooks/${h.id}`)).body.secret).toBeUndefined();

      const again = await api('POST', `/api/webhooks/${h.id}/deliveries/${test.body.id}/redeliver`);
      expect(again.status).toBe(201);
      expect(again.body).toMatchObject({ state: 'delivered', eventId: test.body.eventId });
      expect(again.body.id).not.toBe(test.body.id);
      const got = rx.got[1]!;
      expect(got.headers['webhook-id']).toBe(rx.got[0]!.headers['webhook-id']);
      expect(got.headers['webhook-signature']!.split(' ')).toHaveLength(2);
      expect(verify(rotated.body.secret, got).type).toBe('webhook.test');
      expect(verify(h.secret, got).type).toBe('webhook.test');

      expect((await api('POST', `/api/webhooks/${h.id}/deliveries/whd_nope/redeliver`)).body.code).toBe(
        'webhook.delivery_not_found',
      );
      await api('DELETE', `/api/webhooks/${h.id}`);
    });

    it('user and verification events reach the endpoints that asked for them', async () => {
      const rx = await startReceiver();
      closers.push(() => rx.close());
      const h = await hook(rx.url, [
        'user.created',
        'user.signed_in',
        'user.password_changed',
        'user.email_changed',
        'verification.failed_too_often',
        'verification.rate_limited',
      ]);
      const email = addr('user');
      const password = 'A-long-passphrase-42!';
      const made = await api('POST', '/api/users', { email, password });
      expect(made.status).toBe(201);
      const signIn = await p.app.inject({
        method: 'POST',
        url: `/t/${tenant}/api/experience/sign-in/password`,
        payload: { email, password },
      });
      expect(signIn.statusCode).toBe(200);
      expect((await api('PATCH', `/api/users/${made.body.id}`, { password: 'Another-long-pass-43!' })).status).toBe(
        200,
      );
      const moved = addr('moved');
      expect((await api('PATCH', `/api/users/${made.body.id}`, { email: moved })).status).toBe(200);

      const target = addr('guess');
      const code = await api('POST', '/api/verification-codes', { email: target });
      for (let i = 0; i < 5; i++) {
        const r = await api('POST', '/api/verification-codes/verify', {
          verificationId: code.body.verificationId,
          email: target,
          code: 'not-the-code',
        });
        expect(r.status).toBe(400);
      }
      await api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 60 });
      const limited = addr('limited');
      expect((await api('POST', '/api/verification-codes', { email: limited })).status).toBe(201);
      expect((await api('POST', '/api/verification-codes', { email: limited })).status).toBe(429);
      await api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0 });

      await until('six events', () => rx.got.length >= 6);
      const events = rx.got.map((g) => verify(h.secret, g));
      expect(events.map((e) => e.type).sort()).toEqual(
        [
          'user.created',
          'user.signed_in',
          'user.password_changed',
          'user.email_changed',
          'verification.failed_too_often',
          'verification.rate_limited',
        ].sort(),
      );
      const byType = Object.fromEntries(events.map((e) => [e.type, e.data]));
      expect(byType['user.created']).toMatchObject({ user: { id: made.body.id, email }, via: 'api' });
      expect(byType['user.signed_in']).toMatchObject({ user: { id: made.body.id }, amr: ['pwd'] });
      expect(byType['user.email_changed']).toMatchObject({ user: { email: moved }, previousEmail: email });
      expect(byType['verification.failed_too_often']).toMatchObject({
        email: target,
        verificationId: code.body.verificationId,
      });
      expect(byType['verification.rate_limited']).toMatchObject({ email: limited, limit: 'cooldown' });
      // No secret, hash or code in any of them.
      for (const g of rx.got) expect(g.raw).not.toMatch(/passwordHash|argon2|not-the-code|A-long-passphrase/);
      await api('DELETE', `/api/webhooks/${h.id}`);
    });

    it('the test event reports a failing receiver without waiting for retries', async () => {
      const rx = await startReceiver();
      closers.push(() => rx.close());
      rx.status = 500;
      const h = await hook(rx.url, ['email.sent']);
      const test = await api('POST', `/api/webhooks/${h.id}/test`);
      expect(test.body).toMatchObject({
        state: 'queued',
        attempts: 1,
        lastStatus: 500,
        lastError: 'The receiver answered HTTP 500.',
      });
      expect(test.body.nextAttemptAt).toEqual(expect.any(String));
      await api('DELETE', `/api/webhooks/${h.id}`);
    });
  });
}

describe('an endpoint failing for 24 hours', () => {
  let p: TestPostern;
  let offset = 0;
  const closers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    p = await startPostern(
      'sqlite',
      { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' },
      { clock: { now: () => new Date(Date.now() + offset) }, outboxWorker: false },
    );
  });
  afterAll(async () => {
    await p?.close();
    for (const c of closers) await c();
  });

  it('is disabled and says why; enabling it again clears that', async () => {
    const rx = await startReceiver();
    closers.push(() => rx.close());
    rx.status = 503;
    const h = (await p.api('POST', '/api/webhooks', { url: rx.url, events: ['email.sent'] })).body;
    expect((await p.api('POST', `/api/webhooks/${h.id}/test`)).body.state).toBe('queued');
    offset = 12 * 3600_000;
    await p.api('POST', `/api/webhooks/${h.id}/test`);
    expect((await p.api('GET', `/api/webhooks/${h.id}`)).body).toMatchObject({ enabled: true, disabledReason: null });
    offset = 25 * 3600_000;
    await p.api('POST', `/api/webhooks/${h.id}/test`);
    const off = (await p.api('GET', `/api/webhooks/${h.id}`)).body;
    expect(off.enabled).toBe(false);
    expect(off.disabledReason).toMatch(/24 hours.*HTTP 503/);
    const on = await p.api('PATCH', `/api/webhooks/${h.id}`, { enabled: true });
    expect(on.body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
  });
});

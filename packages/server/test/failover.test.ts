import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { startWebhookPeer } from '../src/testing/peers/webhook.js';
import { startSmtpPeer, type SmtpPeer } from '../src/testing/peers/smtp.js';
import { startPostern, type TestPostern } from './helpers.js';

/** A port that refuses connections: a server was there and is gone. */
async function refusingPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const smtp = (peer: SmtpPeer, extra: Record<string, unknown> = {}) => ({
  factoryId: 'smtp',
  config: { host: '127.0.0.1', port: peer.port, fromEmail: 'auth@example.test', ...extra },
});
const hook = (url: string, extra: Record<string, unknown> = {}) => ({
  factoryId: 'http',
  config: { endpoint: url, ...extra },
});

describe('the fallback connector (SPEC §15)', () => {
  let p: TestPostern;
  let fallbackSmtp: SmtpPeer;
  const run = randomBytes(3).toString('hex');
  let n = 0;
  const addr = (what: string) => `${what}-${run}-${++n}@example.test`;
  beforeAll(async () => {
    p = await startPostern('sqlite', { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' });
    fallbackSmtp = await startSmtpPeer();
    await p.api('PATCH', '/api/verification-code-policy', {
      resendCooldownSeconds: 0,
      maxSendsPerRecipientPerHour: 1000,
    });
  });
  afterAll(async () => {
    await p?.close();
    await fallbackSmtp?.close();
  });

  const logFor = async (to: string) =>
    (await p.api('GET', `/api/email-logs?to=${encodeURIComponent(to)}`)).body.items[0];

  it.each([
    ['503', 'connector.unavailable', [503]],
    ['429 with a long Retry-After', 'connector.rate_limited', [{ status: 429, headers: { 'retry-after': '120' } }]],
    ['401', 'connector.auth_failed', [401]],
  ] as const)(
    'a primary answering %s fails over within the request; the log shows both attempts',
    async (_what, code, script) => {
      const primary = await startWebhookPeer({ script: [...script] as never });
      try {
        expect((await p.api('PUT', '/api/connectors/email', hook(primary.url))).status).toBe(200);
        expect((await p.api('PUT', '/api/connectors/email/fallback', smtp(fallbackSmtp))).status).toBe(200);
        const to = addr('failover');
        const r = await p.api('POST', '/api/verification-codes', { email: to });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        expect(primary.received).toHaveLength(1);
        expect(fallbackSmtp.messages.filter((m) => m.to.includes(to))).toHaveLength(1);
        // One id for the message on both connectors.
        const id = (primary.received[0]!.body as { id: string }).id;
        expect(fallbackSmtp.messages.find((m) => m.to.includes(to))!.parsed.messageId).toContain(id);
        const log = await logFor(to);
        expect(log.status).toBe('sent');
        expect(log.factoryId).toBe('smtp');
        expect(
          log.attemptLog.map((a: { role: string; factoryId: string; outcome: string; error?: { code: string } }) => [
            a.role,
            a.factoryId,
            a.outcome,
            a.error?.code,
          ]),
        ).toEqual([
          ['primary', 'http', 'failed', code],
          ['fallback', 'smtp', 'sent', undefined],
        ]);
      } finally {
        await primary.close();
      }
    },
  );

  it('a primary that refuses the connection fails over', async () => {
    expect(
      (await p.api('PUT', '/api/connectors/email', hook(`http://127.0.0.1:${await refusingPort()}/hook`))).status,
    ).toBe(200);
    expect((await p.api('PUT', '/api/connectors/email/fallback', smtp(fallbackSmtp))).status).toBe(200);
    const to = addr('refused');
    expect((await p.api('POST', '/api/verification-codes', { email: to })).status).toBe(201);
    expect(fallbackSmtp.messages.filter((m) => m.to.includes(to))).toHaveLength(1);
    expect((await logFor(to)).attemptLog.map((a: { outcome: string }) => a.outcome)).toEqual(['failed', 'sent']);
  });

  it('an SMTP primary with refused credentials fails over to an HTTP fallback', async () => {
    const authPeer = await startSmtpPeer({ requireAuth: true, users: { postern: 'right-password' } });
    const fallbackHook = await startWebhookPeer();
    try {
      // smtp-server only accepts AUTH over TLS unless told otherwise; a refused login is what matters here.
      expect(
        (
          await p.api(
            'PUT',
            '/api/connectors/email',
            smtp(authPeer, { auth: { type: 'login', user: 'postern', pass: 'wrong-password' } }),
          )
        ).status,
      ).toBe(200);
      expect((await p.api('PUT', '/api/connectors/email/fallback', hook(fallbackHook.url))).status).toBe(200);
      const to = addr('smtp-auth');
      const r = await p.api('POST', '/api/verification-codes', { email: to });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(fallbackHook.received.map((x) => (x.body as { to: string }).to)).toEqual([to]);
      const log = await logFor(to);
      expect(log.attemptLog[0].role).toBe('primary');
      expect(['connector.auth_failed', 'connector.delivery_failed']).toContain(log.attemptLog[0].error.code);
      expect(log.attemptLog[1]).toMatchObject({ role: 'fallback', factoryId: 'http', outcome: 'sent' });
    } finally {
      await authPeer.close();
      await fallbackHook.close();
    }
  });

  it('a rejected recipient does not fail over', async () => {
    const to = addr('rejected');
    const rejecting = await startSmtpPeer({ rejectRecipients: [to] });
    const fallbackHook = await startWebhookPeer();
    try {
      expect((await p.api('PUT', '/api/connectors/email', smtp(rejecting))).status).toBe(200);
      expect((await p.api('PUT', '/api/connectors/email/fallback', hook(fallbackHook.url))).status).toBe(200);
      const r = await p.api('POST', '/api/verification-codes', { email: to });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('connector.rejected_recipient');
      expect(fallbackHook.received).toHaveLength(0);
      expect((await logFor(to)).attemptLog.map((a: { role: string }) => a.role)).toEqual(['primary']);
    } finally {
      await rejecting.close();
      await fallbackHook.close();
    }
  });

  it('is masked like the primary; a bad config or a capturing builtin is 400 connector.bad_config and changes nothing', async () => {
    const target = await startWebhookPeer();
    try {
      expect(
        (
          await p.api(
            'PUT',
            '/api/connectors/email/fallback',
            hook(target.url, { authorization: 'Bearer fallback-secret-9876' }),
          )
        ).status,
      ).toBe(200);
      const got = await p.api('GET', '/api/connectors/email/fallback');
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ role: 'fallback', factoryId: 'http' });
      expect(got.body.config.authorization).toBe('••••9876');
      expect(JSON.stringify(got.body)).not.toContain('fallback-secret');

      const bad = await p.api('PUT', '/api/connectors/email/fallback', {
        factoryId: 'http',
        config: { endpoint: 'not a url' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('connector.bad_config');
      const builtin = await p.api('PUT', '/api/connectors/email/fallback', { factoryId: 'builtin', config: {} });
      expect(builtin.status).toBe(400);
      expect(builtin.body.code).toBe('connector.bad_config');
      const unknown = await p.api('PUT', '/api/connectors/email/fallback', { factoryId: 'nope', config: {} });
      expect(unknown.status).toBe(404);
      expect((await p.api('GET', '/api/connectors/email/fallback')).body).toEqual(got.body);
      // The primary's list is unchanged by the fallback.
      const list = await p.api('GET', '/api/connectors');
      expect(list.body.items).toHaveLength(1);
      expect(list.body.items[0].id).not.toBe(got.body.id);
    } finally {
      await target.close();
    }
  });

  it('deleting the primary promotes nothing and says so; the fallback can be removed', async () => {
    const primary = (await p.api('GET', '/api/connectors')).body.items[0];
    const fb = (await p.api('GET', '/api/connectors/email/fallback')).body;
    const del = await p.api('DELETE', `/api/connectors/${primary.id}?force=true`);
    expect(del.status).toBe(200);
    expect(del.body.fallbackConnector).toMatchObject({ id: fb.id, promoted: false });
    expect((await p.api('GET', '/api/connectors')).body.items).toEqual([]);
    const r = await p.api('POST', '/api/verification-codes', { email: addr('no-primary') });
    expect(r.body.code).toBe('connector.not_configured');
    expect((await p.api('DELETE', '/api/connectors/email/fallback')).status).toBe(200);
    expect((await p.api('GET', '/api/connectors/email/fallback')).status).toBe(404);
    expect((await p.api('DELETE', '/api/connectors/email/fallback')).status).toBe(404);
  });
});

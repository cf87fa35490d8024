import http from 'node:http';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceChecks } from '@postern/connector-kit/conformance';
import factory from './index.mjs';
import { startPostern, type TestPostern } from '../../packages/server/test/helpers.js';

/** A local Acme Mail: checks the key and the body, refuses one recipient, answers like an API. */
async function startAcmePeer(key: string) {
  const received: Array<{ to: string; subject: string }> = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${key}`) return res.writeHead(401).end('{"error":"bad key"}');
      const body = JSON.parse(raw) as { to: string; subject: string; html: string; text: string };
      if (!body.html || !body.text) return res.writeHead(400).end('{"error":"html and text are required"}');
      if (body.to.startsWith('bounce')) return res.writeHead(422).end('{"error":"recipient suppressed"}');
      received.push({ to: body.to, subject: body.subject });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `acme-${received.length}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('the example custom connector', () => {
  const KEY = 'acme-key-0123456789';
  let peer: Awaited<ReturnType<typeof startAcmePeer>>;
  beforeAll(async () => {
    peer = await startAcmePeer(KEY);
  });
  afterAll(async () => {
    await peer?.close();
  });

  describe('passes the connector kit conformance suite', () => {
    for (const check of conformanceChecks({
      factory,
      validConfig: () => ({ apiKey: KEY, fromEmail: 'auth@acme.test', baseUrl: peer.url }),
      invalidConfigs: [{ apiKey: 'short', fromEmail: 'auth@acme.test' }, { apiKey: KEY, fromEmail: 'not-an-email' }],
      received: () => peer.received,
      badCredentialsConfig: () => ({ apiKey: 'wrong-key-0000000000', fromEmail: 'auth@acme.test', baseUrl: peer.url }),
      rejectedRecipient: { to: 'bounce@example.test' },
    })) {
      it(check.name, check.run);
    }
  });

  it('loads from POSTERN_CONNECTORS_DIR and sends through the API', async () => {
    let p: TestPostern | undefined;
    try {
      p = await startPostern('sqlite', { POSTERN_CONNECTORS_DIR: dirname(dirname(fileURLToPath(import.meta.url))), POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' });
      const f = await p.api('GET', '/api/connector-factories/acme-mail');
      expect(f.status).toBe(200);
      expect(f.body.configSchema.properties.apiKey.writeOnly).toBe(true);
      expect((await p.api('PUT', '/api/connectors/email', { factoryId: 'acme-mail', config: { apiKey: KEY, fromEmail: 'auth@acme.test', baseUrl: peer.url } })).status).toBe(200);
      expect((await p.api('POST', '/api/verification-codes', { email: 'custom@example.test' })).status).toBe(201);
      expect(peer.received.some((m) => m.to === 'custom@example.test')).toBe(true);
      const logs = await p.api('GET', '/api/email-logs?to=custom@example.test');
      expect(logs.body.items[0]).toMatchObject({ factoryId: 'acme-mail', status: 'sent', providerMessageId: expect.stringMatching(/^acme-/) });
      // Its destination() field protects the stored key like the built-in factories' do.
      expect(f.body.configSchema.properties.baseUrl['x-postern-destination']).toBe(true);
      const saved = (await p.api('GET', '/api/connectors')).body.items[0];
      const moved = await p.api('PATCH', `/api/connectors/${saved.id}`, { config: { baseUrl: 'https://elsewhere.example.test' } });
      expect(moved.status).toBe(400);
      expect(moved.body.code).toBe('connector.bad_config');
      expect(moved.body.details.issues).toEqual([{ path: 'config.apiKey', message: expect.any(String) }]);
    } finally {
      await p?.close();
    }
  });

  it("feeds Acme's signed bounce webhook into the suppression list through parseEvents", async () => {
    let p: TestPostern | undefined;
    const secret = 'acme-webhook-secret-0123456789';
    try {
      p = await startPostern('sqlite', { POSTERN_CONNECTORS_DIR: dirname(dirname(fileURLToPath(import.meta.url))), POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' });
      expect((await p.api('PUT', '/api/connectors/email', { factoryId: 'acme-mail', config: { apiKey: KEY, fromEmail: 'auth@acme.test', baseUrl: peer.url, webhookSecret: secret } })).body.eventsUrl).toMatch(/\/api\/provider-events\/acme-mail$/);
      await p.api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0 });
      expect((await p.api('POST', '/api/verification-codes', { email: 'gone@example.test' })).status).toBe(201);
      const id = (await p.api('GET', '/api/email-logs?to=gone@example.test')).body.items[0].providerMessageId;
      const base = await p.app.listen({ port: 0, host: '127.0.0.1' });
      const body = JSON.stringify({ type: 'bounced', permanent: true, messageId: id, to: 'gone@example.test' });
      const ts = String(Math.floor(Date.now() / 1000));
      const post = (signature: string) => fetch(`${base}/api/provider-events/acme-mail`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-acme-timestamp': ts, 'x-acme-signature': signature }, body });
      expect((await post('00'.repeat(32))).status).toBe(401);
      expect((await post(createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex'))).status).toBe(200);
      expect((await p.api('POST', '/api/verification-codes', { email: 'gone@example.test' })).body.code).toBe('recipient.suppressed');
    } finally {
      await p?.close();
    }
  });
});

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { ConnectorError, isConnectorError, secretPaths } from '@postern/connector-kit';
import { conformanceChecks, createTestContext, sampleMessage } from '@postern/connector-kit/conformance';
import factory, { createHttpConnector, generateSigningSecret, httpConfigSchema, webhookHeaders, type HttpConfig } from './index.js';
import { startWebhookPeer, type WebhookPeer, type WebhookScriptStep } from '../../testing/peers/webhook.js';

const secret = generateSigningSecret();
const authorization = 'Bearer peer-token-0123456789';

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isConnectorError(err)) throw new Error(`expected a ConnectorError, got ${String(err)}`);
  return err;
}

/** Runs one send against a fresh peer with the given script. */
async function withPeer<T>(script: WebhookScriptStep[], fn: (peer: WebhookPeer, config: HttpConfig) => Promise<T>): Promise<T> {
  const peer = await startWebhookPeer({ secret, authorization, script });
  try {
    return await fn(peer, httpConfigSchema.parse({ endpoint: peer.url, authorization, signingSecret: secret }));
  } finally {
    await peer.close();
  }
}

describe('http connector: conformance', () => {
  let peer: WebhookPeer;
  beforeAll(async () => {
    peer = await startWebhookPeer({ secret, authorization });
  });
  afterAll(async () => {
    await peer.close();
  });

  for (const c of conformanceChecks<HttpConfig>({
    factory,
    validConfig: () => ({ endpoint: peer.url, authorization, signingSecret: secret, timeoutMs: 5000 }),
    invalidConfigs: [
      { endpoint: 'ftp://example.com/hook' },
      { endpoint: 'not a url' },
      { endpoint: 'https://example.com/hook', signingSecret: 'whsec_short' },
      { endpoint: 'https://example.com/hook', signingSecret: secret.slice('whsec_'.length) },
      { endpoint: 'https://example.com/hook', signingSecret: `whsec_${Buffer.alloc(16, 1).toString('base64')}` },
      { endpoint: 'https://example.com/hook', signingSecret: `whsec_${Buffer.alloc(65, 1).toString('base64')}` },
      { endpoint: 'https://example.com/hook', authorization: 'Bearer a\r\nX-Evil: 1' },
      { endpoint: 'https://example.com/hook', timeoutMs: 50 },
      { endpoint: 'https://example.com/hook', timeoutMs: 60_001 },
    ],
    received: () =>
      peer.received.map((r) => {
        const b = r.body as { to: string; subject: string };
        return { to: b.to, subject: b.subject };
      }),
    badCredentialsConfig: () => ({ endpoint: peer.url, authorization: 'Bearer wrong-token-9876543210', signingSecret: secret, timeoutMs: 5000 }),
  })) {
    it(c.name, c.run);
  }
});

describe('http connector', () => {
  it('marks authorization and signingSecret as secrets', () => {
    expect(secretPaths(httpConfigSchema)).toEqual(['authorization', 'signingSecret']);
    expect(httpConfigSchema.parse({ endpoint: 'https://example.com/h' }).timeoutMs).toBe(10_000);
  });

  it('posts the SPEC payload with a Standard Webhooks signature and the Authorization header', async () => {
    await withPeer([], async (peer, config) => {
      const connector = factory.create(config, createTestContext());
      const message = sampleMessage({
        ip: '203.0.113.7',
        variables: { code: '654321', link: null, expiresAt: '2030-01-01T00:10:00.000Z', locale: 'en' },
      });
      const result = await connector.send(message, { signal: AbortSignal.timeout(5000) });
      expect(result.providerMessageId).toBe('msg_1');
      const got = peer.received[0]!;
      expect(got.verified).toBe(true);
      expect(got.headers.authorization).toBe(authorization);
      expect(got.headers['content-type']).toBe('application/json');
      expect(got.headers['webhook-id']).toBe(message.id);
      expect(got.body).toEqual({
        id: message.id,
        to: message.to,
        type: 'SignIn',
        locale: 'en',
        subject: message.subject,
        html: message.html,
        text: message.text,
        payload: message.variables,
        tenantId: 'default',
        ip: '203.0.113.7',
      });
      // An independent verifier refuses the same request under another secret.
      const other = new Webhook(generateSigningSecret());
      expect(() => other.verify(got.raw, got.headers as Record<string, string>)).toThrow();
    });
  });

  it('signs exactly as the standardwebhooks package does', () => {
    const body = '{"a":1}';
    const ts = 1_700_000_000;
    const ours = webhookHeaders(secret, 'msg_x', ts, body)['webhook-signature'];
    expect(ours).toBe(new Webhook(secret).sign('msg_x', new Date(ts * 1000), body));
  });

  it('falls back to the webhook id when the answer names no message id', async () => {
    await withPeer([{ status: 204 }], async (_peer, config) => {
      const message = sampleMessage();
      const result = await factory.create(config, createTestContext()).send(message, { signal: AbortSignal.timeout(5000) });
      expect(result.providerMessageId).toBe(message.id);
    });
  });

  it('maps 500 to a retryable connector.unavailable with the scrubbed body excerpt', async () => {
    await withPeer([{ status: 500, body: `upstream failed; token was ${authorization}` }], async (_peer, config) => {
      const err = await failure(factory.create(config, createTestContext()).send(sampleMessage(), { signal: AbortSignal.timeout(5000) }));
      expect(err.code).toBe('connector.unavailable');
      expect(err.retryable).toBe(true);
      expect(err.details.providerStatus).toBe(500);
      expect(err.details.providerMessage).toContain('upstream failed');
      expect(JSON.stringify(err.details)).not.toContain('peer-token');
    });
  });

  it('maps 400 and 422 to connector.delivery_failed, not retryable', async () => {
    await withPeer([400, 422], async (_peer, config) => {
      const connector = factory.create(config, createTestContext());
      for (const status of [400, 422]) {
        const err = await failure(connector.send(sampleMessage(), { signal: AbortSignal.timeout(5000) }));
        expect(err.code).toBe('connector.delivery_failed');
        expect(err.retryable).toBe(false);
        expect(err.details.providerStatus).toBe(status);
      }
    });
  });

  it('maps 429 with Retry-After to connector.rate_limited with retryAfter', async () => {
    await withPeer([{ status: 429, headers: { 'retry-after': '3' }, body: '{"error":"slow down"}' }], async (_peer, config) => {
      const err = await failure(factory.create(config, createTestContext()).send(sampleMessage(), { signal: AbortSignal.timeout(5000) }));
      expect(err.code).toBe('connector.rate_limited');
      expect(err.retryable).toBe(true);
      expect(err.details.retryAfter).toBe(3);
    });
  });

  it('maps 404 and 410 to delivery_failed and 408 to timeout', async () => {
    await withPeer([404, 410, 408], async (_peer, config) => {
      const connector = factory.create(config, createTestContext());
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await failure(connector.send(sampleMessage(), { signal: AbortSignal.timeout(5000) }))).code);
      expect(codes).toEqual(['connector.delivery_failed', 'connector.delivery_failed', 'connector.timeout']);
    });
  });

  it('stops a stalled request with connector.timeout when the signal aborts', async () => {
    await withPeer(['stall'], async (peer, config) => {
      const ac = new AbortController();
      const sending = factory.create(config, createTestContext()).send(sampleMessage(), { signal: ac.signal });
      while (peer.received.length === 0) await new Promise((r) => setTimeout(r, 10));
      ac.abort(new DOMException('timed out', 'TimeoutError'));
      const err = await failure(sending);
      expect(err.code).toBe('connector.timeout');
    });
  });

  it('stops a stalled request after its own timeoutMs', async () => {
    await withPeer(['stall'], async (_peer, config) => {
      const connector = createHttpConnector({ ...config, timeoutMs: 200 }, createTestContext());
      const err = await failure(connector.send(sampleMessage(), { signal: new AbortController().signal }));
      expect(err.code).toBe('connector.timeout');
    });
  });

  it('maps a refused connection to a retryable connector.unavailable', async () => {
    const peer = await startWebhookPeer();
    const endpoint = peer.url;
    await peer.close();
    const connector = factory.create(httpConfigSchema.parse({ endpoint }), createTestContext());
    const err = await failure(connector.send(sampleMessage(), { signal: AbortSignal.timeout(5000) }));
    expect(err.code).toBe('connector.unavailable');
    expect(err.retryable).toBe(true);
  });

  it('passes the destination policy error through unchanged', async () => {
    const blocked = new ConnectorError('connector.destination_blocked');
    const ctx = createTestContext({
      fetch: async () => {
        throw new TypeError('fetch failed', { cause: blocked });
      },
    });
    const connector = factory.create(httpConfigSchema.parse({ endpoint: 'https://10.0.0.1/hook' }), ctx);
    const err = await failure(connector.send(sampleMessage(), { signal: AbortSignal.timeout(5000) }));
    expect(err).toBe(blocked);
  });
});

import { describe, it, expect, beforeAll } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { authenticate } from 'mailauth';
import { isConnectorError, type ConnectorError } from '@postern/connector-kit';
import { createTestContext, sampleMessage } from '@postern/connector-kit/conformance';
import { createSmtpConnector, smtpConfigSchema, type SmtpConfig } from './index.js';
import { startSmtpPeer, type SmtpPeer } from '../../testing/peers/smtp.js';
import { startWebhookPeer, type WebhookScriptStep } from '../../testing/peers/webhook.js';
import { createTestCertificate, type TestCertificate } from '../../testing/tls.js';
import { createOutboundPolicy } from '../../outbound/index.js';

let cert: TestCertificate;
beforeAll(async () => {
  cert = await createTestCertificate();
});

function baseConfig(peer: SmtpPeer, overrides: Record<string, unknown>): SmtpConfig {
  return smtpConfigSchema.parse({
    host: peer.host,
    port: peer.port,
    requireTLS: true,
    fromEmail: 'no-reply@postern.test',
    tls: { ca: cert.cert },
    ...overrides,
  });
}

async function sendOnce(config: SmtpConfig, extras = {}): Promise<unknown> {
  const connector = createSmtpConnector(config, createTestContext(), extras);
  try {
    return await connector.send(sampleMessage(), { signal: AbortSignal.timeout(10_000) });
  } finally {
    await connector.close?.();
  }
}

describe('smtp connector: OAuth2 (XOAUTH2)', () => {
  const oauth = { clientId: 'client-1', clientSecret: 'client-secret-abcdef', refreshToken: 'refresh-token-123456' };

  async function withTokenEndpoint(script: WebhookScriptStep[], fn: (peer: SmtpPeer, accessUrl: string, tokenRequests: () => string[]) => Promise<void>) {
    const smtp = await startSmtpPeer({ tls: cert, requireAuth: true, accessTokens: { alice: 'access-token-42' } });
    const tokens = await startWebhookPeer({ script });
    try {
      await fn(smtp, tokens.url, () => tokens.received.map((r) => r.raw));
    } finally {
      await tokens.close();
      await smtp.close();
    }
  }

  it('gets an access token through ctx.fetch and authenticates with it', async () => {
    const ok = { status: 200, body: JSON.stringify({ access_token: 'access-token-42', expires_in: 3600 }) };
    await withTokenEndpoint([ok], async (peer, accessUrl, tokenRequests) => {
      await sendOnce(baseConfig(peer, { auth: { type: 'oauth2', user: 'alice', accessUrl, ...oauth } }));
      expect(peer.messages[0]?.user).toBe('alice');
      expect(peer.messages[0]?.authMethod).toBe('XOAUTH2');
      const form = new URLSearchParams(tokenRequests()[0]);
      expect(Object.fromEntries(form)).toEqual({
        grant_type: 'refresh_token',
        client_id: 'client-1',
        client_secret: oauth.clientSecret,
        refresh_token: oauth.refreshToken,
      });
    });
  });

  it('fails with auth_failed when the token endpoint refuses the refresh token', async () => {
    const refused = { status: 400, body: JSON.stringify({ error: 'invalid_grant', error_description: 'Bad refresh-token-123456' }) };
    await withTokenEndpoint([refused], async (peer, accessUrl) => {
      const err = (await sendOnce(baseConfig(peer, { auth: { type: 'oauth2', user: 'alice', accessUrl, ...oauth } })).then(
        () => undefined,
        (e: unknown) => e,
      )) as ConnectorError;
      expect(isConnectorError(err)).toBe(true);
      expect(err.code).toBe('connector.auth_failed');
      expect(err.details.providerStatus).toBe(400);
      expect(JSON.stringify(err.details)).not.toContain(oauth.refreshToken);
      expect(peer.messages).toHaveLength(0);
    });
  });

  it('answers connector.destination_blocked when the token URL is a blocked address', async () => {
    // The SMTP server (127.0.0.1) is allowed; the token endpoint (metadata, other loopback) is not.
    const policy = createOutboundPolicy({ allow: ['127.0.0.1/32'] });
    const ctx = createTestContext({ fetch: policy.fetch, lookup: policy.lookup, assertDestination: policy.assertDestination });
    const smtp = await startSmtpPeer({ tls: cert, requireAuth: true, accessTokens: { alice: 'access-token-42' } });
    try {
      for (const accessUrl of ['http://169.254.169.254/token', 'http://127.0.0.2:9/token', 'http://[::1]:9/token']) {
        const connector = createSmtpConnector(baseConfig(smtp, { auth: { type: 'oauth2', user: 'alice', accessUrl, ...oauth } }), ctx);
        const err = (await connector.send(sampleMessage(), { signal: AbortSignal.timeout(10_000) }).then(
          () => undefined,
          (e: unknown) => e,
        )) as ConnectorError;
        await connector.close?.();
        expect(isConnectorError(err), String(err)).toBe(true);
        expect(err.code, err.message).toBe('connector.destination_blocked');
      }
      expect(smtp.messages).toHaveLength(0);
    } finally {
      await smtp.close();
      await policy.close();
    }
  });
});

describe('smtp connector: DKIM', () => {
  it('signs every message with the key given to createSmtpConnector, verified by mailauth', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const record = `v=DKIM1; k=rsa; p=${p}`;
    const peer = await startSmtpPeer({ tls: cert });
    try {
      await sendOnce(baseConfig(peer, { dkim: { keyId: 'key-1' } }), {
        dkim: { domainName: 'postern.test', keySelector: 'auth1', privateKey: pem },
      });
      const raw = peer.messages[0]!.raw;
      const result = await authenticate(raw, {
        ip: '127.0.0.1',
        helo: 'localhost',
        sender: 'no-reply@postern.test',
        mta: 'mx.example.test',
        resolver: async (name: string, type: string) => {
          if (type === 'TXT' && name === 'auth1._domainkey.postern.test') return [record.match(/.{1,255}/g)!];
          throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
        },
      });
      const dkim = result.dkim.results[0];
      expect(dkim?.signingDomain).toBe('postern.test');
      expect(dkim?.status.result).toBe('pass');
    } finally {
      await peer.close();
    }
  });
});

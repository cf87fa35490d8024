import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpPeer, type HttpPeer } from '../src/connectors/_provider/http-peer.test-helpers.js';
import { startPostern, type TestPostern } from './helpers.js';

/**
 * A provider that echoes what it was sent puts the rendered message — and the one-time
 * code in it — into its error body. Routes without an admin key answer with the error code
 * and the catalogue's sentence only; admin routes keep the provider's words, code masked.
 */
describe('connector errors on unauthenticated routes', () => {
  let p: TestPostern;
  let peer: HttpPeer;
  const codes: string[] = [];
  let status = 400;
  let headers: Record<string, string> = {};
  let n = 0;
  const addr = () => `echo${++n}@example.test`;

  beforeAll(async () => {
    p = await startPostern(
      'sqlite',
      { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' },
      { deliveryRules: { baseBackoffMs: 10 } },
    );
    peer = await startHttpPeer((req) => {
      const payload = JSON.parse(req.body.toString('utf8')) as { payload: { code?: string; link?: string } };
      if (payload.payload.code) codes.push(payload.payload.code);
      // The whole request, rendered html and text included, comes back as the error body.
      return {
        status,
        headers: { 'content-type': 'text/plain', ...headers },
        body: `rejected: code ${payload.payload.code ?? ''}: ${req.body.toString('utf8')}`,
      };
    });
    expect(
      (await p.api('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: peer.url } })).status,
    ).toBe(200);
    expect((await p.api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0 })).status).toBe(200);
  });
  afterAll(async () => {
    await p?.close();
    await peer?.close();
  });

  const pub = async (url: string, body: unknown) => {
    const res = await p.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    return { status: res.statusCode, text: res.body, body: JSON.parse(res.body), headers: res.headers };
  };

  it('the experience send answers the code and a sentence, never the provider body or the code', async () => {
    status = 400;
    headers = {};
    const r = await pub('/api/experience/verification-codes', { email: addr(), intent: 'register' });
    const code = codes.at(-1)!;
    expect(code).toMatch(/^\d{6}$/);
    expect(r.status, r.text).toBe(502);
    expect(r.body).toEqual({
      code: 'connector.delivery_failed',
      message: 'The provider did not accept the message.',
      details: {},
    });
    expect(r.text).not.toContain(code);
    expect(r.text).not.toContain('rejected:');
  });

  it('a provider 429 keeps retryAfter and Retry-After, and nothing else', async () => {
    status = 429;
    headers = { 'retry-after': '30' };
    try {
      const r = await pub('/api/experience/verification-codes', { email: addr(), intent: 'register' });
      expect(r.status, r.text).toBe(429);
      expect(r.body).toEqual({
        code: 'connector.rate_limited',
        message: 'The provider is rate limiting this account.',
        details: { retryAfter: 30 },
      });
      expect(r.headers['retry-after']).toBe('30');
      expect(r.text).not.toContain(codes.at(-1)!);
    } finally {
      status = 400;
      headers = {};
    }
  });

  it('admin routes keep the provider words for diagnosis, with the code masked', async () => {
    const r = await p.api('POST', '/api/verification-codes', { email: addr() });
    const code = codes.at(-1)!;
    expect(r.status).toBe(502);
    expect(r.body.code).toBe('connector.delivery_failed');
    expect(r.body.details.providerMessage).toContain('rejected:');
    expect(JSON.stringify(r.body)).not.toContain(code);
    expect(r.body.details.providerMessage).toContain('••••••');
    const log = (await p.api('GET', '/api/email-logs?status=failed')).body.items[0];
    expect(JSON.stringify(log)).not.toContain(code);
  });
});

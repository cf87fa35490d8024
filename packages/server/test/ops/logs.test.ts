import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startWebhookPeer, type WebhookPeer } from '../../src/testing/peers/webhook.js';
import { startServerProcess, type ServerProcess } from '../../src/testing/server-process.js';
import { loadConfig } from '../../src/config.js';
import { scrubUrl } from '../../src/lib/logger.js';

/**
 * The built server at LOG_LEVEL=trace, JSON lines: one access line per request, a warn line
 * with the connector's error code for a failed delivery, and no code, address or key
 * anywhere in the output.
 */
describe('logs', () => {
  let server: ServerProcess;
  let peer: WebhookPeer;
  const adminKey = `ops-logs-${randomBytes(16).toString('hex')}`;
  const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  const email = `someone.${randomBytes(4).toString('hex')}@example.test`;

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = admin) => {
    const res = await fetch(new URL(path, server.url), {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };

  beforeAll(async () => {
    // The first delivery is refused by the receiver (401: not retried), the rest accepted.
    peer = await startWebhookPeer({ script: [401] });
    server = await startServerProcess({
      POSTERN_SECRET: randomBytes(32).toString('base64'),
      POSTERN_ADMIN_KEY: adminKey,
      POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32',
      LOG_LEVEL: 'trace',
      LOG_FORMAT: 'json',
    });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await peer?.close();
  });

  it('writes one access line per request, a warn line for a failed delivery, and no code, address or key', async () => {
    expect((await call('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0 })).status).toBe(200);
    expect(
      (await call('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: peer.url } })).status,
    ).toBe(200);
    const failed = await call('POST', '/api/verification-codes', { email });
    expect(failed.status).toBe(502);
    expect(failed.body?.code).toBe('connector.auth_failed');

    const sent = await call('POST', `/api/verification-codes?note=${encodeURIComponent(email)}`, { email });
    expect(sent.status).toBe(201);
    const code = (peer.received.at(-1)!.body as { payload: { code: string } }).payload.code;
    const verified = await call('POST', '/api/verification-codes/verify', {
      verificationId: sent.body!.verificationId,
      email,
      code,
    });
    expect(verified.status).toBe(204);
    expect((await call('GET', `/api/email-logs?to=${encodeURIComponent(email)}`)).status).toBe(200);
    expect((await call('GET', '/no/such/route')).status).toBe(404);

    const stopped = await server.stop();
    expect(stopped).toBe(0);
    const lines = server.logLines();
    const access = lines.filter((l) => l.msg === 'request');
    // Every request above has exactly one line, with the route's template.
    expect(access.map((l) => `${String(l.method)} ${String(l.route)} ${String(l.status)}`)).toEqual([
      'PATCH /api/verification-code-policy 200',
      'PUT /api/connectors/email 200',
      'POST /api/verification-codes 502',
      'POST /api/verification-codes 201',
      'POST /api/verification-codes/verify 204',
      'GET /api/email-logs 200',
      'GET (unmatched) 404',
    ]);
    for (const l of access) {
      expect(l).toMatchObject({ level: 30, tenant: 'default' });
      expect(typeof l.reqId).toBe('string');
      expect(typeof l.durationMs).toBe('number');
      expect(Object.keys(l).sort()).toEqual([
        'durationMs',
        'hostname',
        'level',
        'method',
        'msg',
        'pid',
        'reqId',
        'route',
        'status',
        'tenant',
        'time',
      ]);
    }
    const warn = lines.filter((l) => l.msg === 'delivery failed');
    expect(warn).toHaveLength(1);
    expect(warn[0]).toMatchObject({
      level: 40,
      tenant: 'default',
      factory: 'http',
      code: 'connector.auth_failed',
      attempts: 1,
      templateType: 'Generic',
    });
    // It points at the email log item of the failed send.
    expect(typeof warn[0]!.emailLogId).toBe('string');

    const output = server.output();
    expect(output.split('\n').filter((l) => l.startsWith('{')).length).toBeGreaterThanOrEqual(access.length + 1);
    for (const secret of [adminKey, email, email.split('@')[0]!, encodeURIComponent(email)]) {
      expect(output.includes(secret), `the output shows ${secret.slice(0, 6)}…`).toBe(false);
    }
    expect(new RegExp(`(^|\\D)${code}(\\D|$)`).test(output), 'the output shows the code').toBe(false);
  });
});

describe('LOG_FORMAT', () => {
  it('is json or pretty, nothing else', () => {
    expect(loadConfig({}).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/^LOG_FORMAT: must be json or pretty$/);
  });

  it('pretty prints readable lines through pino-pretty, access lines included', async () => {
    const server = await startServerProcess({
      POSTERN_SECRET: randomBytes(32).toString('base64'),
      LOG_FORMAT: 'pretty',
      NO_COLOR: '1',
    });
    try {
      expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);
    } finally {
      await server.stop();
    }
    const out = server.output();
    expect(server.logLines()).toEqual([]); // no JSON line
    expect(out).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: request$/m);
    expect(out).toMatch(/^\s+route: "\/healthz"$/m);
    expect(out).toMatch(/^\s+status: 200$/m);
  });
});

describe('URLs in log lines', () => {
  it('keep parameter names but no query value, and no invitation token', () => {
    expect(scrubUrl('/api/email-logs?to=a%40b.test&limit=5#x')).toBe(
      '/api/email-logs?to=[redacted]&limit=[redacted]#x',
    );
    expect(scrubUrl('/t/acme/api/invitations/abc123/accept?code=1')).toBe(
      '/t/acme/api/invitations/[redacted]/accept?code=[redacted]',
    );
    expect(scrubUrl('/api/tenants')).toBe('/api/tenants');
  });
});

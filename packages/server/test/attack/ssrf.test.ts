import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startPostern, type TestPostern } from '../helpers.js';

/**
 * SSRF through connector configs (SPEC §3.5): every private address form is refused with
 * 422 connector.destination_blocked, for test sends and for saved connectors, and no
 * connection reaches the loopback listener that stands in for an internal service.
 */
describe('SSRF through connector configs', () => {
  let p: TestPostern;
  let internal: net.Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    internal = net.createServer((s) => {
      connections += 1;
      s.destroy();
    });
    await new Promise<void>((r) => internal.listen(0, '127.0.0.1', () => r()));
    port = (internal.address() as AddressInfo).port;
    p = await startPostern('sqlite', {}, { housekeeping: false, deliveryRules: { attemptTimeoutMs: 500, totalBudgetMs: 1500, baseBackoffMs: 10 } });
    expect((await p.api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0, maxSendsPerRecipientPerHour: 10000 })).status).toBe(200);
  });
  afterAll(async () => {
    await p?.close();
    await new Promise<void>((r) => internal.close(() => r()));
  });

  const HOSTS = ['127.0.0.1', '[::1]', '[::ffff:127.0.0.1]', '169.254.169.254', '[64:ff9b::a9fe:a9fe]', '100.64.0.1', '0.0.0.0', '2130706433', '0x7f000001', '0177.0.0.1', '127.1', 'localhost'];
  const configs = (host: string) => ({
    http: { endpoint: `http://${host}:${port}/hook` },
    smtp: { host: host.replace(/^\[|\]$/g, ''), port, fromEmail: 'auth@example.test', connectionTimeoutMs: 300, greetingTimeoutMs: 300 },
    sendgrid: { apiKey: 'SG.ssrf-test-key', fromEmail: 'auth@example.test', baseUrl: `http://${host}:${port}` },
  });

  for (const host of HOSTS) {
    it(`${host}: test sends and saved connectors are blocked, and nothing connects`, async () => {
      const before = connections;
      for (const [factoryId, config] of Object.entries(configs(host))) {
        const t = await p.api('POST', '/api/connectors/test', { factoryId, config, to: 'victim@example.test' });
        expect(t.status, `${factoryId} test ${JSON.stringify(t.body)}`).toBe(422);
        expect(t.body.code).toBe('connector.destination_blocked');
        const put = await p.api('PUT', '/api/connectors/email', { factoryId, config });
        expect(put.status, `${factoryId} put ${JSON.stringify(put.body)}`).toBe(200);
        const send = await p.api('POST', '/api/verification-codes', { email: 'victim@example.test' });
        expect(send.status, `${factoryId} send ${JSON.stringify(send.body)}`).toBe(422);
        expect(send.body.code).toBe('connector.destination_blocked');
      }
      expect(connections).toBe(before);
    });
  }

  it('a redirect from an allowed peer to a private address is blocked, and the private address is not reached', async () => {
    let hits = 0;
    const redirector = http.createServer((req, res) => {
      hits += 1;
      req.resume();
      res.writeHead(307, { location: req.url === '/to-internal' ? `http://127.0.0.2:${port}/` : 'http://169.254.169.254/latest/meta-data/' }).end();
    });
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', () => r()));
    const rport = (redirector.address() as AddressInfo).port;
    const allowed = await startPostern('sqlite', { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' }, { housekeeping: false });
    try {
      const before = connections;
      for (const path of ['/to-metadata', '/to-internal']) {
        const sg = await allowed.api('POST', '/api/connectors/test', { factoryId: 'sendgrid', config: { apiKey: 'SG.k', fromEmail: 'a@example.test', baseUrl: `http://127.0.0.1:${rport}${path}` }, to: 'v@example.test' });
        expect(sg.status, JSON.stringify(sg.body)).toBe(422);
        expect(sg.body.code).toBe('connector.destination_blocked');
      }
      expect(hits).toBeGreaterThan(0);
      expect(connections).toBe(before);
    } finally {
      await allowed.close();
      await new Promise<void>((r) => (redirector.closeAllConnections(), redirector.close(() => r())));
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from 'mailauth';
import { startSmtpPeer, type SmtpPeer } from '../src/testing/peers/smtp.js';
import { startDnsPeer, type DnsPeer } from '../src/core/deliverability/dns-peer.test-helpers.js';
import { startPostern, type TestPostern } from './helpers.js';

describe('deliverability through the API', () => {
  let p: TestPostern;
  let smtp: SmtpPeer;
  let dns: DnsPeer | undefined;
  let key: { id: string; dnsName: string; dnsValue: string; dnsStrings: string[] };

  beforeAll(async () => {
    smtp = await startSmtpPeer();
  });
  afterAll(async () => {
    await p?.close();
    await smtp?.close();
    await dns?.close();
  });

  it('creates a DKIM key with the DNS record to publish', async () => {
    p = await startPostern('sqlite', { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' });
    const r = await p.api('POST', '/api/dkim-keys', { domain: 'Acme.TEST', selector: 'postern1' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ domain: 'acme.test', selector: 'postern1', dnsName: 'postern1._domainkey.acme.test' });
    expect(r.body.dnsValue).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}$/);
    expect(r.body.dnsStrings.every((s: string) => s.length <= 255)).toBe(true);
    expect(r.body.dnsStrings.join('')).toBe(r.body.dnsValue);
    key = r.body;
    expect((await p.api('POST', '/api/dkim-keys', { domain: 'acme.test', selector: 'postern1' })).body.code).toBe('dkim_key.already_exists');
    expect((await p.api('POST', '/api/dkim-keys', { domain: 'not a domain', selector: 'x' })).body.code).toBe('request.invalid');
    const rows = JSON.stringify(await p.services.db.kysely.selectFrom('dkim_keys').selectAll().execute());
    expect(rows).not.toContain('PRIVATE KEY');
    expect((await p.api('GET', '/api/dkim-keys')).body.items.map((k: { id: string }) => k.id)).toEqual([key.id]);
  });

  it('signs every SMTP message with it; the signature verifies with mailauth and a modified body does not', async () => {
    expect((await p.api('PUT', '/api/connectors/email', { factoryId: 'smtp', config: { host: '127.0.0.1', port: smtp.port, fromEmail: 'auth@acme.test', dkim: { keyId: 'nope' } } })).body.code).toBe('connector.bad_config');
    const put = await p.api('PUT', '/api/connectors/email', { factoryId: 'smtp', config: { host: '127.0.0.1', port: smtp.port, fromEmail: 'auth@acme.test', dkim: { keyId: key.id } } });
    expect(put.status).toBe(200);
    expect((await p.api('POST', '/api/verification-codes', { email: 'reader@example.test' })).status).toBe(201);
    const raw = smtp.messages[smtp.messages.length - 1]!.raw;
    expect(raw.toString()).toMatch(/^DKIM-Signature: /m);
    const verify = async (message: Buffer | string) =>
      (
        await authenticate(message, {
          ip: '192.0.2.1',
          helo: 'mail.acme.test',
          sender: 'auth@acme.test',
          mta: 'mx.example.test',
          resolver: async (name: string, type: string) => {
            if (type === 'TXT' && name === key.dnsName) return [key.dnsStrings];
            throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
          },
        })
      ).dkim.results[0];
    const ok = await verify(raw);
    expect(ok?.status.result).toBe('pass');
    expect(ok?.signingDomain).toBe('acme.test');
    const tampered = raw.toString().replace(/(\r?\n\r?\n[\s\S]*?)(\d{6})/, (_m, a: string) => `${a}999999`);
    expect(tampered).not.toBe(raw.toString());
    expect((await verify(tampered))?.status.result).not.toBe('pass');
    expect((await p.api('DELETE', `/api/dkim-keys/${key.id}`)).body.code).toBe('dkim_key.in_use');
  });

  it('checks a domain against the DNS servers in POSTERN_DNS_SERVERS', async () => {
    dns = await startDnsPeer({
      'acme.test': [['v=spf1 include:sendgrid.net ~all']],
      [key.dnsName]: key.dnsStrings.map((s) => [s]).flat().length ? [key.dnsStrings] : [],
      '_dmarc.acme.test': [['v=DMARC1; p=none; rua=mailto:dmarc@acme.test']],
      'sendgrid.net': [['v=spf1 ip4:167.89.0.0/17 -all']],
    });
    await p.close();
    p = await startPostern('sqlite', { POSTERN_DNS_SERVERS: dns.address });
    const r = await p.api('POST', '/api/deliverability/check', { domain: 'acme.test', dkimSelector: 'postern1' });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['advice', 'dkim', 'dmarc', 'spf']);
    expect(r.body.spf.status).toBe('pass');
    expect(r.body.dkim.status).toBe('pass');
    expect(r.body.dmarc.status).toBe('warn');
    expect(r.body.dmarc.issues.join(' ')).toMatch(/p=none/);
    expect(r.body.advice.join(' ')).toMatch(/subdomain/i);
    expect((await p.api('POST', '/api/deliverability/check', { domain: '-bad-' })).body.code).toBe('request.invalid');
  });
});

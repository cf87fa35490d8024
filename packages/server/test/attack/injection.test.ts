import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainToASCII } from 'node:url';
import { startWorld, type World } from '../identity/setup.js';

/** Address tricks, template injection and header poisoning, asserted on what the SMTP peer received. */
describe('injection through user input', () => {
  let w: World;
  const PUBLIC = 'https://auth.example.test';
  beforeAll(async () => {
    w = await startWorld('sqlite');
  });
  afterAll(async () => {
    await w?.close();
  });

  it('CRLF and address-parser tricks are refused and never reach the SMTP transcript', async () => {
    const tricks = [
      'a@b.test\r\nBcc: x@evil.test',
      'a@b.test\nRCPT TO:<x@evil.test>',
      '"a@b"@c.test',
      '"x@evil.test"@example.test',
      'a@b.test,c@d.test',
      'a@b.test;c@d.test',
      'a(comment)@b.test',
      'a@b.test(x@evil.test)',
      'group: a@b.test, x@evil.test;',
      'Victim <a@b.test>',
      'a@b.test>\r\nMAIL FROM:<x@evil.test',
      'a@[127.0.0.1]',
      'a%x@evil.test@b.test',
      'a@b.test\u0000x@evil.test',
    ];
    const before = w.smtp.messages.length;
    for (const email of tricks) {
      for (const intent of ['sign-in', 'register']) {
        const r = await w.pub('POST', '/api/experience/verification-codes', { email, intent });
        expect(r.status, email).toBe(400);
        expect(r.body.code).toBe('request.invalid');
      }
      expect((await w.p.api('POST', '/api/verification-codes', { email })).status, email).toBe(400);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(w.smtp.messages.length).toBe(before);
  });

  it('mail goes to the stored address: exactly one RCPT TO, whatever spelling the request used; IDN as ASCII', async () => {
    expect((await w.p.api('POST', '/api/users', { email: 'Stored.Person@example.test', password: 'stored person pw' })).status).toBe(201);
    const r = await w.pub('POST', '/api/experience/verification-codes', { email: '  STORED.PERSON@EXAMPLE.TEST ', intent: 'sign-in' });
    expect(r.status).toBe(202);
    const m = await w.message('Stored.Person@example.test');
    expect(m.to).toEqual(['Stored.Person@example.test']);
    // The peer shows an IDN domain in Unicode (smtp-server decodes it); compare in ASCII.
    const count = w.smtp.messages.length;
    const idn = await w.pub('POST', '/api/experience/verification-codes', { email: 'someone@Bücher.example', intent: 'register' });
    expect(idn.status).toBe(202);
    for (let i = 0; i < 200 && w.smtp.messages.length === count; i++) await new Promise((res) => setTimeout(res, 25));
    const mi = w.smtp.messages.at(-1)!;
    expect(mi.to).toHaveLength(1);
    const [local, dom] = mi.to[0]!.split('@');
    expect(`${local}@${domainToASCII(dom!)}`).toBe('someone@xn--bcher-kva.example');
    const log = await w.p.api('GET', '/api/email-logs?limit=1');
    expect(log.body.items[0].to).toBe('someone@xn--bcher-kva.example');
    // A Cyrillic homoglyph of paypal.test is a different recipient, never the Latin one.
    const c2 = w.smtp.messages.length;
    expect((await w.pub('POST', '/api/experience/verification-codes', { email: 'someone@p\u0430ypal.test', intent: 'register' })).status).toBe(202);
    for (let i = 0; i < 200 && w.smtp.messages.length === c2; i++) await new Promise((res) => setTimeout(res, 25));
    const homo = w.smtp.messages.at(-1)!;
    expect(homo.to).toHaveLength(1);
    expect(domainToASCII(homo.to[0]!.split('@')[1]!)).toMatch(/^xn--/);
    expect(w.sent('someone@paypal.test')).toBe(0);
  });

  it('a user name of {{code}} or <script> is escaped and never rendered as a template', async () => {
    const put = await w.p.api('PUT', '/api/email-templates/en/Generic', { subject: 'Hi {{user.name}}', html: '<p>Hello {{user.name}}</p><p>{{code}}</p>', text: 'Hello {{user.name}}\n{{code}}\n' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const email = 'injector@example.test';
    const name = '{{code}}<script>alert(1)</script>{{#each this}}x{{/each}}';
    const sent = await w.p.api('POST', '/api/verification-codes', { email, payload: { user: { name }, organization: { name } } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const m = await w.message(email);
    const html = String(m.parsed.html);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('{{code}}');
    const code = /<p>([0-9]{6})<\/p>/.exec(html)?.[1];
    expect(code).toBeDefined();
    expect(html.split(code!)).toHaveLength(2);
    expect(m.parsed.subject).toContain('{{code}}');
    expect(m.parsed.subject).not.toContain(code);
    expect((await w.p.api('DELETE', '/api/email-templates/en/Generic')).status).toBeLessThan(300);
  });

  it('Host and X-Forwarded-Host never reach an invitation link or the JWT iss', async () => {
    const poison = { host: 'evil.test', 'x-forwarded-host': 'evil.test', 'x-forwarded-proto': 'http', forwarded: 'host=evil.test' };
    const org = await w.p.api('POST', '/api/organizations', { name: 'Acme' }, poison);
    expect(org.status).toBe(201);
    const inv = await w.p.api('POST', `/api/organizations/${org.body.id}/invitations`, { email: 'invitee@example.test' }, poison);
    expect(inv.status, JSON.stringify(inv.body)).toBe(201);
    expect(inv.body.link.startsWith(`${PUBLIC}/invitation/`)).toBe(true);
    const m = await w.message('invitee@example.test');
    expect(m.raw.toString()).not.toContain('evil.test');
    expect(String(m.parsed.html)).toContain(`${PUBLIC}/invitation/`);

    expect((await w.p.api('POST', '/api/users', { email: 'jwt@example.test', password: 'jwt user password' })).status).toBe(201);
    const s = await w.pub('POST', '/api/experience/sign-in/password', { email: 'jwt@example.test', password: 'jwt user password' }, poison);
    expect(s.status).toBe(200);
    const claims = JSON.parse(Buffer.from(s.body.tokens.accessToken.split('.')[1], 'base64url').toString());
    expect(claims.iss).toBe(PUBLIC);
  });
});

describe('X-Forwarded-For spoofing', () => {
  const spoofedSends = async (w: World) => {
    expect((await w.p.api('PATCH', '/api/verification-code-policy', { maxSendsPerIpPerHour: 2 })).status).toBe(200);
    const out = [];
    for (let i = 0; i < 4; i++) {
      const r = await w.pub('POST', '/api/experience/verification-codes', { email: `xff${i}@example.test`, intent: 'register' }, { 'x-forwarded-for': `203.0.113.${i + 1}` });
      out.push(r.status);
    }
    return out;
  };

  it('without POSTERN_TRUST_PROXY a forged X-Forwarded-For does not open a new per-IP bucket', async () => {
    const w = await startWorld('sqlite');
    try {
      const statuses = await spoofedSends(w);
      expect(statuses).toEqual([202, 202, 429, 429]);
    } finally {
      await w.close();
    }
  });

  it('with POSTERN_TRUST_PROXY=127.0.0.1 the forwarded address is the client', async () => {
    const w = await startWorld('sqlite', {}, { POSTERN_TRUST_PROXY: '127.0.0.1' });
    try {
      expect(await spoofedSends(w)).toEqual([202, 202, 202, 202]);
    } finally {
      await w.close();
    }
  });
});

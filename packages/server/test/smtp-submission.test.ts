import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { authenticate } from 'mailauth';
import { startSmtpPeer, type SmtpPeer } from '../src/testing/peers/smtp.js';
import { startWebhookPeer } from '../src/testing/peers/webhook.js';
import { rawSmtp } from '../src/testing/smtp-client.js';
import { DIALECTS, startPostern, type TestPostern } from './helpers.js';

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each(DIALECTS)('SMTP submission on %s (SPEC §18)', (dialect) => {
  let p: TestPostern;
  let peer: SmtpPeer;
  let ports: { port?: number; smtpsPort?: number };
  let user: string;
  let pass: string;
  let ca: string;
  let dkim: { dnsName: string; dnsStrings: string[] };
  let accepted = 0;

  const transport = (o: { pass?: string; localAddress?: string } = {}) =>
    nodemailer.createTransport({
      host: '127.0.0.1',
      port: ports.port!,
      secure: false,
      requireTLS: true,
      auth: { user, pass: o.pass ?? pass },
      tls: { ca, servername: 'localhost' },
      ...(o.localAddress ? { localAddress: o.localAddress } : {}),
    });

  const refusal = async (send: Promise<unknown>) => {
    const err = (await send.then(
      () => undefined,
      (e: unknown) => e,
    )) as { responseCode?: number; response?: string } | undefined;
    expect(err, 'the server should have refused').toBeDefined();
    return { code: err!.responseCode, response: err!.response ?? '' };
  };

  beforeAll(async () => {
    peer = await startSmtpPeer();
    p = await startPostern(dialect, {
      POSTERN_SMTP_PORT: '0',
      POSTERN_SMTPS_PORT: '0',
      POSTERN_SMTP_HOST: '127.0.0.1',
      POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32',
    });
    ports = await p.smtp!.listen();
    const c = await p.api('PUT', '/api/connectors/email', {
      factoryId: 'smtp',
      config: { host: '127.0.0.1', port: peer.port, fromEmail: 'auth@example.test', requireTLS: false },
    });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    const k = await p.api('POST', '/api/dkim-keys', { domain: 'example.test', selector: 'relay1' });
    expect(k.status).toBe(201);
    dkim = k.body;
    const cred = await p.api('POST', '/api/smtp-credentials', {
      name: 'Keycloak',
      allowedFromDomains: ['Example.test'],
    });
    expect(cred.status, JSON.stringify(cred.body)).toBe(201);
    expect(cred.body).toMatchObject({
      name: 'Keycloak',
      allowedFromDomains: ['example.test'],
      maxRecipientsPerHour: 1000,
    });
    user = cred.body.username;
    pass = cred.body.password;
    const cert = await p.api('GET', '/api/smtp-credentials/certificate');
    expect(cert.status).toBe(200);
    expect(cert.body.generated).toBe(true);
    ca = cert.body.pem;
    const listener = await p.api('GET', '/api/smtp-credentials/listener');
    expect(listener.status).toBe(200);
    expect(listener.body).toEqual({
      enabled: true,
      host: 'localhost',
      listenHost: '127.0.0.1',
      port: ports.port,
      smtpsPort: ports.smtpsPort,
      fingerprint: cert.body.fingerprint,
      certificateGenerated: true,
    });
  });
  afterAll(async () => {
    await p?.close();
    await peer?.close();
  });

  it('keeps the password only as a hash: the list never shows it', async () => {
    const list = await p.api('GET', '/api/smtp-credentials');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].username).toBe(user);
    expect(JSON.stringify(list.body)).not.toContain(pass);
    const row = await p.services.db.kysely.selectFrom('smtp_credentials').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(pass);
    const bad = await p.api('POST', '/api/smtp-credentials', { name: 'x', allowedFromDomains: ['not a domain'] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('request.invalid');
  });

  it('takes a message over STARTTLS with AUTH, delivers it as it came with DKIM, and logs it with source smtp', async () => {
    const info = await transport().sendMail({
      from: 'Acme <app@example.test>',
      to: 'ada@example.net',
      subject: 'Your sign-in code is 123456',
      text: 'Code: 123456',
      html: '<p>Code: <b>123456</b></p>',
      headers: { 'X-Trace': 'kc-42' },
      attachments: [{ filename: 'note.txt', content: 'attached' }],
    });
    accepted++;
    expect(info.response).toMatch(/^250 /);
    await until('the message at the peer', () => peer.messages.length === 1);
    const m = peer.messages[0]!;
    expect(m.to).toEqual(['ada@example.net']);
    expect(m.parsed.subject).toBe('Your sign-in code is 123456');
    expect(m.parsed.from?.value[0]).toMatchObject({ address: 'app@example.test', name: 'Acme' });
    expect(m.parsed.text?.trim()).toBe('Code: 123456');
    expect(m.parsed.html).toContain('<b>123456</b>');
    expect(m.parsed.headers.get('x-trace')).toBe('kc-42');
    expect(m.parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['note.txt', 'attached']]);
    const verified = await authenticate(m.raw, {
      ip: '192.0.2.1',
      helo: 'mail.example.test',
      sender: 'app@example.test',
      mta: 'mx.example.net',
      resolver: async (name: string, type: string) => {
        if (type === 'TXT' && name === dkim.dnsName) return [dkim.dnsStrings];
        throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      },
    });
    expect(verified.dkim.results[0]?.status.result).toBe('pass');
    expect(verified.dkim.results[0]?.signingDomain).toBe('example.test');

    await until(
      'the email log',
      async () => (await p.api('GET', '/api/email-logs?source=smtp')).body.items.length === 1,
    );
    const logs = await p.api('GET', '/api/email-logs?source=smtp');
    expect(logs.body.items[0]).toMatchObject({ source: 'smtp', status: 'sent', to: 'ada@example.net' });
    // Postern cannot know which part of a submitted message is a secret: neither subject nor body is logged.
    expect(JSON.stringify(logs.body)).not.toContain('123456');
    expect((await p.api('GET', '/api/email-logs?source=api')).body.items).toEqual([]);
    const bad = await p.api('GET', '/api/email-logs?source=carrier-pigeon');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('request.invalid');
  });

  it('logs one item per envelope recipient', async () => {
    await transport().sendMail({
      from: 'app@example.test',
      to: ['b1@example.net', 'b2@example.net'],
      subject: 'Two',
      text: 'two',
    });
    accepted += 2;
    await until('both copies', () => peer.messages.length === 3);
    expect(
      peer.messages
        .slice(1)
        .map((m) => m.to[0])
        .sort(),
    ).toEqual(['b1@example.net', 'b2@example.net']);
    await until(
      'both log items',
      async () => (await p.api('GET', '/api/email-logs?source=smtp')).body.items.length === 3,
    );
  });

  it('takes mail on the implicit-TLS port too', async () => {
    const t = nodemailer.createTransport({
      host: '127.0.0.1',
      port: ports.smtpsPort!,
      secure: true,
      auth: { user, pass },
      tls: { ca, servername: 'localhost' },
    });
    const info = await t.sendMail({ from: 'app@example.test', to: 'tls@example.net', subject: 'Implicit', text: 'x' });
    accepted++;
    expect(info.response).toMatch(/^250 /);
    await until('the implicit-TLS message', () => peer.messages.some((m) => m.to.includes('tls@example.net')));
  });

  it('keeps an encoded From name, Reply-To and an inline image, and derives the text of an HTML-only message', async () => {
    const info = await transport().sendMail({
      from: { name: 'Jörg vom Dienst', address: 'app@example.test' },
      replyTo: 'help@example.test',
      to: 'parts@example.net',
      subject: 'Grüße',
      html: '<p>Hello <b>there</b></p><img src="cid:logo@example.test">',
      attachments: [
        {
          filename: 'logo.png',
          content: Buffer.from('89504e47', 'hex'),
          cid: 'logo@example.test',
          contentType: 'image/png',
        },
      ],
    });
    accepted++;
    expect(info.response).toMatch(/^250 /);
    await until('the HTML-only message', () => peer.messages.some((m) => m.to.includes('parts@example.net')));
    const m = peer.messages.find((x) => x.to.includes('parts@example.net'))!;
    expect(m.parsed.from?.value[0]).toMatchObject({ address: 'app@example.test', name: 'Jörg vom Dienst' });
    expect(m.parsed.replyTo?.value[0]?.address).toBe('help@example.test');
    expect(m.parsed.subject).toBe('Grüße');
    expect(m.parsed.text).toMatch(/Hello there/i);
    const logo = m.parsed.attachments.find((a) => a.filename === 'logo.png');
    expect(logo?.cid).toBe('logo@example.test');
    expect(logo?.content.toString('hex')).toBe('89504e47');
  });

  it('signs with a DKIM key created after its domain already sent unsigned mail, and stops when it is deleted', async () => {
    const cred = await p.api('POST', '/api/smtp-credentials', {
      name: 'Late',
      allowedFromDomains: ['late.example.test'],
    });
    const t = () =>
      nodemailer.createTransport({
        host: '127.0.0.1',
        port: ports.port!,
        requireTLS: true,
        auth: { user: cred.body.username, pass: cred.body.password },
        tls: { ca, servername: 'localhost' },
      });
    const signedBy = async (to: string) => {
      await t().sendMail({ from: 'app@late.example.test', to, subject: 'Late', text: 'x' });
      accepted++;
      await until(`the message to ${to}`, () => peer.messages.some((m) => m.to.includes(to)));
      const raw = peer.messages.find((m) => m.to.includes(to))!.raw.toString();
      return /^DKIM-Signature:[^\r\n]*\bd=([\w.-]+)/im.exec(raw.replace(/\r\n[ \t]+/g, ' '))?.[1] ?? null;
    };
    expect(await signedBy('late1@example.net')).toBeNull();
    const key = await p.api('POST', '/api/dkim-keys', { domain: 'late.example.test', selector: 's1' });
    expect(key.status).toBe(201);
    expect(await signedBy('late2@example.net')).toBe('late.example.test');
    expect((await p.api('DELETE', `/api/dkim-keys/${key.body.id}`)).status).toBe(204);
    expect(await signedBy('late3@example.net')).toBeNull();
    expect((await p.api('DELETE', `/api/smtp-credentials/${cred.body.id}`)).status).toBe(204);
  });

  it('refuses AUTH before STARTTLS and mail without AUTH, on loopback too', async () => {
    const c = await rawSmtp(ports.port!);
    expect(c.greeting.code).toBe(220);
    const ehlo = await c.command('EHLO client.example.test');
    expect(ehlo.text).toContain('STARTTLS');
    const auth = await c.command(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`).toString('base64')}`);
    expect(auth.code).toBe(538);
    expect((await c.command('MAIL FROM:<app@example.test>')).code).toBe(530);
    c.close();
  });

  it('answers AUTH LOGIN with the exact prompts Zitadel checks, and AUTH PLAIN with an authzid equal to the user', async () => {
    const c = await rawSmtp(ports.smtpsPort!, { tls: { ca } });
    const ehlo = await c.command('EHLO localhost');
    expect(ehlo.text).toMatch(/AUTH PLAIN LOGIN/);
    expect((await c.command('AUTH LOGIN')).text).toBe('334 VXNlcm5hbWU6');
    expect((await c.command(Buffer.from(user).toString('base64'))).text).toBe('334 UGFzc3dvcmQ6');
    expect((await c.command(Buffer.from(pass).toString('base64'))).code).toBe(235);
    c.close();
    const d = await rawSmtp(ports.smtpsPort!, { tls: { ca } });
    await d.command('EHLO localhost');
    expect((await d.command(`AUTH PLAIN ${Buffer.from(`${user}\0${user}\0${pass}`).toString('base64')}`)).code).toBe(
      235,
    );
    d.close();
  });

  it('refuses a wrong password with 535, then locks the address out with 454 after five failures', async () => {
    // From another loopback address, so that the lockout does not touch the other tests.
    for (let i = 0; i < 5; i++) {
      const r = await refusal(
        transport({ pass: 'wrong-password', localAddress: '127.0.0.2' }).sendMail({
          from: 'app@example.test',
          to: 'x@example.net',
          text: 'x',
        }),
      );
      expect(r.code).toBe(535);
    }
    const locked = await refusal(
      transport({ localAddress: '127.0.0.2' }).sendMail({ from: 'app@example.test', to: 'x@example.net', text: 'x' }),
    );
    expect(locked.code).toBe(454);
  });

  it('refuses a foreign envelope sender and a foreign From: header with 550', async () => {
    const env = await refusal(transport().sendMail({ from: 'app@other.test', to: 'x@example.net', text: 'x' }));
    expect(env.code).toBe(550);
    expect(env.response).toContain('other.test');
    const header = await refusal(
      transport().sendMail({
        from: 'boss@other.test',
        envelope: { from: 'app@example.test', to: ['x@example.net'] },
        to: 'x@example.net',
        text: 'x',
      }),
    );
    expect(header.code).toBe(550);
    expect(header.response).toContain('From:');
  });

  it('refuses a suppressed recipient with 550 and the reason', async () => {
    expect((await p.api('POST', '/api/suppressions', { email: 'gone@example.net' })).status).toBe(201);
    const r = await refusal(transport().sendMail({ from: 'app@example.test', to: 'gone@example.net', text: 'x' }));
    expect(r.code).toBe(550);
    expect(r.response).toMatch(/suppression list \(manual\)/);
  });

  it('refuses a message over 10 MB with 552', async () => {
    const c = await rawSmtp(ports.smtpsPort!, { tls: { ca } });
    await c.command('EHLO localhost');
    expect((await c.command(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`).toString('base64')}`)).code).toBe(235);
    expect((await c.command('MAIL FROM:<app@example.test>')).code).toBe(250);
    expect((await c.command('RCPT TO:<big@example.net>')).code).toBe(250);
    expect((await c.command('DATA')).code).toBe(354);
    const line = `${'x'.repeat(998)}\r\n`;
    const body = `From: app@example.test\r\nTo: big@example.net\r\nSubject: big\r\n\r\n${line.repeat(Math.ceil((11 * 1024 * 1024) / line.length))}.\r\n`;
    const r = await c.send(body);
    expect(r.code).toBe(552);
    c.close();
  });

  it('deletes a credential: it stops working at once', async () => {
    const made = await p.api('POST', '/api/smtp-credentials', {
      name: 'Temp',
      allowedFromDomains: ['example.test'],
      maxRecipientsPerHour: 1,
    });
    expect(made.status).toBe(201);
    const t = () =>
      nodemailer.createTransport({
        host: '127.0.0.1',
        port: ports.port!,
        requireTLS: true,
        auth: { user: made.body.username, pass: made.body.password },
        tls: { ca, servername: 'localhost' },
      });
    // The hourly recipient cap (1 here): the second recipient waits for the next hour.
    await t().sendMail({ from: 'app@example.test', to: 'c1@example.net', text: 'x' });
    accepted++;
    const capped = await refusal(t().sendMail({ from: 'app@example.test', to: 'c2@example.net', text: 'x' }));
    expect(capped.code).toBe(451);
    expect((await p.api('DELETE', `/api/smtp-credentials/${made.body.id}`)).status).toBe(204);
    expect((await p.api('DELETE', `/api/smtp-credentials/${made.body.id}`)).body.code).toBe(
      'smtp_credential.not_found',
    );
    const gone = await refusal(t().sendMail({ from: 'app@example.test', to: 'c3@example.net', text: 'x' }));
    expect(gone.code).toBe(535);
  });

  it('sent nothing for any refused message', async () => {
    await until('every accepted message delivered', () => peer.messages.length === accepted);
    await until(
      'every accepted message logged',
      async () => (await p.api('GET', '/api/email-logs?source=smtp&limit=200')).body.items.length === accepted,
    );
    const logs = await p.api('GET', '/api/email-logs?source=smtp&limit=200');
    expect(logs.body.items).toHaveLength(accepted);
    expect(peer.messages).toHaveLength(accepted);
    const queued = await p.api('GET', '/api/outbox?status=queued');
    expect(queued.body.items).toEqual([]);
  });
});

describe('SMTP listener off', () => {
  it('answers 404 smtp.disabled for the certificate, and says it is off', async () => {
    const p = await startPostern('sqlite');
    try {
      expect(p.smtp).toBeUndefined();
      const r = await p.api('GET', '/api/smtp-credentials/certificate');
      expect(r.status).toBe(404);
      expect(r.body.code).toBe('smtp.disabled');
      const l = await p.api('GET', '/api/smtp-credentials/listener');
      expect(l.status).toBe(200);
      expect(l.body).toEqual({
        enabled: false,
        host: null,
        listenHost: null,
        port: null,
        smtpsPort: null,
        fingerprint: null,
        certificateGenerated: null,
      });
    } finally {
      await p.close();
    }
  });
});

describe('SMTP submission through a connector without attachments', () => {
  it('refuses a message with an attachment with 554 and what to do, and takes the same message without it', async () => {
    const hook = await startWebhookPeer();
    const p = await startPostern('sqlite', {
      POSTERN_SMTP_PORT: '0',
      POSTERN_SMTP_HOST: '127.0.0.1',
      POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32',
    });
    try {
      const ports = await p.smtp!.listen();
      expect(
        (await p.api('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: hook.url } })).status,
      ).toBe(200);
      const cred = await p.api('POST', '/api/smtp-credentials', {
        name: 'Supabase',
        allowedFromDomains: ['example.test'],
      });
      const ca = (await p.api('GET', '/api/smtp-credentials/certificate')).body.pem as string;
      const t = nodemailer.createTransport({
        host: '127.0.0.1',
        port: ports.port!,
        requireTLS: true,
        auth: { user: cred.body.username, pass: cred.body.password },
        tls: { ca, servername: 'localhost' },
      });
      const err = (await t
        .sendMail({
          from: 'app@example.test',
          to: 'att@example.net',
          subject: 'With',
          text: 'x',
          attachments: [{ filename: 'a.txt', content: 'a' }],
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        )) as { responseCode?: number; response?: string } | undefined;
      expect(err?.responseCode).toBe(554);
      expect(err?.response).toMatch(/cannot carry attachments; send the message without them/);
      const ok = await t.sendMail({ from: 'app@example.test', to: 'att@example.net', subject: 'Without', text: 'x' });
      expect(ok.response).toMatch(/^250 /);
      const end = Date.now() + 10_000;
      while (hook.received.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
      expect(hook.received).toHaveLength(1);
      expect(JSON.stringify(hook.received[0]!.body)).toContain('Without');
    } finally {
      await p.close();
      await hook.close();
    }
  });
});

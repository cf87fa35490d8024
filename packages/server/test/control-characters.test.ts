import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpPeer, type SmtpPeer } from '../src/testing/peers/smtp.js';
import { startPostern, type TestPostern } from './helpers.js';

/** NUL, ESC, DEL, C1 (NEL, CSI), CR/LF, a lone CR, TAB and the Unicode line separator. */
const BAD = ['A\u0000B', 'A\u001b[31mB', 'A\u007fB', 'A\u0085B', 'A\u009bB', 'A\r\nBcc: x@evil.test', 'A\rB', 'A\tB', 'A\u2028B'];

describe('control characters in names and in what reaches a header', () => {
  let p: TestPostern;
  let smtp: SmtpPeer;
  beforeAll(async () => {
    p = await startPostern('sqlite', { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' });
    smtp = await startSmtpPeer();
    expect((await p.api('POST', '/api/tenants', { id: 'mailer', name: 'Mailer', type: 'development' })).status).toBe(201);
    const put = await p.api('PUT', '/t/mailer/api/connectors/email', { factoryId: 'smtp', config: { host: '127.0.0.1', port: smtp.port, fromEmail: 'auth@acme.test', fromName: 'Acme Auth' } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
  });
  afterAll(async () => {
    await p?.close();
    await smtp?.close();
  });

  const refused = (r: { status: number; body: any }, field: string, code = 'request.invalid') => {
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.code).toBe(code);
    expect(JSON.stringify(r.body.details)).toContain(field);
  };

  it.each(BAD)('refuses %j in every name-like field with 400', async (bad) => {
    refused(await p.api('POST', '/api/tenants', { id: 'bad-tenant', name: bad, type: 'development' }), 'name');
    refused(await p.api('POST', '/api/admin-keys', { name: bad }), 'name');
    refused(await p.api('POST', '/api/organizations', { name: bad }), 'name');
    refused(await p.api('POST', '/api/users', { email: 'named@example.test', name: bad }), 'name');
    const user = await p.api('POST', '/api/users', { email: `ok-${BAD.indexOf(bad)}@example.test`, name: 'Fine Name' });
    expect(user.status).toBe(201);
    refused(await p.api('PATCH', `/api/users/${user.body.id}`, { name: bad }), 'name');
    // Public registration (both forms): the name is checked with the body, before any code is spent.
    refused(await p.api('POST', '/api/experience/register', { email: 'new@example.test', verificationId: 'v', code: '123456', name: bad }, { authorization: '' }), 'name');
    refused(await p.api('POST', '/api/experience/register', { registrationToken: 'x'.repeat(40), name: bad }, { authorization: '' }), 'name');
    refused(await p.api('PATCH', '/api/branding', { companyName: bad }), 'companyName');
    refused(await p.api('PATCH', '/api/branding', { senderName: bad }), 'senderName');
    refused(await p.api('PUT', '/t/mailer/api/connectors/email', { factoryId: 'smtp', config: { host: '127.0.0.1', port: smtp.port, fromEmail: 'auth@acme.test', fromName: bad } }), 'fromName', 'connector.bad_config');
    refused(await p.api('PUT', '/t/mailer/api/connectors/email', { factoryId: 'sendgrid', config: { apiKey: 'SG.key', fromEmail: 'auth@acme.test', fromName: bad } }), 'fromName', 'connector.bad_config');
    refused(await p.api('PUT', '/t/mailer/api/connectors/email', { factoryId: 'aliyun-dm', config: { accessKeyId: 'id', accessKeySecret: 'secret', accountName: 'auth@acme.test', fromAlias: bad } }), 'fromAlias', 'connector.bad_config');
    refused(await p.api('PATCH', `/api/connectors/${(await p.api('GET', '/api/connectors')).body.items[0].id}`, { config: { senderName: bad } }), 'senderName', 'connector.bad_config');
    const tpl = await p.api('PUT', '/api/email-templates/en/Generic', { subject: 's {{code}}', html: '{{code}}', senderName: bad });
    expect(tpl.status).toBe(422);
    expect(tpl.body.code).toBe('template.invalid');
  });

  it('keeps line breaks, but no other control character, in the multi-line company information', async () => {
    expect((await p.api('PATCH', '/api/branding', { companyInformation: 'Acme Ltd\nHigh Street 1\r\nLondon' })).status).toBe(200);
    for (const bad of ['Acme\u0000', 'Acme\u001b', 'Acme\u007f', 'Acme\rX']) refused(await p.api('PATCH', '/api/branding', { companyInformation: bad }), 'companyInformation');
    await p.api('PATCH', '/api/branding', { companyInformation: null });
  });

  it('sends with control characters in the payload: line breaks fold, NUL/ESC/DEL never reach Subject: raw', async () => {
    const tpl = await p.api('PUT', '/t/mailer/api/email-templates/en/Generic', { subject: 'Code for {{organization.name}} at {{application.name}}', html: '<p>{{code}} {{organization.name}}</p>' });
    expect(tpl.status).toBe(200);
    const before = smtp.messages.length;
    const sent = await p.api('POST', '/t/mailer/api/verification-codes', {
      email: 'user@example.test',
      locale: 'en',
      payload: { organization: { name: 'Evil\r\nBcc: victim@evil.test\u0000\u001b[2J\u007f\u0085Org' }, application: { name: 'App\nName' } },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(smtp.messages.length).toBe(before + 1);
    const m = smtp.messages[smtp.messages.length - 1]!;
    expect(m.parsed.subject).toBe('Code for Evil Bcc: victim@evil.test[2J Org at App Name');
    expect(m.parsed.headers.get('bcc')).toBeUndefined();
    const header = /^Subject:.*(?:\r\n[ \t].*)*/im.exec(m.raw.toString('latin1'))![0];
    expect(header).not.toMatch(/[\u0000\u001b\u007f]/);
    // The decoded header too (it may be encoded-word): nothing but printable text.
    expect(m.parsed.subject).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('sends through the built-in service with control characters in the payload (mailbox), never a 500', async () => {
    const sent = await p.api('POST', '/api/verification-codes', { email: 'someone@example.test', locale: 'en', payload: { application: { name: 'Bad\u0000\u001b\u007f\r\nApp' } } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const list = await p.api('GET', '/api/mailbox');
    const subject: string = list.body.items[0].subject;
    expect(subject).toContain('Bad App');
    expect(subject).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('answers 422 template.invalid, not 500, when a send cannot render', async () => {
    // A template stored before today's checks (written straight to the store) that the sandbox refuses.
    await p.services.stores.templates.put({ tenantId: 'mailer', locale: 'en', templateType: 'SignIn', subject: 'x', html: '{{#if code}}'.repeat(50), text: null, replyTo: null, senderName: null, updatedAt: new Date().toISOString() });
    // Saving another template through the API drops this instance's cache of the tenant's templates.
    expect((await p.api('PUT', '/t/mailer/api/email-templates/en/Register', { subject: 'r {{code}}', html: '{{code}}' })).status).toBe(200);
    const r = await p.api('POST', '/t/mailer/api/verification-codes', { email: 'user@example.test', templateType: 'SignIn', locale: 'en' });
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.code).toBe('template.invalid');
    await p.services.stores.templates.delete('mailer', 'en', 'SignIn');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpPeer, type SmtpPeer } from '../src/testing/peers/smtp.js';
import { startPostern, type TestPostern } from './helpers.js';
import { TEMPLATE_TYPES } from '@postern/connector-kit';

/** Every template type in each of the eight shipped languages. */
const SHIPPED = TEMPLATE_TYPES.length * 8;

describe('email templates, branding and languages through the API', () => {
  let p: TestPostern;
  let smtp: SmtpPeer;
  beforeAll(async () => {
    p = await startPostern('sqlite', { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' });
    smtp = await startSmtpPeer();
    const put = await p.api('PUT', '/api/connectors/email', { factoryId: 'smtp', config: { host: '127.0.0.1', port: smtp.port, fromEmail: 'auth@acme.test', fromName: 'Acme Auth' } });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await p?.close();
    await smtp?.close();
  });

  const send = async (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const before = smtp.messages.length;
    const r = await p.api('POST', '/api/connectors/test', { factoryId: 'smtp', config: (await p.api('GET', '/api/connectors')).body.items[0].config, ...body }, headers);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(smtp.messages.length).toBe(before + 1);
    return smtp.messages[smtp.messages.length - 1]!.parsed;
  };

  const allTemplates = async (query = '', limit = 50) => {
    const items: Array<{ locale: string; templateType: string; isDefault: boolean }> = [];
    let cursor: string | null = null;
    do {
      const r: { status: number; body: any } = await p.api('GET', `/api/email-templates?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}${query}`);
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(limit);
      items.push(...r.body.items);
      cursor = r.body.nextCursor;
    } while (cursor);
    return items;
  };

  it('lists every type in every shipped language, all defaults', async () => {
    const r = await p.api('GET', '/api/email-templates');
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(50);
    expect(typeof r.body.nextCursor).toBe('string');
    const all = await allTemplates();
    expect(all).toHaveLength(SHIPPED);
    expect(all.every((t: { isDefault: boolean }) => t.isDefault)).toBe(true);
    const th = await p.api('GET', '/api/email-templates?locale=th&templateType=SignIn');
    expect(th.body.items).toHaveLength(1);
    expect(th.body.items[0].subject).toMatch(/[\u0E00-\u0E7F]/);
  });

  it('pages like every other list: limit 1\u2013200, cursor, nextCursor (SPEC 2)', async () => {
    for (const bad of ['0', '201', '-1', 'x', '1.5']) {
      const r = await p.api('GET', `/api/email-templates?limit=${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.code).toBe('request.invalid');
    }
    expect((await p.api('GET', '/api/email-templates?cursor=not-a-cursor')).body.code).toBe('request.invalid');
    const big = await p.api('GET', '/api/email-templates?limit=200');
    expect(big.body.items).toHaveLength(SHIPPED);
    expect(big.body.nextCursor).toBeNull();
    // Every page size gives the same items in the same order, without repeats.
    const keys = (items: Array<{ locale: string; templateType: string }>) => items.map((t) => `${t.locale}/${t.templateType}`);
    for (const limit of [1, 7, 9, 50]) expect(keys(await allTemplates('', limit))).toEqual(keys(big.body.items));
    // A tenant language joins the list (after the shipped ones); a filter pages too.
    expect((await p.api('PUT', '/api/email-templates/ko/SignIn', { subject: 'ko {{code}}', html: '<p>{{code}}</p>' })).status).toBe(200);
    try {
      const withKo = await allTemplates('', 10);
      expect(withKo).toHaveLength(SHIPPED + TEMPLATE_TYPES.length);
      expect(keys(withKo).slice(SHIPPED)).toEqual(keys(withKo.filter((t) => t.locale === 'ko')));
      expect(withKo.find((t) => t.locale === 'ko' && t.templateType === 'SignIn')?.isDefault).toBe(false);
      expect(await allTemplates('&templateType=SignIn', 2)).toHaveLength(9);
      // A cursor whose language was removed meanwhile still continues in place.
      const first = await p.api('GET', `/api/email-templates?limit=${SHIPPED + 3}`);
      expect(first.body.items[SHIPPED + 2]).toMatchObject({ locale: 'ko' });
      await p.api('DELETE', '/api/email-templates/ko/SignIn');
      const rest = await p.api('GET', `/api/email-templates?limit=50&cursor=${first.body.nextCursor}`);
      expect(rest.status).toBe(200);
      expect(rest.body).toEqual({ items: [], nextCursor: null });
    } finally {
      await p.api('DELETE', '/api/email-templates/ko/SignIn');
    }
  });

  it('sends the shipped design in the resolved language: locale field, then Accept-Language, then default', async () => {
    const th = await send({ to: 'a@example.test', templateType: 'SignIn', locale: 'th-TH' });
    expect(th.subject).toMatch(/[\u0E00-\u0E7F]/);
    expect(th.text).toContain('000000');
    const ja = await send({ to: 'a@example.test', templateType: 'SignIn' }, { 'accept-language': 'ja,en;q=0.5' });
    expect(ja.subject).toMatch(/[\u3040-\u30FF\u4E00-\u9FFF]/);
    const de = await send({ to: 'a@example.test', templateType: 'SignIn', locale: 'xx' });
    expect(de.subject).not.toMatch(/[\u0E00-\u0E7F\u3040-\u30FF]/);
  });

  it('uses a custom template, with the branding, in the next real send; delete reverts', async () => {
    expect((await p.api('PATCH', '/api/branding', { companyName: 'Acme <b>Corp</b>', primaryColor: '#112233', logoUrl: 'https://cdn.acme.test/logo.png' })).status).toBe(200);
    expect((await p.api('PATCH', '/api/branding', { logoUrl: 'http://insecure.test/x.png' })).body.code).toBe('request.invalid');
    const saved = await p.api('PUT', '/api/email-templates/en/SignIn', {
      subject: 'Sign in to {{branding.companyName}}: {{code}}',
      html: '<h1>{{branding.companyName}}</h1><p>Code: <b>{{code}}</b> ({{expiresInMinutes}} min)</p>',
      senderName: 'Acme Security',
      replyTo: 'help@acme.test',
    });
    expect(saved.status).toBe(200);
    expect(saved.body.isDefault).toBe(false);
    const m = await send({ to: 'b@example.test', templateType: 'SignIn', locale: 'en' });
    expect(m.subject).toBe('Sign in to Acme <b>Corp</b>: 000000');
    expect(m.html).toContain('<h1>Acme &lt;b&gt;Corp&lt;/b&gt;</h1>');
    expect(m.text).toContain('000000');
    expect(m.from?.value[0]).toEqual({ address: 'auth@acme.test', name: 'Acme Security' });
    expect(m.replyTo?.value[0]?.address).toBe('help@acme.test');
    const logs = await p.api('GET', '/api/email-logs?to=b@example.test');
    expect(logs.body.items[0].subject).toBe('Sign in to Acme <b>Corp</b>: ••••••');

    expect((await p.api('DELETE', '/api/email-templates/en/SignIn')).status).toBe(204);
    expect((await p.api('DELETE', '/api/email-templates/en/SignIn')).body.code).toBe('template.not_found');
    const back = await send({ to: 'b@example.test', templateType: 'SignIn', locale: 'en' });
    expect(back.subject).not.toContain('Sign in to Acme');
  });

  it('looks up the tenant\u2019s own templates along the whole locale chain before any shipped default (SPEC 5)', async () => {
    // The shipped pt-BR exists; the tenant wrote only pt. A pt-BR request gets the tenant's pt.
    expect((await p.api('PUT', '/api/email-templates/pt/SignIn', { subject: 'Tenant pt {{code}}', html: '<p>pt {{code}}</p>' })).status).toBe(200);
    try {
      expect((await send({ to: 'c@example.test', templateType: 'SignIn', locale: 'pt-BR' })).subject).toBe('Tenant pt 000000');
      expect((await send({ to: 'c@example.test', templateType: 'SignIn' }, { 'accept-language': 'pt-BR,pt;q=0.9' })).subject).toBe('Tenant pt 000000');
      // Another type without a tenant template in the chain keeps the shipped pt-BR design.
      const other = await send({ to: 'c@example.test', templateType: 'Register', locale: 'pt-BR' });
      expect(other.subject).not.toContain('Tenant');
      expect(other.subject).toMatch(/[ãçéí]|Confirme/i);
      // An exact tenant template still comes first.
      expect((await p.api('PUT', '/api/email-templates/pt-BR/SignIn', { subject: 'Tenant pt-BR {{code}}', html: '<p>{{code}}</p>' })).status).toBe(200);
      expect((await send({ to: 'c@example.test', templateType: 'SignIn', locale: 'pt-BR' })).subject).toBe('Tenant pt-BR 000000');
    } finally {
      await p.api('DELETE', '/api/email-templates/pt/SignIn');
      await p.api('DELETE', '/api/email-templates/pt-BR/SignIn');
    }
    expect((await send({ to: 'c@example.test', templateType: 'SignIn', locale: 'pt-BR' })).subject).not.toContain('Tenant');
  });

  it('refuses templates that do not compile, with the position, and unsafe constructs', async () => {
    const broken = await p.api('PUT', '/api/email-templates/en/Generic', { subject: 'Hi', html: '<p>\n{{#if code}}x</p>' });
    expect(broken.status).toBe(422);
    expect(broken.body.code).toBe('template.invalid');
    expect(broken.body.details).toMatchObject({ field: 'html', line: expect.any(Number), column: expect.any(Number) });
    for (const html of ['{{{code}}}', '{{> evil}}', '{{constructor.constructor "return process"}}', '{{lookup this "__proto__"}}']) {
      const r = await p.api('PUT', '/api/email-templates/en/Generic', { subject: 'Hi', html });
      expect(r.status, html).toBe(422);
    }
    expect((await p.api('PUT', '/api/email-templates/en/Generic', { subject: 'Hi\r\nBcc: x@evil.test', html: '<p>{{code}}</p>' })).body.code).toBe('template.invalid');
    expect((await p.api('PUT', '/api/email-templates/en/Nope', { subject: 'Hi', html: 'x' })).body.code).toBe('request.invalid');
  });

  it('previews with sample data and lints', async () => {
    const r = await p.api('POST', '/api/email-templates/preview', { locale: 'en', templateType: 'SignIn', html: '<p>Hello {{user.nmae}}</p><img src="http://x.test/a.png">' });
    expect(r.status).toBe(200);
    const codes = r.body.warnings.map((w: { code: string }) => w.code);
    expect(codes).toEqual(expect.arrayContaining(['missing_code', 'unknown_variable', 'insecure_url']));
    const inv = await p.api('POST', '/api/email-templates/preview', { locale: 'de', templateType: 'OrganizationInvitation' });
    expect(inv.body.warnings).toEqual([]);
    expect(inv.body.html).toContain('https://');
    const noLink = await p.api('POST', '/api/email-templates/preview', { locale: 'en', templateType: 'OrganizationInvitation', html: '<p>Join us</p>' });
    expect(noLink.body.warnings.map((w: { code: string }) => w.code)).toContain('missing_link');
    const escaped = await p.api('POST', '/api/email-templates/preview', { locale: 'en', templateType: 'Generic', html: '<p>{{user.name}} {{code}}</p>', variables: { user: { name: '<script>alert(1)</script>{{code}}' }, code: '123456' } });
    expect(escaped.body.html).toContain('&lt;script&gt;');
    expect(escaped.body.html).toContain('{{code}}');
    expect(escaped.body.html).not.toContain('<script>');
  });

  it('the built-in service ignores tenant templates and uses the connector branding', async () => {
    await p.api('PUT', '/api/email-templates/en/Generic', { subject: 'CUSTOM {{code}}', html: '<p>{{code}}</p>' });
    const r = await p.api('POST', '/api/connectors/test', { factoryId: 'builtin', config: { senderName: 'Acme Builtin' }, to: 'c@example.test', locale: 'en' });
    expect(r.status).toBe(200);
    const id = r.body.providerMessageId.replace('mailbox:', '');
    const m = await p.api('GET', `/api/mailbox/${id}`);
    expect(m.body.subject).not.toContain('CUSTOM');
    expect(m.body.from).toContain('Acme Builtin');
    expect(m.body.text).toContain('Acme Builtin will never ask');
    const plain = await p.api('POST', '/api/connectors/test', { factoryId: 'builtin', config: {}, to: 'd@example.test', locale: 'en' });
    const pm = await p.api('GET', `/api/mailbox/${plain.body.providerMessageId.replace('mailbox:', '')}`);
    expect(pm.body.text).toContain('Postern will never ask');
    expect(m.body.text).toContain('000000');
  });
});

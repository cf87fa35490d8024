import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { DIALECTS, startPostern, type TestPostern } from './helpers.js';
import { startPostmarkPeer } from '../src/testing/peers/postmark.js';

/** A response's JSON body, loosely typed for assertions. */
const json = (r: Response): Promise<any> => r.json();

/** What GoTrue's Send Email Hook posts (supabase/auth SendEmailInput), all 11 email_data keys present. */
function supabaseBody(action: string, user: Record<string, unknown>, data: Record<string, string> = {}) {
  return JSON.stringify({
    metadata: { uuid: randomUUID(), time: new Date().toISOString(), name: 'send-email', ip_address: '203.0.113.7' },
    user: {
      id: randomUUID(),
      aud: 'authenticated',
      role: 'authenticated',
      phone: '',
      app_metadata: { provider: 'email', providers: ['email'] },
      identities: [],
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
      is_anonymous: false,
      ...user,
    },
    email_data: {
      token: '',
      token_hash: '',
      redirect_to: '',
      email_action_type: action,
      site_url: 'http://localhost:3000',
      token_new: '',
      token_hash_new: '',
      old_email: '',
      old_phone: '',
      provider: '',
      factor_type: '',
      ...data,
    },
  });
}

describe.each(DIALECTS)('auth-system hooks on %s', (dialect) => {
  let p: TestPostern;
  let base: string;
  let n = 0;
  const addr = () => `hook${++n}-${dialect}@example.test`;

  beforeAll(async () => {
    p = await startPostern(dialect, { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' }, { housekeeping: false });
    base = await p.app.listen({ host: '127.0.0.1', port: 0 });
    expect((await p.api('PATCH', '/api/verification-code-policy', { maxSendsPerRecipientPerHour: 1000 })).status).toBe(
      200,
    );
  });
  afterAll(async () => {
    await p?.close();
  });
  beforeEach(async () => {
    await p.api('DELETE', '/api/mailbox');
  });

  async function mail(tenant = '') {
    const box = await p.api('GET', `${tenant}/api/mailbox?limit=200`);
    return Promise.all(
      box.body.items.map(async (m: { id: string }) => (await p.api('GET', `${tenant}/api/mailbox/${m.id}`)).body),
    );
  }
  async function expectedSubject(templateType: string, locale: string, tenant = '') {
    const r = await p.api('POST', `${tenant}/api/email-templates/preview`, { templateType, locale });
    expect(r.status).toBe(200);
    // The preview fills in a sample application; a real send names the tenant's (Postern here).
    return (r.body.subject as string).replace('Acme Cloud', 'Postern');
  }
  async function loggedType(to: string, tenant = '') {
    const r = await p.api('GET', `${tenant}/api/email-logs?to=${encodeURIComponent(to)}`);
    return r.body.items.map((i: { templateType: string }) => i.templateType);
  }

  describe('management', () => {
    it('creates, lists, reads and deletes integrations; the secret is shown once and never stored in clear', async () => {
      const c = await p.api('POST', '/api/integrations', { kind: 'supabase', supabaseUrl: 'https://abc.supabase.co/' });
      expect(c.status).toBe(201);
      expect(c.body).toMatchObject({
        kind: 'supabase',
        url: expect.stringMatching(/\/api\/integrations\/supabase\/send-email$/),
        supabaseUrl: 'https://abc.supabase.co',
      });
      // GoTrue's configuration check: ^v1,whsec_[A-Za-z0-9+/=]{32,88}
      expect(c.body.secret).toMatch(/^v1,whsec_[A-Za-z0-9+/=]{32,88}$/);
      const list = await p.api('GET', '/api/integrations');
      expect(list.body.items.map((i: { id: string }) => i.id)).toContain(c.body.id);
      expect(JSON.stringify(list.body)).not.toContain(c.body.secret.slice(9));
      const one = await p.api('GET', `/api/integrations/${c.body.id}`);
      expect(one.body).not.toHaveProperty('secret');
      const rows = await p.services.db.kysely.selectFrom('integrations').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(c.body.secret.slice(9));
      expect((await p.api('DELETE', `/api/integrations/${c.body.id}`)).status).toBe(204);
      expect((await p.api('GET', `/api/integrations/${c.body.id}`)).body.code).toBe('integration.not_found');
      expect((await p.api('DELETE', `/api/integrations/${c.body.id}`)).status).toBe(404);
    });

    it('refuses a supabaseUrl on other kinds, an unknown kind and unknown fields', async () => {
      expect(
        (await p.api('POST', '/api/integrations', { kind: 'logto', supabaseUrl: 'https://x.supabase.co' })).body.code,
      ).toBe('request.invalid');
      expect((await p.api('POST', '/api/integrations', { kind: 'auth0' })).body.code).toBe('request.invalid');
      expect((await p.api('POST', '/api/integrations', { kind: 'kratos', secret: 'mine' })).body.code).toBe(
        'request.invalid',
      );
      expect(
        (await p.api('POST', '/api/integrations', { kind: 'supabase', supabaseUrl: 'javascript:alert(1)' })).body.code,
      ).toBe('request.invalid');
    });

    it('needs an admin key', async () => {
      const r = await fetch(`${base}/api/integrations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'logto' }),
      });
      expect(r.status).toBe(401);
    });
  });

  describe('Supabase Send Email Hook', () => {
    let secret: string;
    let url: string;
    beforeAll(async () => {
      const c = await p.api('POST', '/api/integrations', { kind: 'supabase', supabaseUrl: 'https://proj.supabase.co' });
      secret = c.body.secret;
      url = `${base}/api/integrations/supabase/send-email`;
    });

    /** Posts as GoTrue does: Standard Webhooks headers, the signature made with the `v1,whsec_…` secret. */
    async function hook(body: string, opts: { secret?: string; at?: Date; signature?: string } = {}) {
      const id = randomUUID();
      const at = opts.at ?? new Date();
      const signature = opts.signature ?? new Webhook((opts.secret ?? secret).replace(/^v1,/, '')).sign(id, at, body);
      const r = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signature,
          'accept-encoding': 'identity',
          'user-agent': 'Go-http-client/1.1',
        },
        body,
      });
      return { status: r.status, type: r.headers.get('content-type'), body: await json(r) };
    }

    it("a signed signup sends the Register template in the user's language with the code and the verify link", async () => {
      const email = addr();
      const r = await hook(
        supabaseBody(
          'signup',
          { email, user_metadata: { locale: 'th' } },
          { token: '305805', token_hash: 'abc123hash', redirect_to: 'https://app.example/welcome' },
        ),
      );
      expect(r).toEqual({ status: 200, type: expect.stringMatching(/^application\/json/), body: {} });
      const box = await mail();
      expect(box).toHaveLength(1);
      expect(box[0].to).toBe(email);
      expect(box[0].subject).toBe(await expectedSubject('Register', 'th'));
      expect(box[0].text).toContain('305805');
      expect(await loggedType(email)).toEqual(['Register']);
    });

    it("the verify link reaches a provider through the tenant's own template", async () => {
      const tenant = `/t/peer-${dialect}`;
      await p.api('POST', '/api/tenants', { id: `peer-${dialect}`, name: 'Peer' });
      const peer = await startPostmarkPeer({
        serverToken: 'pm-hooks-test-0123456789',
        senderSignatures: ['@example.test'],
      });
      try {
        expect(
          (
            await p.api('PUT', `${tenant}/api/connectors/email`, {
              factoryId: 'postmark',
              config: { serverToken: peer.serverToken, fromEmail: 'auth@example.test', baseUrl: peer.url },
            })
          ).status,
        ).toBe(200);
        // The shipped code templates show no link; a tenant's own template may.
        const t = await p.api('PUT', `${tenant}/api/email-templates/th/Register`, {
          subject: 'ลงทะเบียน',
          html: '<p>{{code}}</p><p>{{link}}</p>',
          text: 'รหัส {{code}}\nลิงก์ {{link}}',
        });
        expect(t.status).toBe(200);
        const c = await p.api('POST', `${tenant}/api/integrations`, {
          kind: 'supabase',
          supabaseUrl: 'https://proj.supabase.co',
        });
        const email = addr();
        const body = supabaseBody(
          'signup',
          { email, user_metadata: { locale: 'th-TH' } },
          { token: '305805', token_hash: 'pkce_abc123', redirect_to: 'https://app.example/welcome' },
        );
        const id = randomUUID();
        const res = await fetch(`${base}${tenant}/api/integrations/supabase/send-email`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
            'webhook-signature': new Webhook(c.body.secret.replace(/^v1,/, '')).sign(id, new Date(), body),
          },
          body,
        });
        expect(await json(res)).toEqual({});
        expect(peer.received).toHaveLength(1);
        expect(peer.received[0]!.to).toContain(email);
        expect(peer.received[0]!.subject).toBe('ลงทะเบียน');
        expect(peer.received[0]!.textBody?.trim()).toBe(
          'รหัส 305805\nลิงก์ https://proj.supabase.co/auth/v1/verify?token=pkce_abc123&type=signup&redirect_to=https%3A%2F%2Fapp.example%2Fwelcome',
        );
      } finally {
        await peer.close();
      }
    });

    it('maps recovery, magiclink and reauthentication; without a locale the tenant default is used', async () => {
      for (const [action, type] of [
        ['recovery', 'ForgotPassword'],
        ['magiclink', 'SignIn'],
        ['reauthentication', 'UserPermissionValidation'],
        ['mfa_factor_enrolled_notification', 'Generic'],
      ] as const) {
        const email = addr();
        const r = await hook(supabaseBody(action, { email, user_metadata: {} }, { token: '112233', token_hash: 'h' }));
        expect(r.body, action).toEqual({});
        expect(await loggedType(email)).toEqual([type]);
        const box = (await mail()).filter((m) => m.to === email);
        expect(box[0].subject).toBe(await expectedSubject(type, 'en'));
      }
    });

    it('a secure email change sends the new address its code and the old one its own', async () => {
      const oldEmail = addr();
      const newEmail = addr();
      const r = await hook(
        supabaseBody(
          'email_change',
          { email: oldEmail, new_email: newEmail, user_metadata: { locale: 'fr' } },
          { token: '111111', token_new: '222222', token_hash: 'hash-new', token_hash_new: 'hash-old' },
        ),
      );
      expect(r.body).toEqual({});
      const box = await mail();
      const toNew = box.find((m) => m.to === newEmail);
      const toOld = box.find((m) => m.to === oldEmail);
      expect(toNew.subject).toBe(await expectedSubject('BindNewIdentifier', 'fr'));
      expect(toNew.text).toContain('222222');
      expect(toNew.html).toContain('Saisissez');
      expect(toOld.text).toContain('111111');
      expect(toOld.text).not.toContain('222222');
    });

    it('accepts GoTrue\'s ", "-joined signatures of several secrets', async () => {
      const email = addr();
      const body = supabaseBody('magiclink', { email }, { token: '445566', token_hash: 'h' });
      const id = randomUUID();
      const at = new Date();
      const other = new Webhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').sign(id, at, body);
      const mine = new Webhook(secret.replace(/^v1,/, '')).sign(id, at, body);
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': `${other}, ${mine}`,
        },
        body,
      });
      expect(await json(res)).toEqual({});
      expect((await mail()).map((m) => m.to)).toEqual([email]);
    });

    it('a bad signature, a stale timestamp, a missing header and a malformed body are refused the way Supabase reads, and nothing is sent', async () => {
      const email = addr();
      const good = supabaseBody('signup', { email }, { token: '999000', token_hash: 'h' });
      const wrongSecret = await hook(good, { secret: 'v1,whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
      expect(wrongSecret.status).toBe(200);
      expect(wrongSecret.body).toEqual({ error: { http_code: 401, message: expect.stringContaining('signature') } });
      const stale = await hook(good, { at: new Date(Date.now() - 10 * 60_000) });
      expect(stale.body).toEqual({ error: { http_code: 401, message: expect.stringContaining('timestamp') } });
      const future = await hook(good, { at: new Date(Date.now() + 10 * 60_000) });
      expect(future.body.error.http_code).toBe(401);
      const tampered = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': 'x',
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': new Webhook(secret.replace(/^v1,/, '')).sign('x', new Date(), good),
        },
        body: good.replace('999000', '123123'),
      });
      expect((await json(tampered)).error.http_code).toBe(401);
      const unsigned = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: good,
      });
      expect((await json(unsigned)).error.http_code).toBe(401);
      const notJson = await hook('{"user":');
      expect(notJson.body).toEqual({ error: { http_code: 400, message: expect.any(String) } });
      const noEmailData = await hook(JSON.stringify({ user: { email } }));
      expect(noEmailData.body.error.http_code).toBe(400);
      const badTo = await hook(supabaseBody('signup', { email: 'not-an-address' }, { token: '1' }));
      expect(badTo.body.error.http_code).toBe(400);
      expect(await mail()).toEqual([]);
      expect(await loggedType(email)).toEqual([]);
    });

    it('a delivery failure reaches Supabase as an error it reads', async () => {
      const tenant = `/t/failing-${dialect}`;
      await p.api('POST', '/api/tenants', { id: `failing-${dialect}`, name: 'Failing' });
      const peer = await startPostmarkPeer({
        serverToken: 'pm-hooks-right-0123456789',
        senderSignatures: ['@example.test'],
      });
      try {
        expect(
          (
            await p.api('PUT', `${tenant}/api/connectors/email`, {
              factoryId: 'postmark',
              config: { serverToken: 'pm-hooks-wrong-0123456789', fromEmail: 'auth@example.test', baseUrl: peer.url },
            })
          ).status,
        ).toBe(200);
        const c = await p.api('POST', `${tenant}/api/integrations`, { kind: 'supabase' });
        const body = supabaseBody('signup', { email: addr() }, { token: '1234', token_hash: 'h' });
        const id = randomUUID();
        const res = await fetch(`${base}${tenant}/api/integrations/supabase/send-email`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
            'webhook-signature': new Webhook(c.body.secret.replace(/^v1,/, '')).sign(id, new Date(), body),
          },
          body,
        });
        expect(res.status).toBe(200);
        const out = await json(res);
        expect(out).toEqual({ error: { http_code: 502, message: expect.stringContaining('connector.auth_failed') } });
        expect(out.error.message).not.toContain('1234');
        expect(peer.received).toEqual([]);
      } finally {
        await peer.close();
      }
    });

    it("one tenant's secret does not sign for another", async () => {
      await p.api('POST', '/api/tenants', { id: `other-${dialect}`, name: 'Other' });
      const body = supabaseBody('signup', { email: addr() }, { token: '1234', token_hash: 'h' });
      const id = randomUUID();
      const res = await fetch(`${base}/t/other-${dialect}/api/integrations/supabase/send-email`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': new Webhook(secret.replace(/^v1,/, '')).sign(id, new Date(), body),
        },
        body,
      });
      expect((await json(res)).error.http_code).toBe(401);
      expect(await mail(`/t/other-${dialect}`)).toEqual([]);
    });
  });

  describe('Logto HTTP email connector', () => {
    let secret: string;
    let url: string;
    beforeAll(async () => {
      await p.api('POST', '/api/tenants', { id: `logto-${dialect}`, name: 'Logto tenant' });
      const c = await p.api('POST', `/t/logto-${dialect}/api/integrations`, { kind: 'logto' });
      expect(c.status).toBe(201);
      secret = c.body.secret;
      url = c.body.url.replace(/^https?:\/\/[^/]+/, base);
      expect(url).toBe(`${base}/t/logto-${dialect}/api/integrations/logto/send-email`);
    });
    /** As got posts it for @logto/connector-http-email: the configured authorization verbatim. */
    const post = (body: unknown, authorization?: string) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'got (https://github.com/sindresorhus/got)',
          ...(authorization ? { authorization } : {}),
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    it('sends the matching template in the locale Logto names', async () => {
      await p.api('DELETE', `/t/logto-${dialect}/api/mailbox`);
      const email = addr();
      const r = await post(
        {
          to: email,
          type: 'ForgotPassword',
          payload: { code: '654321', locale: 'fr', uiLocales: 'fr en' },
          ip: '198.51.100.4',
        },
        `Bearer ${secret}`,
      );
      expect(r.status).toBe(200);
      const box = await mail(`/t/logto-${dialect}`);
      expect(box).toHaveLength(1);
      expect(box[0].to).toBe(email);
      expect(box[0].subject).toBe(await expectedSubject('ForgotPassword', 'fr', `/t/logto-${dialect}`));
      expect(box[0].text).toContain('654321');
    });

    it('takes the first of uiLocales, maps the old Test type to Generic, and carries an invitation link', async () => {
      const email = addr();
      expect(
        (await post({ to: email, type: 'Test', payload: { code: '000111', uiLocales: 'de en' } }, `Bearer ${secret}`))
          .status,
      ).toBe(200);
      expect(await loggedType(email, `/t/logto-${dialect}`)).toEqual(['Generic']);
      const invited = addr();
      const link = 'https://logto.example/invite/abc';
      expect(
        (
          await post(
            {
              to: invited,
              type: 'OrganizationInvitation',
              payload: {
                link,
                locale: 'en',
                organization: { id: 'o1', name: 'Acme' },
                inviter: { id: 'u1', name: 'Ann', primaryEmail: 'ann@example.test' },
              },
            },
            `Bearer ${secret}`,
          )
        ).status,
      ).toBe(200);
      const box = (await mail(`/t/logto-${dialect}`)).find((m) => m.to === invited);
      expect(box.text).toContain(link);
      expect(box.subject).toContain('Acme');
      expect((await mail(`/t/logto-${dialect}`)).find((m) => m.to === email).subject).toBe(
        await expectedSubject('Generic', 'de', `/t/logto-${dialect}`),
      );
    });

    it('refuses a wrong or missing authorization and a malformed body, and sends nothing', async () => {
      await p.api('DELETE', `/t/logto-${dialect}/api/mailbox`);
      const email = addr();
      const body = { to: email, type: 'SignIn', payload: { code: '123456' } };
      for (const auth of [
        undefined,
        'Bearer nope',
        secret,
        `Basic ${Buffer.from(`postern:${secret}`).toString('base64')}`,
      ]) {
        const r = await post(body, auth);
        expect(r.status).toBe(401);
        expect((await json(r)).code).toBe('integration.unauthorized');
      }
      // The default tenant's secret is not this tenant's.
      const other = await p.api('POST', '/api/integrations', { kind: 'logto' });
      expect((await post(body, `Bearer ${other.body.secret}`)).status).toBe(401);
      for (const bad of [
        '{"to":',
        { type: 'SignIn', payload: {} },
        { to: email, type: 'SignIn' },
        { to: 'nobody', type: 'SignIn', payload: { code: '1' } },
      ]) {
        const r = await post(bad, `Bearer ${secret}`);
        expect(r.status).toBe(400);
        expect((await json(r)).code).toBe('integration.invalid_payload');
      }
      expect(await mail(`/t/logto-${dialect}`)).toEqual([]);
    });

    it('a deleted integration stops working at once', async () => {
      const c = await p.api('POST', `/t/logto-${dialect}/api/integrations`, { kind: 'logto' });
      const body = { to: addr(), type: 'SignIn', payload: { code: '123456' } };
      expect((await post(body, `Bearer ${c.body.secret}`)).status).toBe(200);
      await p.api('DELETE', `/t/logto-${dialect}/api/integrations/${c.body.id}`);
      expect((await post(body, `Bearer ${c.body.secret}`)).status).toBe(401);
    });
  });

  describe('Ory Kratos courier HTTP', () => {
    let secret: string;
    let url: string;
    beforeAll(async () => {
      const c = await p.api('POST', '/api/integrations', { kind: 'kratos' });
      secret = c.body.secret;
      url = `${base}/api/integrations/kratos/send-email`;
    });
    const basic = (pw: string, user = 'postern') => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
    const post = (body: unknown, authorization?: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    /** The whole context, as `function(ctx) ctx` renders it. */
    const ctx = (recipient: string, templateType: string, templateData: Record<string, unknown>) => ({
      recipient,
      subject: 'Kratos subject',
      body: 'Kratos body',
      html_body: '<p>Kratos body</p>',
      template_type: templateType,
      template_data: {
        to: recipient,
        request_url: 'https://kratos.example/self-service/login?flow=1',
        transient_payload: {},
        ...templateData,
      },
      message_type: 'email',
      request_headers: null,
    });
    /** Kratos' default request body (the jsonnet in its schema). */
    const defaultBody = (recipient: string, templateType: string, fields: Record<string, string | null> = {}) => ({
      recipient,
      template_type: templateType,
      to: recipient,
      recovery_code: null,
      recovery_url: null,
      verification_url: null,
      verification_code: null,
      subject: 'Kratos subject',
      body: 'Kratos body',
      ...fields,
    });

    it("a login code (whole context, basic auth) sends SignIn in the identity's language with the code", async () => {
      const email = addr();
      const r = await post(
        ctx(email, 'login_code_valid', {
          login_code: '482913',
          identity: { id: 'i1', traits: { email, locale: 'ja' } },
          expires_in_minutes: 15,
        }),
        basic(secret),
      );
      expect(r.status).toBe(200);
      const box = await mail();
      expect(box).toHaveLength(1);
      expect(box[0].subject).toBe(await expectedSubject('SignIn', 'ja'));
      expect(box[0].text).toContain('482913');
      expect(await loggedType(email)).toEqual(['SignIn']);
    });

    it('registration and verification codes, with Authorization: Bearer as an API key', async () => {
      const a = addr();
      const b = addr();
      expect(
        (
          await post(
            ctx(a, 'registration_code_valid', { registration_code: '111222', traits: { email: a } }),
            `Bearer ${secret}`,
          )
        ).status,
      ).toBe(200);
      expect(
        (
          await post(
            ctx(b, 'verification_code_valid', {
              verification_code: '333444',
              verification_url: 'https://kratos.example/verify?code=333444',
            }),
            `Bearer ${secret}`,
          )
        ).status,
      ).toBe(200);
      expect(await loggedType(a)).toEqual(['Register']);
      expect(await loggedType(b)).toEqual(['Register']);
      expect((await mail()).find((m) => m.to === a).text).toContain('111222');
    });

    it('takes the default body for recovery codes, and refuses login codes with it, naming the fix', async () => {
      const email = addr();
      expect(
        (await post(defaultBody(email, 'recovery_code_valid', { recovery_code: '778899' }), basic(secret))).status,
      ).toBe(200);
      expect(await loggedType(email)).toEqual(['ForgotPassword']);
      expect((await mail())[0].text).toContain('778899');
      const login = addr();
      const r = await post(defaultBody(login, 'login_code_valid'), basic(secret));
      expect(r.status).toBe(422);
      const e = await json(r);
      expect(e.code).toBe('integration.code_missing');
      expect(e.message).toContain('base64://ZnVuY3Rpb24oY3R4KSBjdHg=');
      expect(Buffer.from('ZnVuY3Rpb24oY3R4KSBjdHg=', 'base64').toString()).toBe('function(ctx) ctx');
      expect(await loggedType(login)).toEqual([]);
    });

    it('refuses a wrong user or password, an SMS, and a malformed body, and sends nothing', async () => {
      const email = addr();
      const body = ctx(email, 'login_code_valid', { login_code: '123456' });
      for (const auth of [undefined, basic('wrong'), basic(secret, 'kratos'), `Bearer wrong`]) {
        const r = await post(body, auth);
        expect(r.status).toBe(401);
        expect((await json(r)).code).toBe('integration.unauthorized');
      }
      const sms = await post({ ...body, message_type: 'sms', recipient: '+15550100' }, basic(secret));
      expect(sms.status).toBe(400);
      for (const bad of ['not json', { template_type: 'login_code_valid' }, [1, 2]]) {
        const r = await post(bad, basic(secret));
        expect(r.status).toBe(400);
        expect((await json(r)).code).toBe('integration.invalid_payload');
      }
      expect(await mail()).toEqual([]);
    });
  });

  describe('POST /api/messages', () => {
    it("renders the tenant's template with the caller's code and sends it", async () => {
      const email = addr();
      const r = await p.api('POST', '/api/messages', {
        to: email,
        templateType: 'SignIn',
        locale: 'de',
        variables: { code: '246810', expiresInMinutes: 5 },
      });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ messageId: expect.any(String) });
      const box = await mail();
      expect(box[0].subject).toBe(await expectedSubject('SignIn', 'de'));
      expect(box[0].text).toContain('246810');
      const logs = await p.api('GET', `/api/email-logs?to=${encodeURIComponent(email)}`);
      expect(logs.body.items[0].id).toBe(r.body.messageId);
      expect(JSON.stringify(logs.body)).not.toContain('246810');
    });
    it('refuses a bad address, an unknown type and unknown fields', async () => {
      expect((await p.api('POST', '/api/messages', { to: 'nope', templateType: 'SignIn', variables: {} })).status).toBe(
        400,
      );
      expect((await p.api('POST', '/api/messages', { to: addr(), templateType: 'Nope', variables: {} })).status).toBe(
        400,
      );
      expect(
        (await p.api('POST', '/api/messages', { to: addr(), templateType: 'SignIn', variables: {}, cc: 'x' })).status,
      ).toBe(400);
    });
  });
});

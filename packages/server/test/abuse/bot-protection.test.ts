import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startCaptchaPeer,
  type CaptchaPeer,
  type PeerProvider,
  type TokenOutcome,
} from '../../src/testing/peers/captcha.js';
import { startPostern } from '../helpers.js';
import { startWorld, type World } from '../identity/setup.js';

const HOST = 'auth.example.test';

describe('bot protection (SPEC 19) against a local siteverify peer', () => {
  let w: World;
  let peer: CaptchaPeer;
  let n = 0;
  const fresh = () => `visitor-${++n}@example.test`;
  const token = (o: TokenOutcome = {}) => peer.issue({ hostname: HOST, ...o });
  const send = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    w.pub('POST', '/api/experience/verification-codes', { intent: 'register', email: fresh(), ...body }, headers);
  const protect = async (provider: PeerProvider | 'none', extra: Record<string, unknown> = {}) => {
    const r = await w.p.api(
      'PATCH',
      '/api/bot-protection',
      provider === 'none'
        ? { provider }
        : { provider, siteKey: peer.siteKey, secretKey: peer.secret, verifyUrl: peer.url(provider), ...extra },
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };

  beforeAll(async () => {
    peer = await startCaptchaPeer();
    w = await startWorld('sqlite', { captchaTimeoutMs: 1500 });
  });
  afterAll(async () => {
    await w?.close();
    await peer?.close();
  });
  beforeEach(() => peer.setMode('normal'));

  it('is off by default; a token sent while off is ignored and the provider is not asked', async () => {
    const g = await w.p.api('GET', '/api/bot-protection');
    expect(g.body).toEqual({ provider: 'none', siteKey: null, secretKey: null, verifyUrl: null, scoreThreshold: 0.5 });
    const before = peer.received.length;
    const email = fresh();
    expect(
      (
        await w.pub('POST', '/api/experience/verification-codes', {
          email,
          intent: 'register',
          captchaToken: 'anything',
        })
      ).status,
    ).toBe(202);
    expect(peer.received.length).toBe(before);
    await w.message(email);
  });

  it('masks the secret, keeps it encrypted at rest, and refuses incomplete settings', async () => {
    const body = await protect('turnstile');
    expect(body.secretKey).toBe(`••••${peer.secret.slice(-4)}`);
    expect(JSON.stringify((await w.p.api('GET', '/api/bot-protection')).body)).not.toContain(peer.secret);
    const rows = await w.p.services.db.kysely.selectFrom('tenant_settings').select('value').execute();
    expect(rows.map((r) => r.value).join('\n')).not.toContain(peer.secret);

    const none = await w.p.api('PATCH', '/api/bot-protection', { provider: 'hcaptcha', secretKey: null });
    expect(none.status).toBe(400);
    expect(none.body.code).toBe('request.invalid');
    expect(none.body.details.issues.map((i: { path: string }) => i.path)).toContain('secretKey');
    expect((await w.p.api('PATCH', '/api/bot-protection', { scoreThreshold: 2 })).body.code).toBe('request.invalid');
    expect((await w.p.api('PATCH', '/api/bot-protection', { verifyUrl: 'file:///etc/passwd' })).body.code).toBe(
      'request.invalid',
    );
    expect((await w.p.api('PATCH', '/api/bot-protection', { surprise: true })).body.code).toBe('request.invalid');
  });

  it('null in the patch puts a member back to its default (RFC 7396): the provider\'s own address, no secret', async () => {
    await protect('turnstile');
    // Back to the provider's own siteverify address: the secret must come with it (a new destination).
    const back = await w.p.api('PATCH', '/api/bot-protection', { verifyUrl: null, secretKey: peer.secret });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body.verifyUrl).toBeNull();
    const keepsMasked = await w.p.api('PATCH', '/api/bot-protection', { verifyUrl: null });
    expect(keepsMasked.status).toBe(200);
    expect(keepsMasked.body.secretKey).toBe(`••••${peer.secret.slice(-4)}`);
    // Off, the site key and the secret can be removed; on, they are required again.
    const off = await w.p.api('PATCH', '/api/bot-protection', { provider: 'none', siteKey: null, secretKey: null, scoreThreshold: null });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body).toEqual({ provider: 'none', siteKey: null, secretKey: null, verifyUrl: null, scoreThreshold: 0.5 });
    const on = await w.p.api('PATCH', '/api/bot-protection', { provider: 'turnstile', siteKey: null });
    expect(on.status).toBe(400);
    expect(on.body.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['secretKey', 'siteKey']);
    await protect('turnstile');
  });

  it('a masked secret sent back keeps the stored one, but not towards a new verifyUrl or provider', async () => {
    const current = await protect('turnstile');
    const same = await w.p.api('PATCH', '/api/bot-protection', { ...current, siteKey: 'another-site-key' });
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    const moved = await w.p.api('PATCH', '/api/bot-protection', {
      secretKey: current.secretKey,
      verifyUrl: 'https://proxy.example.test/siteverify',
    });
    expect(moved.status).toBe(400);
    expect(moved.body.code).toBe('connector.bad_config');
    expect(moved.body.details.issues[0].path).toBe('secretKey');
    const switched = await w.p.api('PATCH', '/api/bot-protection', { provider: 'recaptcha' });
    expect(switched.body.code).toBe('connector.bad_config');
    const forged = await w.p.api('PATCH', '/api/bot-protection', { secretKey: '••••zzzz' });
    expect(forged.status).toBe(400);
    // Turning protection off needs no secret, and on again towards the same place keeps it.
    const off = await w.p.api('PATCH', '/api/bot-protection', { provider: 'none' });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body.secretKey).toBe(current.secretKey);
    expect((await w.p.api('PATCH', '/api/bot-protection', { provider: 'hcaptcha' })).body.code).toBe(
      'connector.bad_config',
    );
    expect((await w.p.api('PATCH', '/api/bot-protection', { provider: 'turnstile' })).status).toBe(200);
    // The stored secret still verifies.
    expect((await send({ captchaToken: token() })).status).toBe(202);
  });

  it('the hosted pages read the provider and site key, never the secret', async () => {
    await protect('hcaptcha');
    const r = await w.pub('GET', '/api/experience/bot-protection');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      provider: 'hcaptcha',
      siteKey: peer.siteKey,
      action: 'send_code',
      scriptUrl: 'https://js.hcaptcha.com/1/api.js?render=explicit&recaptchacompat=off',
    });
  });

  it("the hosted pages' CSP allows the chosen provider's widget, and nothing more when off", async () => {
    const csp = async () => String((await w.pub('GET', '/register')).headers['content-security-policy']);
    await protect('none');
    const off = await csp();
    expect(off).toContain("script-src 'self';");
    expect(off).not.toMatch(/hcaptcha|cloudflare|google/);
    expect((await w.pub('GET', '/api/experience/bot-protection')).body).toMatchObject({ provider: 'none', scriptUrl: null });

    await protect('turnstile');
    const on = await csp();
    expect(on).toContain("script-src 'self' https://challenges.cloudflare.com;");
    expect(on).toContain('frame-src \'self\' blob: data: https://challenges.cloudflare.com;');
    expect(on).not.toMatch(/hcaptcha|google/);
    // The console keeps the strict policy.
    expect(String((await w.pub('GET', '/console/')).headers['content-security-policy'])).not.toContain('cloudflare');

    await protect('recaptcha');
    expect((await w.pub('GET', '/api/experience/bot-protection')).body.scriptUrl).toBe(
      `https://www.google.com/recaptcha/api.js?render=${peer.siteKey}`,
    );
    expect(await csp()).toContain("script-src 'self' https://www.google.com/recaptcha/ https://www.gstatic.com/recaptcha/;");
    await protect('none');
  });

  it.each(['turnstile', 'hcaptcha', 'recaptcha'] as const)(
    '%s: no token is 400 captcha.required and sends nothing; a good token sends once',
    async (provider) => {
      await protect(provider);
      const email = fresh();
      const missing = await w.pub('POST', '/api/experience/verification-codes', { email, intent: 'register' });
      expect(missing.status).toBe(400);
      expect(missing.body.code).toBe('captcha.required');
      expect(
        (await w.pub('POST', '/api/experience/verification-codes', { email, intent: 'register', captchaToken: '  ' }))
          .body.code,
      ).toBe('captcha.required');
      expect(w.sent(email)).toBe(0);

      const t = token(provider === 'recaptcha' ? { score: 0.9, action: 'send_code' } : {});
      const ok = await w.pub(
        'POST',
        '/api/experience/verification-codes',
        { email, intent: 'register', captchaToken: t },
        { 'x-forwarded-for': '203.0.113.9' },
      );
      expect(ok.status, JSON.stringify(ok.body)).toBe(202);
      await w.message(email);
      const asked = peer.received.at(-1)!;
      expect(asked).toMatchObject({ provider, response: t, secretMatched: true, remoteip: '127.0.0.1' });
      expect(asked.contentType).toMatch(/^application\/x-www-form-urlencoded/);
      if (provider === 'hcaptcha') expect(asked.sitekey).toBe(peer.siteKey);

      // Tokens are single-use at the provider: a replay is refused and nothing more is sent.
      const again = await w.pub('POST', '/api/experience/verification-codes', {
        email,
        intent: 'register',
        captchaToken: t,
      });
      expect(again.status).toBe(403);
      expect(again.body.code).toBe('captcha.invalid');
      expect(again.body.details.errorCodes.length).toBeGreaterThan(0);
      const bogus = await send({ captchaToken: 'forged-token' });
      expect(bogus.status).toBe(403);
      expect(bogus.body.details.errorCodes).toEqual(['invalid-input-response']);
      expect(w.sent(email)).toBe(1);
    },
  );

  it('every intent that sends (sign-in, forgot-password, resend) needs the token', async () => {
    await protect('turnstile');
    const known = fresh();
    expect((await w.p.api('POST', '/api/users', { email: known, password: 'a long password' })).status).toBe(201);
    for (const intent of ['sign-in', 'forgot-password', 'register']) {
      const r = await w.pub('POST', '/api/experience/verification-codes', { email: known, intent });
      expect(r.body.code, intent).toBe('captcha.required');
    }
    expect(
      (
        await w.pub('POST', '/api/experience/verification-codes', {
          email: known,
          intent: 'forgot-password',
          captchaToken: token(),
        })
      ).status,
    ).toBe(202);
    await w.message(known);
    // A resend is another send: a new token.
    expect(
      (await w.pub('POST', '/api/experience/verification-codes', { email: known, intent: 'forgot-password' })).body
        .code,
    ).toBe('captcha.required');
  });

  it('calls with an admin key are exempt; a wrong key exempts nothing', async () => {
    await protect('turnstile');
    const before = peer.received.length;
    const r = await send({}, { authorization: `Bearer ${w.p.adminKey}` });
    expect(r.status).toBe(202);
    expect(peer.received.length).toBe(before);
    expect((await send({}, { authorization: 'Bearer not-a-key' })).body.code).toBe('captcha.required');
  });

  it('reCAPTCHA v3: a score under scoreThreshold or another action is refused', async () => {
    await protect('recaptcha', { scoreThreshold: 0.7 });
    const low = await send({ captchaToken: token({ score: 0.3, action: 'send_code' }) });
    expect(low.status).toBe(403);
    expect(low.body).toMatchObject({ code: 'captcha.invalid', details: { reason: 'score' } });
    const action = await send({ captchaToken: token({ score: 0.9, action: 'login' }) });
    expect(action.body).toMatchObject({ code: 'captcha.invalid', details: { reason: 'action' } });
    expect((await send({ captchaToken: token({ score: 0.7, action: 'send_code' }) })).status).toBe(202);
  });

  it('an answer for another host name than POSTERN_PUBLIC_URL is refused', async () => {
    await protect('turnstile');
    const r = await send({ captchaToken: peer.issue({ hostname: 'evil.example.test' }) });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ code: 'captcha.invalid', details: { reason: 'hostname' } });
  });

  it.each([
    ['hang', 'timeout'],
    ['error', 'provider_error'],
    ['garbage', 'bad_answer'],
  ] as const)('a provider that %ss is 503 captcha.unavailable (%s), never a pass', async (mode, reason) => {
    await protect('turnstile');
    peer.setMode(mode);
    const email = fresh();
    const r = await w.pub('POST', '/api/experience/verification-codes', {
      email,
      intent: 'register',
      captchaToken: token(),
    });
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ code: 'captcha.unavailable', details: { reason } });
    expect(r.headers['retry-after']).toBe('5');
    expect(w.sent(email)).toBe(0);
  });

  it("a secret the provider refuses is 503 captcha.unavailable, not the visitor's fault", async () => {
    await protect('turnstile', { secretKey: 'a-wrong-secret-value' });
    const r = await send({ captchaToken: token() });
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({
      code: 'captcha.unavailable',
      details: { reason: 'provider_refused_configuration', errorCodes: ['invalid-input-secret'] },
    });
  });

  it('tenants are separate', async () => {
    await protect('turnstile');
    expect((await w.p.api('POST', '/api/tenants', { id: 'other', name: 'Other', type: 'development' })).status).toBe(
      201,
    );
    expect((await w.p.api('GET', '/t/other/api/bot-protection')).body.provider).toBe('none');
  });
});

describe('bot protection and the outbound policy', () => {
  it('a verifyUrl on a private address is blocked unless POSTERN_OUTBOUND_ALLOW lists it: 503, never a pass', async () => {
    const peer = await startCaptchaPeer();
    const p = await startPostern('sqlite', {}, { housekeeping: false, captchaTimeoutMs: 1000 });
    try {
      expect(
        (
          await p.api('PATCH', '/api/bot-protection', {
            provider: 'turnstile',
            siteKey: peer.siteKey,
            secretKey: peer.secret,
            verifyUrl: peer.url('turnstile'),
          })
        ).status,
      ).toBe(200);
      const r = await p.app.inject({
        method: 'POST',
        url: '/api/experience/verification-codes',
        payload: { email: 'someone@example.test', intent: 'register', captchaToken: peer.issue() },
      });
      expect(r.statusCode).toBe(503);
      expect(JSON.parse(r.body)).toMatchObject({
        code: 'captcha.unavailable',
        details: { reason: 'destination_blocked' },
      });
      expect(peer.received).toHaveLength(0);
    } finally {
      await p.close();
      await peer.close();
    }
  });
});

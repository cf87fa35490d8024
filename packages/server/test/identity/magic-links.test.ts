import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startCaptchaPeer, type CaptchaPeer } from '../../src/testing/peers/captcha.js';
import { DIALECTS } from '../helpers.js';
import { TestClock, startWorld, type World } from './setup.js';

const ORIGIN = 'https://auth.example.test';
/** The shape of an answer with its values' types, so two answers compare without their random ids. */
const shape = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v]));
const LINK = /https:\/\/auth\.example\.test((?:\/t\/[^/\s]+)?\/magic-link\/)([\w.-]+)/;

async function enableLinks(w: World, on = true) {
  const r = await w.p.api('PATCH', '/api/sign-in-experience', { signIn: { methods: [{ identifier: 'email', password: true, verificationCode: true, magicLink: on }] } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

/** The link token in the n-th message to `to`, and the code beside it. */
async function linkIn(w: World, to: string, n?: number): Promise<{ token: string; path: string; code: string }> {
  const m = await w.message(to, n);
  const found = LINK.exec(m.parsed.text ?? '');
  expect(found, 'a magic link in the text part').not.toBeNull();
  expect(m.parsed.html).toContain(`${ORIGIN}${found![1]}${found![2]}`);
  return { token: found![2]!, path: `${found![1]}${found![2]}`, code: await w.code(to, n) };
}

/** Opens the confirmation page as a browser does: its CSRF token (meta tag) and cookie. */
async function openPage(w: World, path: string, headers: Record<string, string> = {}) {
  const r = await w.pub('GET', path, undefined, headers);
  expect(r.status).toBe(200);
  const html = String(r.body);
  const meta = /<meta name="postern-csrf" content="([\w-]+)">/.exec(html);
  expect(meta, 'the CSRF meta tag').not.toBeNull();
  const setCookie = ([] as string[]).concat((r.headers['set-cookie'] as string | string[]) ?? []);
  const cookie = setCookie.find((c) => c.startsWith('postern_ml_csrf='));
  expect(cookie).toBeDefined();
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  expect(cookie).toMatch(/Secure/);
  expect(r.headers['cache-control']).toBe('no-store');
  expect(r.headers['referrer-policy']).toBe('no-referrer');
  return { csrf: meta![1]!, cookie: cookie!.split(';')[0]! };
}

describe.each(DIALECTS)('magic links on %s', (dialect) => {
  let w: World;
  const clock = new TestClock();
  let n = 0;
  const addr = (tag = 'ml') => `${tag}${++n}-${dialect}@example.test`;

  beforeAll(async () => {
    w = await startWorld(dialect, { clock });
  });
  afterAll(async () => {
    await w?.close();
  });

  const send = (body: Record<string, unknown>) => w.pub('POST', '/api/experience/magic-links', { intent: 'sign-in', ...body });
  const consume = (token: string, page: { csrf: string; cookie: string }, origin = ORIGIN) =>
    w.pub('POST', '/api/experience/magic-links/consume', { token }, { origin, 'x-postern-csrf': page.csrf, cookie: page.cookie });
  async function user(email: string) {
    expect((await w.p.api('POST', '/api/users', { email, password: 'a long password' })).status).toBe(201);
  }

  it('are off by default: the switch says so and a request is 403 experience.method_disabled', async () => {
    expect((await w.pub('GET', '/api/experience/magic-links')).body).toEqual({ enabled: false });
    const email = addr();
    const r = await send({ email });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('experience.method_disabled');
    expect(w.sent(email)).toBe(0);
    await enableLinks(w);
    expect((await w.pub('GET', '/api/experience/magic-links')).body).toEqual({ enabled: true });
    expect((await w.p.api('GET', '/api/sign-in-experience')).body.signIn.methods[0].magicLink).toBe(true);
  });

  it("a scanner's GET, HEAD and prefetch spend nothing; the page's POST signs in once", async () => {
    const email = addr();
    await user(email);
    const s = await send({ email });
    expect(s.status, JSON.stringify(s.body)).toBe(202);
    expect(Object.keys(s.body).sort()).toEqual(['expiresAt', 'resendAfter', 'verificationId']);
    const { token, path } = await linkIn(w, email);
    expect(token.startsWith(`${s.body.verificationId}.`)).toBe(true);

    // What link scanners and browsers do before anyone clicks.
    await openPage(w, path);
    await openPage(w, path, { purpose: 'prefetch', 'sec-purpose': 'prefetch' });
    const head = await w.p.app.inject({ method: 'HEAD', url: path });
    expect(head.statusCode).toBe(200);
    expect(head.headers['cache-control']).toBe('no-store');
    const page = await openPage(w, path);
    const ok = await consume(token, page);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(Object.keys(ok.body)).toEqual(['tokens']);
    expect(ok.headers['cache-control']).toBe('no-store');
    const me = await w.pub('GET', '/api/my-account', undefined, { authorization: `Bearer ${ok.body.tokens.accessToken}` });
    expect(me.body.email).toBe(email);

    const again = await consume(token, page);
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('verification_code.not_found');
  });

  it('the link and the code are one: spending either spends both', async () => {
    const email = addr();
    await user(email);
    const s = await send({ email });
    const a = await linkIn(w, email);
    const byCode = await w.pub('POST', '/api/experience/sign-in/verification-code', { email, verificationId: s.body.verificationId, code: a.code });
    expect(byCode.status, JSON.stringify(byCode.body)).toBe(200);
    const page = await openPage(w, a.path);
    expect((await consume(a.token, page)).body.code).toBe('verification_code.not_found');

    await send({ email });
    const b = await linkIn(w, email, 2);
    expect((await consume(b.token, await openPage(w, b.path))).status).toBe(200);
    const late = await w.pub('POST', '/api/experience/sign-in/verification-code', { email, verificationId: b.token.split('.')[0], code: b.code });
    expect(late.status).toBe(404);
  });

  it('of concurrent uses exactly one signs in', async () => {
    const email = addr();
    await user(email);
    await send({ email });
    const { token, path } = await linkIn(w, email);
    const page = await openPage(w, path);
    const all = await Promise.all(Array.from({ length: 6 }, () => consume(token, page)));
    expect(all.filter((r) => r.status === 200)).toHaveLength(1);
    expect(all.filter((r) => r.status === 404)).toHaveLength(5);
  });

  it('is refused after expiry with 400 verification_code.expired', async () => {
    const email = addr();
    await user(email);
    await send({ email });
    const { token, path } = await linkIn(w, email);
    const page = await openPage(w, path);
    clock.advance(601_000);
    const r = await consume(token, page);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('verification_code.expired');
  });

  it("refuses another recipient's token, a forged mac and a plain code's id, and those cost the real link nothing", async () => {
    const a = addr();
    const b = addr();
    await user(a);
    await user(b);
    await send({ email: a });
    await send({ email: b });
    const la = await linkIn(w, a);
    const lb = await linkIn(w, b);
    const page = await openPage(w, la.path);
    const [idA, macA] = la.token.split('.') as [string, string];
    const [idB, macB] = lb.token.split('.') as [string, string];
    const plain = await w.pub('POST', '/api/experience/verification-codes', { email: a, intent: 'sign-in' });
    const tries = [`${idA}.${macB}`, `${idB}.${macA}`, `${idA}.${'A'.repeat(43)}`, `${plain.body.verificationId}.${macA}`, idA, `${la.token}x`, '../../api/users'];
    for (const t of tries) {
      const r = await consume(t, page);
      expect(r.status, t).toBe(404);
      expect(r.body.code, t).toBe('verification_code.not_found');
    }
    // The plain code replaced a's link (a new code for the same purpose invalidates the old one).
    expect((await consume(la.token, page)).status).toBe(404);
    // b's link, tried with a's id above, still works.
    const ok = await consume(lb.token, await openPage(w, lb.path));
    expect(ok.status).toBe(200);
  });

  it('only the confirmation page may spend a link: Origin and the CSRF cookie are required', async () => {
    const email = addr();
    await user(email);
    await send({ email });
    const { token, path } = await linkIn(w, email);
    const page = await openPage(w, path);
    const other = await openPage(w, path);
    const bad: Array<[string, Record<string, string>]> = [
      ['no headers', {}],
      ['no origin', { 'x-postern-csrf': page.csrf, cookie: page.cookie }],
      ['another origin', { origin: 'https://evil.test', 'x-postern-csrf': page.csrf, cookie: page.cookie }],
      ['no cookie', { origin: ORIGIN, 'x-postern-csrf': page.csrf }],
      ['no header', { origin: ORIGIN, cookie: page.cookie }],
      ['mismatched', { origin: ORIGIN, 'x-postern-csrf': page.csrf, cookie: other.cookie }],
    ];
    for (const [label, headers] of bad) {
      const r = await w.pub('POST', '/api/experience/magic-links/consume', { token }, headers);
      expect(r.status, label).toBe(403);
      expect(r.body.code, label).toBe('magic_link.forbidden');
    }
    expect((await consume(token, page)).status).toBe(200);
  });

  it('redirectTo must be a same-origin path or a registered redirect URI (400 request.invalid, nothing sent)', async () => {
    const email = addr();
    await user(email);
    for (const redirectTo of ['https://evil.test/cb', '//evil.test/cb', '/\\evil.test', 'javascript:alert(1)', 'https://shop.example.test/cb/other']) {
      const r = await send({ email, redirectTo });
      expect(r.status, redirectTo).toBe(400);
      expect(r.body.code, redirectTo).toBe('request.invalid');
    }
    expect(w.sent(email)).toBe(0);
    const app = await w.p.api('POST', '/api/applications', { name: 'Shop', type: 'traditional', redirectUris: ['https://shop.example.test/cb'] });
    expect(app.status).toBe(201);
    for (const [i, redirectTo] of ['https://shop.example.test/cb', '/account?x=1', `${ORIGIN}/account`].entries()) {
      const r = await send({ email, redirectTo });
      expect(r.status, redirectTo).toBe(202);
      const { token, path } = await linkIn(w, email, i + 1);
      const ok = await consume(token, await openPage(w, path));
      expect(ok.status).toBe(200);
      expect(ok.body.redirectTo).toBe(redirectTo);
    }
  });

  it('an unknown address with sign-up on is led to registration; register intent sends the Register message', async () => {
    const email = addr('new');
    await send({ email });
    const { token, path } = await linkIn(w, email);
    const r = await consume(token, await openPage(w, path));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'registration_required', registrationToken: expect.any(String) });
    const reg = await w.pub('POST', '/api/experience/register', { registrationToken: r.body.registrationToken, password: 'a long password' });
    expect(reg.status).toBe(201);

    const fresh = addr('reg');
    expect((await send({ email: fresh, intent: 'register' })).status).toBe(202);
    const m = await w.message(fresh);
    expect(m.parsed.subject).toMatch(/Confirm your email address/);
    const l = await linkIn(w, fresh);
    const answer = await consume(l.token, await openPage(w, l.path));
    expect(answer.body.status).toBe('registration_required');
  });

  it('answers known and unknown addresses alike (sign-up on and off)', async () => {
    const known = addr('known');
    await user(known);
    const a = await send({ email: known });
    const b = await send({ email: addr('nobody') });
    expect(b.status).toBe(a.status);
    expect(shape(b.body)).toEqual(shape(a.body));
    expect((await w.p.api('PATCH', '/api/sign-in-experience', { signUp: { enabled: false } })).status).toBe(200);
    try {
      const nobody = addr('nobody');
      const c = await send({ email: known });
      const d = await send({ email: nobody });
      expect(c.status).toBe(202);
      expect(d.status).toBe(202);
      expect(shape(d.body)).toEqual(shape(c.body));
      await w.message(known, 2);
      expect(w.sent(nobody)).toBe(0);
    } finally {
      expect((await w.p.api('PATCH', '/api/sign-in-experience', { signUp: { enabled: true } })).status).toBe(200);
    }
  });

  it('turned off again, a link already sent no longer signs in', async () => {
    const email = addr();
    await user(email);
    await send({ email });
    const { token, path } = await linkIn(w, email);
    const page = await openPage(w, path);
    await enableLinks(w, false);
    try {
      const r = await consume(token, page);
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('experience.method_disabled');
    } finally {
      await enableLinks(w);
    }
    expect((await consume(token, page)).status).toBe(200);
  });
});

describe('fuzz of the magic-link routes', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld('sqlite');
    await enableLinks(w);
  });
  afterAll(async () => {
    await w?.close();
  });

  const junk = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.integer(), fc.constant(null), fc.constantFrom('x'.repeat(3000), '__proto__', '\r\nBcc: a@evil.test', '//evil.test', 'a@b.test'));
  const body = fc.oneof(fc.dictionary(fc.constantFrom('email', 'intent', 'redirectTo', 'locale', 'captchaToken', 'token', '__proto__'), junk, { maxKeys: 4 }), junk);

  it('never answer 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.string({ maxLength: 60 }), fc.string({ maxLength: 40 }), async (b, seg, csrf) => {
        for (const url of ['/api/experience/magic-links', '/api/experience/magic-links/consume']) {
          const r = await w.pub('POST', url, b, { origin: ORIGIN, 'x-postern-csrf': csrf, cookie: `postern_ml_csrf=${csrf}` });
          expect(r.status, `${url} ${JSON.stringify(b)}`).toBeLessThan(500);
          if (r.status >= 400) expect(typeof r.body?.code).toBe('string');
        }
        const g = await w.p.app.inject({ method: 'GET', url: `/magic-link/${encodeURIComponent(seg)}` });
        expect(g.statusCode).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });
});

describe('magic links with bot protection, the email policy, MFA and another tenant', () => {
  let w: World;
  let peer: CaptchaPeer;
  beforeAll(async () => {
    peer = await startCaptchaPeer();
    w = await startWorld('sqlite', { captchaTimeoutMs: 3000 });
    await enableLinks(w);
  });
  afterAll(async () => {
    await w?.close();
    await peer?.close();
  });

  it('need the bot check when it is on, before anything is sent', async () => {
    const on = await w.p.api('PATCH', '/api/bot-protection', { provider: 'turnstile', siteKey: peer.siteKey, secretKey: peer.secret, verifyUrl: peer.url('turnstile') });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    try {
      const email = 'captcha-link@example.test';
      const missing = await w.pub('POST', '/api/experience/magic-links', { email, intent: 'sign-in' });
      expect(missing.status).toBe(400);
      expect(missing.body.code).toBe('captcha.required');
      const bad = await w.pub('POST', '/api/experience/magic-links', { email, intent: 'sign-in', captchaToken: 'tok_made_up' });
      expect(bad.status).toBe(403);
      expect(bad.body.code).toBe('captcha.invalid');
      expect(w.sent(email)).toBe(0);
      const ok = await w.pub('POST', '/api/experience/magic-links', { email, intent: 'sign-in', captchaToken: peer.issue({ hostname: 'auth.example.test' }) });
      expect(ok.status, JSON.stringify(ok.body)).toBe(202);
      await w.message(email);
    } finally {
      expect((await w.p.api('PATCH', '/api/bot-protection', { provider: 'none' })).status).toBe(200);
    }
  });

  it('the email log never holds the link: a subject that shows it is logged masked', async () => {
    const put = await w.p.api('PUT', '/api/email-templates/en/SignIn', { subject: 'Sign in: {{link}}', html: '<p>{{code}}</p><p><a href="{{link}}">{{link}}</a></p>', text: 'Code:\n{{code}}\n{{link}}\n' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    try {
      const email = 'logged-link@example.test';
      expect((await w.pub('POST', '/api/experience/magic-links', { email, intent: 'sign-in' })).status).toBe(202);
      const { token } = await linkIn(w, email);
      const mac = token.split('.')[1]!;
      expect((await w.message(email)).parsed.subject).toContain(mac);
      const logs = await w.p.api('GET', '/api/email-logs?limit=200');
      const mine = (logs.body.items as Array<{ to: string; subject: string }>).filter((l) => l.to === email);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.subject).toContain('/magic-link/');
      expect(JSON.stringify(logs.body)).not.toContain(mac);
    } finally {
      expect((await w.p.api('DELETE', '/api/email-templates/en/SignIn')).status).toBeLessThan(300);
    }
  });

  it('a blocked domain is 422 email.blocked for sign-up only', async () => {
    expect((await w.p.api('PATCH', '/api/email-policy', { blockList: ['blocked.test'] })).status).toBe(200);
    const reg = await w.pub('POST', '/api/experience/magic-links', { email: 'a@blocked.test', intent: 'register' });
    expect(reg.status).toBe(422);
    expect(reg.body.code).toBe('email.blocked');
    expect(reg.body.details?.reason).toBeUndefined();
    expect((await w.pub('POST', '/api/experience/magic-links', { email: 'b@blocked.test', intent: 'sign-in' })).status).toBe(202);
  });

  it('on a tenant under /t/T, with mandatory MFA: the link names the tenant and answers the MFA challenge', async () => {
    expect((await w.p.api('POST', '/api/tenants', { id: 'acme', name: 'Acme', type: 'production' })).status).toBe(201);
    expect((await w.p.api('PUT', '/t/acme/api/connectors/email', { factoryId: 'smtp', config: { host: '127.0.0.1', port: w.smtp.port, fromEmail: 'auth@example.test' } })).status).toBe(200);
    const x = await w.p.api('PATCH', '/t/acme/api/sign-in-experience', { signIn: { methods: [{ identifier: 'email', password: true, verificationCode: true, magicLink: true }] }, mfa: { policy: 'mandatory' } });
    expect(x.status, JSON.stringify(x.body)).toBe(200);
    const email = 'mfa-link@example.test';
    expect((await w.p.api('POST', '/t/acme/api/users', { email })).status).toBe(201);
    expect((await w.pub('POST', '/t/acme/api/experience/magic-links', { email, intent: 'sign-in', redirectTo: '/t/acme/account' })).status).toBe(202);
    const { token, path } = await linkIn(w, email);
    expect(path).toBe(`/t/acme/magic-link/${token}`);
    const page = await openPage(w, path);
    // The default tenant knows nothing of acme's link.
    const r0 = await w.pub('POST', '/api/experience/magic-links/consume', { token }, { origin: ORIGIN, 'x-postern-csrf': page.csrf, cookie: page.cookie });
    expect(r0.status).toBe(404);
    const r = await w.pub('POST', '/t/acme/api/experience/magic-links/consume', { token }, { origin: ORIGIN, 'x-postern-csrf': page.csrf, cookie: page.cookie });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String), factors: ['email'], redirectTo: '/t/acme/account' });
  });
});

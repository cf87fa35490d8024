import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { emailOTP } from 'better-auth/plugins';
import { startPostern, type TestPostern } from '../../server/test/helpers.js';
import { PosternError, posternOTP, posternSendVerificationOTP } from '../src/index.js';

/** A small better-auth app (in-memory database) whose OTP mail goes through a running Postern. */
function app(url: string, apiKey: string, tenant?: string) {
  const connection = { url, apiKey, ...(tenant ? { tenant } : {}) };
  return betterAuth({
    baseURL: 'http://localhost:3000',
    secret: 'better-auth-test-secret-0123456789abcdef',
    database: memoryAdapter({ user: [], session: [], account: [], verification: [] }),
    emailAndPassword: { enabled: false },
    plugins: [
      emailOTP({
        expiresIn: 300,
        sendVerificationOTP: posternSendVerificationOTP({ ...connection, expiresInMinutes: 5 }),
      }),
      posternOTP(connection),
    ],
    telemetry: { enabled: false },
  });
}

describe('@postern/better-auth with better-auth and a running Postern', () => {
  let p: TestPostern;
  let url: string;
  let auth: ReturnType<typeof app>;
  let n = 0;
  const addr = () => `ba${++n}@example.test`;

  beforeAll(async () => {
    p = await startPostern('sqlite', {}, { housekeeping: false });
    url = await p.app.listen({ host: '127.0.0.1', port: 0 });
    await p.api('PATCH', '/api/verification-code-policy', {
      resendCooldownSeconds: 0,
      maxSendsPerRecipientPerHour: 1000,
    });
    auth = app(url, p.adminKey);
  });
  afterAll(async () => {
    await p?.close();
  });
  beforeEach(async () => {
    await p.api('DELETE', '/api/mailbox');
  });

  async function received(to: string, tenant = '') {
    const box = await p.api('GET', `${tenant}/api/mailbox?limit=200`);
    const item = box.body.items.find((m: { to: string }) => m.to === to);
    expect(item, `a message to ${to}`).toBeDefined();
    const full = (await p.api('GET', `${tenant}/api/mailbox/${item.id}`)).body;
    return { ...full, code: /^\s*([0-9A-Z]{4,10})\s*$/m.exec(full.text)?.[1] };
  }
  const subject = async (templateType: string, locale: string) =>
    ((await p.api('POST', '/api/email-templates/preview', { templateType, locale })).body.subject as string).replace(
      'Acme Cloud',
      'Postern',
    );

  it("emailOTP: better-auth's code reaches the user in Postern's SignIn template, and signs in", async () => {
    const email = addr();
    await auth.api.sendVerificationOTP({ body: { email, type: 'sign-in' } });
    const m = await received(email);
    expect(m.subject).toBe(await subject('SignIn', 'en'));
    expect(m.code).toMatch(/^\d{6}$/);
    const logs = await p.api('GET', `/api/email-logs?to=${encodeURIComponent(email)}`);
    expect(logs.body.items.map((i: { templateType: string }) => i.templateType)).toEqual(['SignIn']);
    const signedIn = await auth.api.signInEmailOTP({ body: { email, otp: m.code } });
    expect(signedIn.token).toEqual(expect.any(String));
    expect(signedIn.user.email).toBe(email);
    await expect(auth.api.signInEmailOTP({ body: { email, otp: m.code } })).rejects.toThrow();
  });

  it('emailOTP: each purpose gets its template, in the language of the request', async () => {
    const email = addr();
    // better-auth sends a reset code only to an existing user.
    await (
      await auth.$context
    ).internalAdapter.createUser({ email, name: 'Reset', emailVerified: true }, { method: 'email-otp' });
    await auth.api.sendVerificationOTP({
      body: { email, type: 'forget-password' },
      headers: new Headers({ 'accept-language': 'fr-FR,fr;q=0.9' }),
    });
    expect((await received(email)).subject).toBe(await subject('ForgotPassword', 'fr'));
    const other = addr();
    await (
      await auth.$context
    ).internalAdapter.createUser({ email: other, name: 'Unverified', emailVerified: false }, { method: 'email-otp' });
    await auth.api.sendVerificationOTP({ body: { email: other, type: 'email-verification' } });
    expect((await received(other)).subject).toBe(await subject('Register', 'en'));
  });

  it("a wrong admin key fails the send with Postern's error, and nothing is sent", async () => {
    const send = posternSendVerificationOTP({ url, apiKey: 'not-a-key' });
    const err = await send({ email: addr(), otp: '123456', type: 'sign-in' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PosternError);
    expect(err).toMatchObject({ status: 401, code: 'auth.unauthorized' });
    expect((await p.api('GET', '/api/mailbox')).body.items).toEqual([]);
  });

  it('posternOTP: Postern issues the code, checks it, and better-auth opens a session', async () => {
    const email = addr();
    const sent = await auth.api.sendPosternOTP({ body: { email, type: 'sign-in' } });
    expect(sent).toEqual({ verificationId: expect.any(String), expiresAt: expect.any(String) });
    const { code } = await received(email);
    // No code is stored on better-auth's side.
    const ctx = await auth.$context;
    expect(JSON.stringify(await ctx.internalAdapter.findVerificationValue(`sign-in-otp-${email}`))).not.toContain(code);
    const wrong = await auth.api
      .signInPosternOTP({
        body: { email, verificationId: sent.verificationId, otp: code === '000000' ? '111111' : '000000' },
      })
      .catch((e: any) => e);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toMatchObject({ code: 'POSTERN_OTP_MISMATCH', attemptsLeft: 4 });
    const { headers, response: ok } = await auth.api.signInPosternOTP({
      body: { email, verificationId: sent.verificationId, otp: code },
      returnHeaders: true,
    });
    expect(ok.user).toMatchObject({ email, emailVerified: true });
    const cookie = headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const session = await auth.api.getSession({ headers: new Headers({ cookie }) });
    expect(session?.user.email).toBe(email);
    expect(session?.session.token).toBe(ok.token);
    const again = await auth.api
      .signInPosternOTP({ body: { email, verificationId: sent.verificationId, otp: code } })
      .catch((e: any) => e);
    expect(again.body).toMatchObject({ code: 'POSTERN_OTP_NOT_FOUND' });
  });

  it('posternOTP: a code sent for a password reset does not sign in', async () => {
    const email = addr();
    const sent = await auth.api.sendPosternOTP({ body: { email, type: 'forget-password' } });
    const { code } = await received(email);
    const r = await auth.api
      .signInPosternOTP({ body: { email, verificationId: sent.verificationId, otp: code } })
      .catch((e: any) => e);
    expect(r.body).toMatchObject({ code: 'POSTERN_OTP_NOT_FOUND' });
  });

  it('works for another tenant', async () => {
    await p.api('POST', '/api/tenants', { id: 'ba-tenant', name: 'BA' });
    const key = await p.api('POST', '/t/ba-tenant/api/admin-keys', { name: 'better-auth' });
    const other = app(url, key.body.key, 'ba-tenant');
    const email = addr();
    await other.api.sendVerificationOTP({ body: { email, type: 'sign-in' } });
    expect((await received(email, '/t/ba-tenant')).code).toMatch(/^\d{6}$/);
  });
});

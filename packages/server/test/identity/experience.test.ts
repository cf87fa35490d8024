import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers.js';
import { bearer, startWorld, type World } from './setup.js';

describe.each(DIALECTS)('experience flows on %s', (dialect) => {
  let w: World;
  let n = 0;
  const addr = () => `user${++n}-${dialect}@example.test`;

  beforeAll(async () => {
    w = await startWorld(dialect);
  });
  afterAll(async () => {
    await w?.close();
  });

  const sendCode = (email: string, intent: string) => w.pub('POST', '/api/experience/verification-codes', { email, intent });
  async function registerWithPassword(email: string, password = 'correct horse battery') {
    const s = await sendCode(email, 'register');
    expect(s.status, JSON.stringify(s.body)).toBe(202);
    const code = await w.code(email);
    return w.pub('POST', '/api/experience/register', { email, verificationId: s.body.verificationId, code, password, name: 'Ann' });
  }

  it('registers by code and password, then signs in by password', async () => {
    const email = addr();
    const r = await registerWithPassword(email);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.user).toMatchObject({ email, emailVerified: true, name: 'Ann', hasPassword: true });
    expect(r.body.tokens).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 900, tokenType: 'Bearer' });
    expect((await w.message(email)).parsed.subject).toBeTruthy();

    const s = await w.pub('POST', '/api/experience/sign-in/password', { email, password: 'correct horse battery' });
    expect(s.status).toBe(200);
    expect(Object.keys(s.body)).toEqual(['tokens']);
    const me = await w.pub('GET', '/api/my-account', undefined, bearer(s.body.tokens.accessToken));
    expect(me.body).toEqual({ id: r.body.user.id, email, emailVerified: true, name: 'Ann', mfa: { email: false } });
  });

  it('refuses a second account for the same address with 409 user.email_exists', async () => {
    const email = addr();
    expect((await registerWithPassword(email)).status).toBe(201);
    const again = await registerWithPassword(email);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('user.email_exists');
  });

  it('checks the password policy before spending the code', async () => {
    const email = addr();
    const s = await sendCode(email, 'register');
    const code = await w.code(email);
    const short = await w.pub('POST', '/api/experience/register', { email, verificationId: s.body.verificationId, code, password: 'short' });
    expect(short.status).toBe(422);
    expect(short.body).toMatchObject({ code: 'password.policy_violation', details: { minLength: 8 } });
    const ok = await w.pub('POST', '/api/experience/register', { email, verificationId: s.body.verificationId, code, password: 'long enough pw' });
    expect(ok.status).toBe(201);
  });

  it('a code sign-in for an unknown address answers registration_required, and the token registers once', async () => {
    const email = addr();
    const s = await sendCode(email, 'sign-in');
    expect(s.status).toBe(202);
    const code = await w.code(email);
    const r = await w.pub('POST', '/api/experience/sign-in/verification-code', { email, verificationId: s.body.verificationId, code });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'registration_required', registrationToken: expect.stringMatching(/^preg_/) });
    const reg = await w.pub('POST', '/api/experience/register', { registrationToken: r.body.registrationToken, password: 'a fine password' });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    expect(reg.body.user.email).toBe(email);
    const again = await w.pub('POST', '/api/experience/register', { registrationToken: r.body.registrationToken, password: 'a fine password' });
    expect(again.body.code).toBe('session.invalid_token');
  });

  it('signs in a known account by code', async () => {
    const email = addr();
    await registerWithPassword(email);
    const s = await sendCode(email, 'sign-in');
    const code = await w.code(email);
    const r = await w.pub('POST', '/api/experience/sign-in/verification-code', { email, verificationId: s.body.verificationId, code });
    expect(r.status).toBe(200);
    expect(r.body.tokens.tokenType).toBe('Bearer');
  });

  it('forgot password: policy first, then the new password works, the old one and every session die', async () => {
    const email = addr();
    const reg = await registerWithPassword(email, 'old password 1');
    const before = w.sent(email);
    const s = await sendCode(email, 'forgot-password');
    expect(s.status).toBe(202);
    // Delivered after the answer: wait for that message.
    const code = await w.code(email, before + 1);
    const weak = await w.pub('POST', '/api/experience/forgot-password', { email, verificationId: s.body.verificationId, code, newPassword: 'x' });
    expect(weak.body.code).toBe('password.policy_violation');
    // An outstanding sign-in code dies with the reset, too.
    const other = await sendCode(email, 'sign-in');
    const otherCode = await w.code(email, before + 2);
    const ok = await w.pub('POST', '/api/experience/forgot-password', { email, verificationId: s.body.verificationId, code, newPassword: 'new password 2' });
    expect(ok.status).toBe(204);
    expect((await w.pub('POST', '/api/experience/sign-in/password', { email, password: 'old password 1' })).status).toBe(401);
    expect((await w.pub('POST', '/api/experience/sign-in/password', { email, password: 'new password 2' })).status).toBe(200);
    expect((await w.pub('POST', '/api/token', { grantType: 'refresh_token', refreshToken: reg.body.tokens.refreshToken })).body.code).toBe('session.invalid_token');
    expect((await w.pub('GET', '/api/my-account', undefined, bearer(reg.body.tokens.accessToken))).body.code).toBe('account.unauthorized');
    const stale = await w.pub('POST', '/api/experience/sign-in/verification-code', { email, verificationId: other.body.verificationId, code: otherCode });
    expect(stale.body.code).toBe('verification_code.not_found');
  });

  it('email MFA during sign-in: mfaRequired, a MfaVerification code, then tokens with amr pwd+mfa', async () => {
    const email = addr();
    const reg = await registerWithPassword(email, 'mfa user password');
    const at = bearer(reg.body.tokens.accessToken);
    const enrol = await w.pub('POST', '/api/my-account/mfa/email', {}, at);
    expect(enrol.status).toBe(202);
    const enrolCode = await w.code(email);
    expect((await w.pub('POST', '/api/my-account/mfa/email/verify', { verificationId: enrol.body.verificationId, code: enrolCode }, at)).body.mfa).toEqual({ email: true });

    const s = await w.pub('POST', '/api/experience/sign-in/password', { email, password: 'mfa user password' });
    expect(s.body).toEqual({ mfaRequired: true, mfaToken: expect.stringMatching(/^pmfa_/), factors: ['email'] });
    const before = w.sent(email);
    const c = await w.pub('POST', '/api/experience/mfa/verification-codes', { mfaToken: s.body.mfaToken });
    expect(c.status).toBe(202);
    const code = await w.code(email, before + 1);
    const bad = await w.pub('POST', '/api/experience/mfa/verify', { mfaToken: 'pmfa_nope', verificationId: c.body.verificationId, code });
    expect(bad.body.code).toBe('session.invalid_token');
    const v = await w.pub('POST', '/api/experience/mfa/verify', { mfaToken: s.body.mfaToken, verificationId: c.body.verificationId, code });
    expect(v.status).toBe(200);
    const payload = JSON.parse(Buffer.from(v.body.tokens.accessToken.split('.')[1], 'base64url').toString());
    expect(payload.amr).toEqual(['pwd', 'mfa']);
    // The MFA token is spent.
    expect((await w.pub('POST', '/api/experience/mfa/verification-codes', { mfaToken: s.body.mfaToken })).body.code).toBe('session.invalid_token');
  });

  it('mail goes to the stored address, not to the spelling of the request', async () => {
    const stored = `Mixed.${++n}@example.test`;
    const r = await registerWithPassword(stored);
    expect(r.status).toBe(201);
    const before = w.sent(stored);
    await sendCode(stored.toUpperCase(), 'forgot-password');
    const m = await w.message(stored, before + 1);
    expect(m.to).toEqual([stored]);
  });

  it('refuses unknown fields', async () => {
    const r = await w.pub('POST', '/api/experience/sign-in/password', { email: addr(), password: 'whatever1', pasword: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('request.invalid');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers.js';
import { TestClock, bearer, startWorld, type World } from './setup.js';

describe.each(DIALECTS)('account API on %s', (dialect) => {
  let w: World;
  const clock = new TestClock();
  let n = 0;
  const addr = () => `acct${++n}-${dialect}@example.test`;

  beforeAll(async () => {
    w = await startWorld(dialect, { clock });
  });
  afterAll(async () => {
    await w?.close();
  });

  async function account(password = 'account password 1') {
    const email = addr();
    const before = w.sent(email);
    const s = await w.pub('POST', '/api/experience/verification-codes', { email, intent: 'register' });
    const code = await w.code(email, before + 1);
    const r = await w.pub('POST', '/api/experience/register', { email, verificationId: s.body.verificationId, code, password });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return { email, at: bearer(r.body.tokens.accessToken), tokens: r.body.tokens, id: r.body.user.id as string };
  }
  async function verifyByCode(email: string, at: Record<string, string>) {
    const before = w.sent(email);
    const s = await w.pub('POST', '/api/my-account/identity-verifications', {}, at);
    expect(s.status).toBe(202);
    const m = await w.message(email, before + 1);
    expect(m.to).toEqual([email]);
    const code = await w.code(email, before + 1);
    const v = await w.pub('POST', '/api/my-account/identity-verifications/verify', { verificationId: s.body.verificationId, code }, at);
    expect(v.status).toBe(200);
    return v.body as { identityVerificationToken: string; expiresAt: string };
  }

  it('needs a valid access token', async () => {
    expect((await w.pub('GET', '/api/my-account')).status).toBe(401);
    expect((await w.pub('GET', '/api/my-account', undefined, bearer('nope'))).body.code).toBe('account.unauthorized');
  });

  it('identity verification by code lasts 10 minutes, then the header is refused (injected clock)', async () => {
    const a = await account();
    const iv = await verifyByCode(a.email, a.at);
    expect(Date.parse(iv.expiresAt) - clock.t).toBe(600_000);
    const change = (token?: string) => w.pub('POST', '/api/my-account/password', { newPassword: 'account password 2' }, { ...a.at, ...(token ? { 'identity-verification': token } : {}) });
    expect((await change()).body.code).toBe('account.identity_verification_required');
    expect((await change()).status).toBe(403);
    expect((await change(iv.identityVerificationToken)).status).toBe(204);
    // Within the access token's 15 minutes, but past the verification's 10.
    const fresh = await w.pub('POST', '/api/experience/sign-in/password', { email: a.email, password: 'account password 2' });
    const iv2 = await w.pub('POST', '/api/my-account/identity-verifications/password', { password: 'account password 2' }, bearer(fresh.body.tokens.accessToken));
    expect(iv2.status).toBe(200);
    clock.advance(601_000);
    const late = await w.pub('DELETE', '/api/my-account/mfa/email', undefined, { ...bearer(fresh.body.tokens.accessToken), 'identity-verification': iv2.body.identityVerificationToken });
    expect(late.status).toBe(403);
    expect(late.body.code).toBe('account.identity_verification_required');
  });

  it("a verification token is bound to its user: another account's is refused", async () => {
    const a = await account();
    const b = await account();
    const iv = await verifyByCode(a.email, a.at);
    const r = await w.pub('DELETE', '/api/my-account', undefined, { ...b.at, 'identity-verification': iv.identityVerificationToken });
    expect(r.body.code).toBe('account.identity_verification_required');
  });

  it('a wrong password gets no verification token', async () => {
    const a = await account();
    const r = await w.pub('POST', '/api/my-account/identity-verifications/password', { password: 'wrong password' }, a.at);
    expect(r.status).toBe(401);
  });

  it('changes the primary email with a BindNewIdentifier code sent to the new address', async () => {
    const a = await account();
    const next = addr();
    const s = await w.pub('POST', '/api/my-account/email-verifications', { email: next }, a.at);
    expect(s.status).toBe(202);
    const code = await w.code(next);
    const noIv = await w.pub('PUT', '/api/my-account/primary-email', { email: next, verificationId: s.body.verificationId, code }, a.at);
    expect(noIv.body.code).toBe('account.identity_verification_required');
    const iv = await verifyByCode(a.email, a.at);
    const put = await w.pub('PUT', '/api/my-account/primary-email', { email: next, verificationId: s.body.verificationId, code }, { ...a.at, 'identity-verification': iv.identityVerificationToken });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ email: next, emailVerified: true });
    expect((await w.pub('POST', '/api/experience/sign-in/password', { email: next, password: 'account password 1' })).status).toBe(200);
    expect((await w.pub('POST', '/api/experience/sign-in/password', { email: a.email, password: 'account password 1' })).status).toBe(401);
  });

  it("refuses an email another account uses, after the code proves it", async () => {
    const a = await account();
    const b = await account();
    const s = await w.pub('POST', '/api/my-account/email-verifications', { email: b.email }, a.at);
    const code = await w.code(b.email, w.sent(b.email));
    const iv = await verifyByCode(a.email, a.at);
    const put = await w.pub('PUT', '/api/my-account/primary-email', { email: b.email, verificationId: s.body.verificationId, code }, { ...a.at, 'identity-verification': iv.identityVerificationToken });
    expect(put.status).toBe(409);
    expect(put.body.code).toBe('user.email_exists');
  });

  it('enrols and removes email MFA', async () => {
    const a = await account();
    const s = await w.pub('POST', '/api/my-account/mfa/email', {}, a.at);
    const sent = w.sent(a.email);
    const code = await w.code(a.email, sent);
    expect((await w.pub('POST', '/api/my-account/mfa/email/verify', { verificationId: s.body.verificationId, code }, a.at)).status).toBe(200);
    // The MfaChanged notice (SPEC §19) lands before the next code is counted.
    expect((await w.message(a.email, sent + 1)).parsed.subject).toMatch(/Two-step verification changed/);
    expect((await w.pub('GET', '/api/my-account', undefined, a.at)).body.mfa).toEqual({ email: true });
    expect((await w.pub('DELETE', '/api/my-account/mfa/email', undefined, a.at)).status).toBe(403);
    const iv = await verifyByCode(a.email, a.at);
    expect((await w.pub('DELETE', '/api/my-account/mfa/email', undefined, { ...a.at, 'identity-verification': iv.identityVerificationToken })).status).toBe(204);
    expect((await w.pub('GET', '/api/my-account', undefined, a.at)).body.mfa).toEqual({ email: false });
  });

  it('deletes the account with its sessions', async () => {
    const a = await account();
    const iv = await verifyByCode(a.email, a.at);
    expect((await w.pub('DELETE', '/api/my-account', undefined, { ...a.at, 'identity-verification': iv.identityVerificationToken })).status).toBe(204);
    expect((await w.pub('GET', '/api/my-account', undefined, a.at)).status).toBe(401);
    expect((await w.pub('POST', '/api/token', { grantType: 'refresh_token', refreshToken: a.tokens.refreshToken })).status).toBe(401);
    expect((await w.p.api('GET', `/api/users/${a.id}`)).status).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers.js';
import { bearer, startWorld, type World } from './setup.js';

type Purpose = 'signIn' | 'register' | 'forgotPassword' | 'mfa' | 'identity' | 'bindEmail' | 'bindMfa';
const ALL: Purpose[] = ['signIn', 'register', 'forgotPassword', 'mfa', 'identity', 'bindEmail', 'bindMfa'];

describe.each(DIALECTS)('every code purpose is refused by every other on %s', (dialect) => {
  let w: World;
  const email = `purpose-${dialect}@example.test`;
  const password = 'purpose test password';
  let at: Record<string, string>;
  let iv: string;
  let mfaToken: string;
  const codes = {} as Record<Purpose, { verificationId: string; code: string }>;

  beforeAll(async () => {
    w = await startWorld(dialect);
    // Only codes reach the address here, so that counting messages finds each one (notices are tested in notices.test.ts).
    await w.p.api('PATCH', '/api/sign-in-experience', { notifications: { passwordChanged: false, emailChanged: false, mfaChanged: false } });
    const s = await w.pub('POST', '/api/experience/verification-codes', { email, intent: 'register' });
    const reg = await w.pub('POST', '/api/experience/register', { email, verificationId: s.body.verificationId, code: await w.code(email, 1), password });
    at = bearer(reg.body.tokens.accessToken);
    const enrol = await w.pub('POST', '/api/my-account/mfa/email', {}, at);
    await w.pub('POST', '/api/my-account/mfa/email/verify', { verificationId: enrol.body.verificationId, code: await w.code(email, 2) }, at);
    // A code-won verification: an email change needs one (emailChange.confirmOld, SPEC §19).
    const ivs = await w.pub('POST', '/api/my-account/identity-verifications', {}, at);
    iv = (await w.pub('POST', '/api/my-account/identity-verifications/verify', { verificationId: ivs.body.verificationId, code: await w.code(email, 3) }, at)).body.identityVerificationToken;
    mfaToken = (await w.pub('POST', '/api/experience/sign-in/password', { email, password })).body.mfaToken;
    expect(mfaToken).toMatch(/^pmfa_/);

    const issue: Record<Purpose, () => Promise<{ status: number; body: any }>> = {
      signIn: () => w.pub('POST', '/api/experience/verification-codes', { email, intent: 'sign-in' }),
      register: () => w.pub('POST', '/api/experience/verification-codes', { email, intent: 'register' }),
      forgotPassword: () => w.pub('POST', '/api/experience/verification-codes', { email, intent: 'forgot-password' }),
      mfa: () => w.pub('POST', '/api/experience/mfa/verification-codes', { mfaToken }),
      identity: () => w.pub('POST', '/api/my-account/identity-verifications', {}, at),
      // To the account's own address, so that only the purpose differs between the codes.
      bindEmail: () => w.pub('POST', '/api/my-account/email-verifications', { email }, at),
      bindMfa: () => w.pub('POST', '/api/my-account/mfa/email', {}, at),
    };
    for (const p of ALL) {
      const before = w.sent(email);
      const r = await issue[p]();
      expect(r.status, `${p}: ${JSON.stringify(r.body)}`).toBe(202);
      codes[p] = { verificationId: r.body.verificationId, code: await w.code(email, before + 1) };
    }
  });
  afterAll(async () => {
    await w?.close();
  });

  const use = (p: Purpose, c: { verificationId: string; code: string }) => {
    const ivh = { ...at, 'identity-verification': iv };
    switch (p) {
      case 'signIn':
        return w.pub('POST', '/api/experience/sign-in/verification-code', { email, ...c });
      case 'register':
        return w.pub('POST', '/api/experience/register', { email, ...c, password: 'another password' });
      case 'forgotPassword':
        return w.pub('POST', '/api/experience/forgot-password', { email, ...c, newPassword: 'reset password 9' });
      case 'mfa':
        return w.pub('POST', '/api/experience/mfa/verify', { mfaToken, ...c });
      case 'identity':
        return w.pub('POST', '/api/my-account/identity-verifications/verify', c, at);
      case 'bindEmail':
        return w.pub('PUT', '/api/my-account/primary-email', { email, ...c }, ivh);
      case 'bindMfa':
        return w.pub('POST', '/api/my-account/mfa/email/verify', c, at);
    }
  };

  it('refuses each code at every other purpose with verification_code.not_found', async () => {
    for (const issued of ALL) {
      for (const at of ALL.filter((p) => p !== issued)) {
        const r = await use(at, codes[issued]);
        expect(r.body?.code, `${issued} code used for ${at}`).toBe('verification_code.not_found');
      }
    }
  });

  it('no code of another flow passes the management verify, with or without a templateType', async () => {
    for (const issued of ALL) {
      for (const extra of [{}, { templateType: 'SignIn' }, { templateType: 'Generic' }]) {
        const r = await w.p.api('POST', '/api/verification-codes/verify', { email, ...codes[issued], ...extra });
        expect(r.body?.code, `${issued} code at the management verify`).toBe('verification_code.not_found');
      }
    }
  });

  it('and each code still works for its own purpose', async () => {
    // forgot-password last: it revokes every other outstanding code and session.
    const expected: Record<Purpose, number> = { signIn: 200, register: 409, mfa: 200, identity: 200, bindEmail: 200, bindMfa: 200, forgotPassword: 204 };
    for (const p of ['register', 'signIn', 'mfa', 'identity', 'bindEmail', 'bindMfa', 'forgotPassword'] as Purpose[]) {
      const r = await use(p, codes[p]);
      expect(r.status, `${p}: ${JSON.stringify(r.body)}`).toBe(expected[p]);
    }
  });
});

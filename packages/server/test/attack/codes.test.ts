import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../identity/setup.js';

/** One test per code pitfall, end to end through the API, mail read from a real SMTP peer. */
describe('verification code pitfalls', () => {
  let w: World;
  let n = 0;
  const addr = (tag: string) => `${tag}-${++n}@example.test`;
  const MAX_FAILURES = 8;

  beforeAll(async () => {
    w = await startWorld('sqlite');
    const r = await w.p.api('PATCH', '/api/verification-code-policy', { maxAttempts: 3, lockout: { maxFailures: MAX_FAILURES, windowSeconds: 3600, lockSeconds: 600 } });
    expect(r.status).toBe(200);
    expect((await w.p.api('POST', '/api/tenants', { id: 'other', name: 'Other', type: 'development' })).status).toBe(201);
  });
  afterAll(async () => {
    await w?.close();
  });

  const send = (email: string, templateType = 'Generic', tenant = '') => w.p.api('POST', `${tenant}/api/verification-codes`, { email, templateType });
  const verify = (verificationId: string, email: string, code: string, tenant = '', templateType = 'Generic') =>
    w.p.api('POST', `${tenant}/api/verification-codes/verify`, { verificationId, email, code, templateType });
  const wrongFor = (code: string) => (code === '000000' ? '111111' : '000000');

  it('brute force across resends stays within the lockout budget', async () => {
    const email = addr('resends');
    let evaluated = 0;
    let locked = false;
    for (let round = 0; round < 6 && !locked; round++) {
      const s = await send(email);
      expect(s.status).toBe(201);
      const code = await w.code(email);
      for (let g = 0; g < 4; g++) {
        const r = await verify(s.body.verificationId, email, wrongFor(code));
        if (r.body.code === 'verification_code.mismatch') evaluated++;
        if (r.body.code === 'verification_code.locked') locked = true;
        if (r.body.code !== 'verification_code.mismatch') break;
      }
    }
    expect(locked).toBe(true);
    expect(evaluated).toBeLessThanOrEqual(MAX_FAILURES);
    // Locked means locked, even for the right code of a fresh send.
    const s = await send(email);
    if (s.status === 201) {
      const code = await w.code(email);
      const r = await verify(s.body.verificationId, email, code);
      expect(r.status).toBe(429);
      expect(r.body.code).toBe('verification_code.locked');
      expect(r.headers['retry-after']).toBeDefined();
    } else {
      expect(s.status).toBe(429);
    }
  });

  it('brute force across parallel flows (several purposes at once) stays within the lockout budget', async () => {
    const email = addr('parallel');
    const types = ['Generic', 'SignIn', 'Register', 'ForgotPassword', 'BindNewIdentifier'];
    const issued = [];
    for (const t of types) issued.push({ t, s: await send(email, t), code: await w.code(email) });
    const guesses = issued.flatMap(({ t, s, code }) => Array.from({ length: 3 }, () => verify(s.body.verificationId, email, wrongFor(code), '', t)));
    const results = await Promise.all(guesses);
    const evaluated = results.filter((r) => r.body.code === 'verification_code.mismatch').length;
    expect(evaluated, JSON.stringify(results.map((r) => r.body.code))).toBeLessThanOrEqual(MAX_FAILURES);
    expect(results.some((r) => r.body.code === 'verification_code.locked'), JSON.stringify(results.map((r) => r.body.code))).toBe(true);
  });

  it('concurrent double use of one code: exactly one sign-in succeeds', async () => {
    const email = addr('double');
    const s = await w.pub('POST', '/api/experience/verification-codes', { email, intent: 'sign-in' });
    const code = await w.code(email);
    const both = await Promise.all(
      Array.from({ length: 2 }, () => w.pub('POST', '/api/experience/sign-in/verification-code', { email, verificationId: s.body.verificationId, code })),
    );
    expect(both.filter((r) => r.status === 200)).toHaveLength(1);
    expect(both.find((r) => r.status !== 200)!.body.code).toMatch(/^verification_code\./);
  });

  it('a code does not survive a resend', async () => {
    const email = addr('resend');
    const first = await send(email);
    const firstCode = await w.code(email, 1);
    const second = await send(email);
    const secondCode = await w.code(email, 2);
    expect((await verify(first.body.verificationId, email, firstCode)).status).not.toBe(204);
    if (firstCode !== secondCode) expect((await verify(second.body.verificationId, email, firstCode)).status).not.toBe(204);
    expect((await verify(second.body.verificationId, email, secondCode)).status).toBe(204);
  });

  it('cross-purpose: a forgot-password code does not sign in, a SignIn code does not verify as Register', async () => {
    const email = addr('purpose');
    expect((await w.p.api('POST', '/api/users', { email, password: 'purpose user pw' })).status).toBe(201);
    const fp = await w.pub('POST', '/api/experience/verification-codes', { email, intent: 'forgot-password' });
    const fpCode = await w.code(email, 1);
    const r = await w.pub('POST', '/api/experience/sign-in/verification-code', { email, verificationId: fp.body.verificationId, code: fpCode });
    expect(r.status).not.toBe(200);
    expect(r.body.code).toMatch(/^verification_code\./);
    const si = await w.pub('POST', '/api/experience/verification-codes', { email, intent: 'sign-in' });
    const siCode = await w.code(email, 2);
    const reset = await w.pub('POST', '/api/experience/forgot-password', { email, verificationId: si.body.verificationId, code: siCode, newPassword: 'hijacked password' });
    expect(reset.status).not.toBe(204);
    expect((await w.pub('POST', '/api/experience/sign-in/password', { email, password: 'hijacked password' })).status).toBe(401);
  });

  it('cross-recipient: a code for one address does not verify for another', async () => {
    const a = addr('owner');
    const b = addr('thief');
    const s = await send(a);
    const code = await w.code(a);
    const r = await verify(s.body.verificationId, b, code);
    expect(r.status).not.toBe(204);
    expect((await verify(s.body.verificationId, a, code)).status).toBe(204);
  });

  it('cross-tenant: a code of the default tenant does not verify under another tenant', async () => {
    const email = addr('tenant');
    const s = await send(email);
    const code = await w.code(email);
    const r = await verify(s.body.verificationId, email, code, '/t/other');
    expect(r.status).not.toBe(204);
    expect((await verify(s.body.verificationId, email, code)).status).toBe(204);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from './setup.js';

/** Password guessing is bounded by the same lockout budget as codes, known address or not. */
describe('password sign-in lockout', () => {
  let w: World;
  const known = 'guarded@example.test';
  beforeAll(async () => {
    w = await startWorld('sqlite');
    await w.p.api('PATCH', '/api/verification-code-policy', { lockout: { maxFailures: 3, windowSeconds: 3600, lockSeconds: 600 } });
    expect((await w.p.api('POST', '/api/users', { email: known, password: 'the right password' })).status).toBe(201);
  });
  afterAll(async () => {
    await w?.close();
  });

  const signIn = (email: string, password: string) => w.pub('POST', '/api/experience/sign-in/password', { email, password });

  it('locks an address after maxFailures wrong passwords, even for the right one, alike for unknown addresses', async () => {
    for (const email of [known, 'unknown-guarded@example.test']) {
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push((await signIn(email, 'wrong password')).body.code);
      expect(answers).toEqual(['session.invalid_credentials', 'session.invalid_credentials', 'session.invalid_credentials', 'session.locked', 'session.locked']);
    }
    const locked = await signIn(known, 'the right password');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(500);
    expect(locked.body.details.retryAfter).toBeGreaterThan(500);
  });

  it('a right password does not use the budget', async () => {
    const email = 'steady@example.test';
    await w.p.api('POST', '/api/users', { email, password: 'steady password 1' });
    for (let i = 0; i < 6; i++) expect((await signIn(email, 'steady password 1')).status).toBe(200);
  });

  it('limits failed password sign-ins per client IP across addresses, known or not (password spraying)', async () => {
    const t = '/t/spray';
    expect((await w.p.api('POST', '/api/tenants', { id: 'spray', name: 'Spray' })).status).toBe(201);
    expect(
      (await w.p.api('PATCH', `${t}/api/verification-code-policy`, { maxFailedPasswordsPerIpPerHour: 4 })).status,
    ).toBe(200);
    expect(
      (await w.p.api('POST', `${t}/api/users`, { email: 'sprayed@example.test', password: 'sprayed password 1' }))
        .status,
    ).toBe(201);
    const from = async (ip: string, email: string, password: string) => {
      const res = await w.p.app.inject({
        method: 'POST',
        url: `${t}/api/experience/sign-in/password`,
        remoteAddress: ip,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ email, password }),
      });
      return {
        status: res.statusCode,
        headers: res.headers,
        body: JSON.parse(res.body) as { code?: string; details?: { retryAfter?: number } },
      };
    };
    // A right password from the same IP does not use the budget.
    expect((await from('198.51.100.7', 'sprayed@example.test', 'sprayed password 1')).status).toBe(200);
    // One password over many addresses: the known one and unknown ones count alike.
    const emails = [
      'sprayed@example.test',
      'nobody1@example.test',
      'nobody2@example.test',
      'nobody3@example.test',
      'nobody4@example.test',
      'nobody5@example.test',
    ];
    const answers = [];
    for (const email of emails) answers.push(await from('198.51.100.7', email, 'Summer2026!'));
    expect(answers.map((a) => a.body.code)).toEqual([
      'session.invalid_credentials',
      'session.invalid_credentials',
      'session.invalid_credentials',
      'session.invalid_credentials',
      'session.rate_limited',
      'session.rate_limited',
    ]);
    const limited = answers.at(-1)!;
    expect(limited.status).toBe(429);
    expect(limited.body.details?.retryAfter).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBe(limited.body.details?.retryAfter);
    // Unknown and known addresses get the same answer once limited.
    expect((await from('198.51.100.7', 'sprayed@example.test', 'another guess')).body.code).toBe(
      'session.rate_limited',
    );
    // Another IP is not affected, and the limited one did not lock the account itself.
    expect((await from('203.0.113.9', 'sprayed@example.test', 'sprayed password 1')).status).toBe(200);
    expect(
      (await w.p.api('PATCH', `${t}/api/verification-code-policy`, { maxFailedPasswordsPerIpPerHour: 0 })).body.code,
    ).toBe('request.invalid');
    expect((await w.p.api('GET', `${t}/api/verification-code-policy`)).body.maxFailedPasswordsPerIpPerHour).toBe(4);
  });

  it('parallel wrong passwords from one IP never evaluate more than the IP budget', async () => {
    const t = '/t/spray2';
    expect((await w.p.api('POST', '/api/tenants', { id: 'spray2', name: 'Spray 2' })).status).toBe(201);
    expect(
      (await w.p.api('PATCH', `${t}/api/verification-code-policy`, { maxFailedPasswordsPerIpPerHour: 5 })).status,
    ).toBe(200);
    const all = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        w.p.app.inject({
          method: 'POST',
          url: `${t}/api/experience/sign-in/password`,
          remoteAddress: '198.51.100.8',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ email: `p${i}@example.test`, password: 'guess' }),
        }),
      ),
    );
    const codes = all.map((r) => (JSON.parse(r.body) as { code: string }).code);
    expect(codes.filter((c) => c === 'session.invalid_credentials')).toHaveLength(5);
    expect(codes.filter((c) => c === 'session.rate_limited')).toHaveLength(25);
  });
});

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
});

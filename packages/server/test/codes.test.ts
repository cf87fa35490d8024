import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startPostern, type TestPostern } from './helpers.js';

/** A clock the test moves by hand. */
class TestClock {
  t = Date.now();
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

async function lastCode(p: TestPostern, to: string, tenant = ''): Promise<string> {
  const box = await p.api('GET', `${tenant}/api/mailbox?limit=200`);
  const item = box.body.items.find((m: { to: string }) => m.to === to);
  expect(item, `a message to ${to}`).toBeDefined();
  const full = await p.api('GET', `${tenant}/api/mailbox/${item.id}`);
  const m = /^\s*([0-9A-Z]{4,10})\s*$/m.exec(full.body.text);
  expect(m, 'the code on its own line').not.toBeNull();
  return m![1]!;
}

describe.each(DIALECTS)('verification codes on %s', (dialect) => {
  let p: TestPostern;
  const clock = new TestClock();
  let n = 0;
  const addr = () => `user${++n}-${dialect}@example.test`;

  beforeAll(async () => {
    p = await startPostern(dialect, {}, { clock, housekeeping: false });
    // Cooldown off for the tests that resend; the cooldown test turns it on for itself.
    expect((await p.api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0, maxSendsPerRecipientPerHour: 1000 })).status).toBe(200);
  });
  afterAll(async () => {
    await p?.close();
  });

  const send = (email: string, extra: Record<string, unknown> = {}, tenant = '') => p.api('POST', `${tenant}/api/verification-codes`, { email, ...extra });
  const verify = (verificationId: string, email: string, code: string, extra: Record<string, unknown> = {}, tenant = '') =>
    p.api('POST', `${tenant}/api/verification-codes/verify`, { verificationId, email, code, ...extra });

  it('sends a code and verifies it once', async () => {
    const email = addr();
    const s = await send(email);
    expect(s.status).toBe(201);
    expect(s.body).toEqual({ verificationId: expect.any(String), expiresAt: expect.any(String) });
    const code = await lastCode(p, email);
    expect(code).toMatch(/^\d{6}$/);
    expect((await verify(s.body.verificationId, email, code)).status).toBe(204);
    const again = await verify(s.body.verificationId, email, code);
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('verification_code.not_found');
  });

  it('stores no plaintext code', async () => {
    const email = addr();
    const s = await send(email);
    const code = await lastCode(p, email);
    const rows = await p.services.db.kysely.selectFrom('verification_codes').selectAll().where('id', '=', s.body.verificationId).execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(code);
    const logs = JSON.stringify((await p.api('GET', `/api/email-logs?to=${email}`)).body);
    expect(logs).not.toContain(code);
  });

  it('of 50 concurrent correct verifies exactly one succeeds', async () => {
    const email = addr();
    const s = await send(email);
    const code = await lastCode(p, email);
    const results = await Promise.all(Array.from({ length: 50 }, () => verify(s.body.verificationId, email, code)));
    expect(results.filter((r) => r.status === 204), JSON.stringify(results.filter((r) => r.status !== 204 && r.body.code !== 'verification_code.not_found').slice(0, 2).map((r) => r.body))).toHaveLength(1);
    // The others find the code consumed, or are refused at the lockout gate while the burst lasts.
    expect(results.every((r) => r.status === 204 || ['verification_code.not_found', 'verification_code.locked'].includes(r.body.code))).toBe(true);
  });

  it('50 concurrent wrong guesses evaluate at most maxAttempts, and the right code is then refused', async () => {
    const email = addr();
    const s = await send(email);
    const code = await lastCode(p, email);
    const wrong = code === '000000' ? '111111' : '000000';
    const results = await Promise.all(Array.from({ length: 50 }, () => verify(s.body.verificationId, email, wrong)));
    const mismatches = results.filter((r) => r.body?.code === 'verification_code.mismatch');
    expect(mismatches.length).toBeLessThanOrEqual(5);
    expect(mismatches.length).toBeGreaterThan(0);
    expect(results.every((r) => ['verification_code.mismatch', 'verification_code.exhausted', 'verification_code.locked'].includes(r.body?.code))).toBe(true);
    const left = mismatches.map((r) => r.body.details.attemptsLeft).sort();
    expect(new Set(left).size).toBe(left.length);
    const right = await verify(s.body.verificationId, email, code);
    expect(right.body.code).toBe('verification_code.exhausted');
    const row = await p.services.db.kysely.selectFrom('verification_codes').select('attempts').where('id', '=', s.body.verificationId).executeTakeFirstOrThrow();
    expect(Number(row.attempts)).toBe(5);
  });

  it('counts attempts left and says so', async () => {
    const email = addr();
    const s = await send(email);
    const code = await lastCode(p, email);
    const r = await verify(s.body.verificationId, email, code === '999999' ? '999998' : '999999');
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'verification_code.mismatch', details: { attemptsLeft: 4 } });
  });

  it('a resend invalidates the earlier code', async () => {
    const email = addr();
    const first = await send(email);
    const oldCode = await lastCode(p, email);
    await p.api('DELETE', '/api/mailbox');
    const second = await send(email);
    const newCode = await lastCode(p, email);
    expect((await verify(first.body.verificationId, email, oldCode)).body.code).toBe('verification_code.not_found');
    expect((await verify(second.body.verificationId, email, newCode)).status).toBe(204);
  });

  it('a code never verifies another purpose, recipient or tenant', async () => {
    const email = addr();
    const s = await send(email, { templateType: 'SignIn' });
    const code = await lastCode(p, email);
    expect((await verify(s.body.verificationId, email, code, { templateType: 'ForgotPassword' })).body.code).toBe('verification_code.not_found');
    expect((await verify(s.body.verificationId, addr(), code, { templateType: 'SignIn' })).body.code).toBe('verification_code.not_found');
    await p.api('POST', '/api/tenants', { id: `other-${dialect}`, name: 'Other' });
    expect((await verify(s.body.verificationId, email, code, { templateType: 'SignIn' }, `/t/other-${dialect}`)).body.code).toBe('verification_code.not_found');
    expect((await verify(s.body.verificationId, email, code, { templateType: 'SignIn' })).status).toBe(204);
  });

  it('verifies a code sent with a templateType by its verification id alone (SPEC 6)', async () => {
    for (const templateType of ['SignIn', 'ForgotPassword', 'Generic']) {
      const email = addr();
      const s = await send(email, { templateType });
      expect(s.status).toBe(201);
      const code = await lastCode(p, email);
      // Another recipient's address with the same id is still refused without a templateType.
      expect((await verify(s.body.verificationId, addr(), code)).body.code).toBe('verification_code.not_found');
      expect((await verify(s.body.verificationId, email, code)).status, templateType).toBe(204);
    }
  });

  it('matches the recipient after normalisation', async () => {
    const s = await send(`  Mixed.Case@EXAMPLE.test. `);
    const code = await lastCode(p, 'Mixed.Case@example.test');
    expect((await verify(s.body.verificationId, 'mixed.case@example.TEST', code)).status).toBe(204);
    expect((await send('a@b@c.test')).body.code).toBe('request.invalid');
    expect((await send('"quoted"@example.test')).body.code).toBe('request.invalid');
    expect((await send('a@example.test\r\nBcc: x@evil.test')).body.code).toBe('request.invalid');
  });

  it('expires at the time fixed when it was issued', async () => {
    const email = addr();
    const s = await send(email);
    const code = await lastCode(p, email);
    await p.api('PATCH', '/api/verification-code-policy', { ttlSeconds: 3600 });
    clock.advance(601_000);
    const r = await verify(s.body.verificationId, email, code);
    expect(r.body.code).toBe('verification_code.expired');
    await p.api('PATCH', '/api/verification-code-policy', { ttlSeconds: 600 });
  });

  it('guess, resend, guess never exceeds the lockout budget', async () => {
    await p.api('PATCH', '/api/verification-code-policy', { maxAttempts: 3, lockout: { maxFailures: 7, windowSeconds: 3600, lockSeconds: 600 } });
    const email = addr();
    let evaluated = 0;
    let locked = false;
    for (let round = 0; round < 5 && !locked; round++) {
      const s = await send(email);
      for (let i = 0; i < 3; i++) {
        const r = await verify(s.body.verificationId, email, 'ABCDEF');
        if (r.body.code === 'verification_code.mismatch') evaluated++;
        if (r.body.code === 'verification_code.locked') {
          locked = true;
          expect(r.status).toBe(429);
          expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
          expect(r.body.details.retryAfter).toBe(Number(r.headers['retry-after']));
          break;
        }
      }
    }
    expect(locked).toBe(true);
    expect(evaluated).toBe(7);
    // Even the right code is refused while locked.
    await p.api('DELETE', '/api/mailbox');
    const s = await send(email);
    const code = await lastCode(p, email);
    expect((await verify(s.body.verificationId, email, code)).body.code).toBe('verification_code.locked');
    await p.api('PATCH', '/api/verification-code-policy', { maxAttempts: 5, lockout: { maxFailures: 20, windowSeconds: 3600, lockSeconds: 3600 } });
  });

  it('enforces the resend cooldown with 429, Retry-After and details.retryAfter', async () => {
    await p.api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 60 });
    const email = addr();
    expect((await send(email)).status).toBe(201);
    const r = await send(email);
    expect(r.status).toBe(429);
    expect(r.body.code).toBe('verification_code.rate_limited');
    expect(r.body.details.retryAfter).toBeGreaterThan(50);
    expect(r.headers['retry-after']).toBe(String(r.body.details.retryAfter));
    // Another purpose has its own cooldown.
    expect((await send(email, { templateType: 'SignIn' })).status).toBe(201);
    await p.api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0 });
  });

  it('limits sends per recipient per hour', async () => {
    await p.api('PATCH', '/api/verification-code-policy', { maxSendsPerRecipientPerHour: 3 });
    const email = addr();
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await send(email, { templateType: i % 2 ? 'SignIn' : 'Generic' })).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    await p.api('PATCH', '/api/verification-code-policy', { maxSendsPerRecipientPerHour: 1000 });
  });

  it('validates the policy ranges, and allows test addresses on development tenants only', async () => {
    for (const bad of [{ length: 3 }, { length: 11 }, { ttlSeconds: 59 }, { maxAttempts: 21 }, { alphabet: 'emoji' }, { lockout: { maxFailures: 0 } }, { lenght: 6 }]) {
      const r = await p.api('PATCH', '/api/verification-code-policy', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.code).toBe('request.invalid');
    }
    expect((await p.api('PATCH', '/api/verification-code-policy', { testAddresses: [{ email: 'qa@example.test', code: '123456' }] })).body.code).toBe('request.invalid');
    const dev = `dev-${dialect}`;
    await p.api('POST', '/api/tenants', { id: dev, name: 'Dev', type: 'development' });
    const ok = await p.api('PATCH', `/t/${dev}/api/verification-code-policy`, { testAddresses: [{ email: 'QA@Example.test', code: '123456' }] });
    expect(ok.status).toBe(200);
    const s = await send('qa@example.test', {}, `/t/${dev}`);
    expect(s.status).toBe(201);
    expect((await p.api('GET', `/t/${dev}/api/mailbox`)).body.items).toHaveLength(0);
    expect((await p.api('GET', `/t/${dev}/api/email-logs`)).body.items[0]).toMatchObject({ status: 'suppressed' });
    expect((await verify(s.body.verificationId, 'qa@example.test', '123456', {}, `/t/${dev}`)).status).toBe(204);
  });

  it('uses the alphanumeric alphabet without look-alikes', async () => {
    await p.api('PATCH', '/api/verification-code-policy', { alphabet: 'alphanumeric', length: 8 });
    const email = addr();
    const s = await send(email);
    const code = await lastCode(p, email);
    expect(code).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
    expect((await verify(s.body.verificationId, email, code.toLowerCase())).status).toBe(204);
    await p.api('PATCH', '/api/verification-code-policy', { alphabet: 'numeric', length: 6 });
  });

  it('purges expired and used codes', async () => {
    const before = await p.services.db.kysely.selectFrom('verification_codes').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    clock.advance(3 * 3600_000);
    const purged = await p.services.codes.service.purge();
    expect(purged).toBeGreaterThan(0);
    const after = await p.services.db.kysely.selectFrom('verification_codes').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n) - purged);
  });
});

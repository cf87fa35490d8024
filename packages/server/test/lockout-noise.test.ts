import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { v7 } from 'uuid';
import { startPostern, type DialectName, type TestPostern } from './helpers.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The three rate-limit stores: in-process (SQLite), the PostgreSQL table, and Redis. */
const STORES: Array<{ name: string; dialect: DialectName; env: Record<string, string> }> = [
  { name: 'in-process (sqlite)', dialect: 'sqlite', env: {} },
  { name: 'postgres', dialect: 'postgres', env: {} },
  { name: 'redis', dialect: 'sqlite', env: { REDIS_URL } },
];

async function lastCode(p: TestPostern, to: string): Promise<string> {
  const box = await p.api('GET', `/api/mailbox?limit=200`);
  const item = box.body.items.find((m: { to: string }) => m.to === to);
  expect(item, `a message to ${to}`).toBeDefined();
  const full = await p.api('GET', `/api/mailbox/${item.id}`);
  const m = /^\s*([0-9A-Z]{4,10})\s*$/m.exec(full.body.text);
  expect(m, 'the code on its own line').not.toBeNull();
  return m![1]!;
}

/**
 * Issue 14 item 4: made-up verification ids for a victim's address must neither lock the
 * victim out nor hold lockout points while the flood lasts; only attempts at a real code
 * of that recipient count.
 */
describe.each(STORES)('lockout under unknown-id noise, $name store', ({ dialect, env }) => {
  let p: TestPostern;
  const run = randomBytes(4).toString('hex');
  let n = 0;
  const addr = () => `victim${++n}-${run}@example.test`;
  const MAX_FAILURES = 4;

  beforeAll(async () => {
    p = await startPostern(dialect, env, { housekeeping: false });
    const r = await p.api('PATCH', '/api/verification-code-policy', {
      resendCooldownSeconds: 0,
      maxSendsPerRecipientPerHour: 1000,
      lockout: { maxFailures: MAX_FAILURES, windowSeconds: 3600, lockSeconds: 600 },
    });
    expect(r.status).toBe(200);
  });
  afterAll(async () => {
    await p?.close();
  });

  const verify = (verificationId: string, email: string, code: string) =>
    p.api('POST', '/api/verification-codes/verify', { verificationId, email, code });

  it('the right code passes while 100 concurrent guesses with unknown ids go on', async () => {
    const email = addr();
    const s = await p.api('POST', '/api/verification-codes', { email });
    expect(s.status).toBe(201);
    const code = await lastCode(p, email);
    const noise = Array.from({ length: 100 }, () => verify(v7(), email, '000000'));
    // The real attempt goes in the middle of the flood, as the victim's would.
    const real = verify(s.body.verificationId, email, code);
    const more = Array.from({ length: 100 }, () => verify(v7(), email, '000000'));
    const [victim, ...flood] = await Promise.all([real, ...noise, ...more]);
    expect(victim!.status, JSON.stringify(victim!.body)).toBe(204);
    expect(flood.every((r) => r.status === 404 && r.body.code === 'verification_code.not_found')).toBe(true);
  });

  it('unknown ids do not use the budget: maxFailures - 1 real wrong guesses afterwards still leave the right code usable', async () => {
    const email = addr();
    const flood = await Promise.all(Array.from({ length: 100 }, () => verify(v7(), email, '123456')));
    expect(flood.every((r) => r.body.code === 'verification_code.not_found')).toBe(true);
    const s = await p.api('POST', '/api/verification-codes', { email });
    const code = await lastCode(p, email);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < MAX_FAILURES - 1; i++)
      expect((await verify(s.body.verificationId, email, wrong)).body.code).toBe('verification_code.mismatch');
    expect((await verify(s.body.verificationId, email, code)).status).toBe(204);
  });

  it('a code of another recipient counts as unknown, and real wrong guesses still lock', async () => {
    const victim = addr();
    const other = addr();
    const o = await p.api('POST', '/api/verification-codes', { email: other });
    // Someone else's verification id, tried against the victim's address, is noise too.
    const foreign = await Promise.all(
      Array.from({ length: 20 }, () => verify(o.body.verificationId, victim, '000000')),
    );
    expect(foreign.every((r) => r.body.code === 'verification_code.not_found')).toBe(true);
    const s = await p.api('POST', '/api/verification-codes', { email: victim });
    const code = await lastCode(p, victim);
    const wrong = code === '000000' ? '111111' : '000000';
    const answers: string[] = [];
    for (let i = 0; i < MAX_FAILURES + 1; i++)
      answers.push((await verify(s.body.verificationId, victim, wrong)).body.code);
    expect(answers.slice(0, MAX_FAILURES - 1).every((c) => c === 'verification_code.mismatch')).toBe(true);
    expect(answers.at(-1)).toBe('verification_code.locked');
    const locked = await verify(s.body.verificationId, victim, code);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // The other recipient is untouched by all of it.
    expect((await verify(o.body.verificationId, other, await lastCode(p, other))).status).toBe(204);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startWebhookPeer, type WebhookPeer } from '../src/testing/peers/webhook.js';
import { dropSchema, startPostern, type TestPostern } from './helpers.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Two instances on one PostgreSQL database and one Redis behave as one service. */
describe.each([
  ['PostgreSQL + Redis', { REDIS_URL }],
  ['PostgreSQL only', {}],
])('two instances sharing %s', (_name, extraEnv) => {
  const schema = `mi_${randomBytes(6).toString('hex')}`;
  const shared = { schema, secret: randomBytes(32).toString('base64'), adminKey: `shared-admin-${randomBytes(16).toString('hex')}` };
  const run = randomBytes(4).toString('hex');
  let a: TestPostern;
  let b: TestPostern;
  let peer: WebhookPeer;
  beforeAll(async () => {
    const env = { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32', ...extraEnv };
    a = await startPostern('postgres', env, { housekeeping: false }, shared);
    b = await startPostern('postgres', env, { housekeeping: false }, shared);
    peer = await startWebhookPeer();
    await a.api('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: peer.url } });
    await a.api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0, maxSendsPerRecipientPerHour: 4, lockout: { maxFailures: 6, windowSeconds: 3600, lockSeconds: 600 } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await peer?.close();
    await dropSchema(schema);
  });

  const codeFor = (to: string) => {
    const got = [...peer.received].reverse().find((r) => (r.body as { to?: string }).to === to);
    expect(got, `webhook for ${to}`).toBeDefined();
    return (got!.body as { payload: { code: string } }).payload.code;
  };

  it('a code sent through one verifies on the other', async () => {
    const to = `cross-${run}@example.test`;
    const s = await a.api('POST', '/api/verification-codes', { email: to });
    expect(s.status).toBe(201);
    expect((await b.api('POST', '/api/verification-codes/verify', { verificationId: s.body.verificationId, email: to, code: codeFor(to) })).status).toBe(204);
  });

  it('the per-recipient send limit holds for the sum', async () => {
    const to = `limit-${run}@example.test`;
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await (i % 2 ? b : a).api('POST', '/api/verification-codes', { email: to, templateType: i % 3 ? 'SignIn' : 'Generic' })).status);
    expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);
  });

  it('the lockout holds for the sum of guesses on both', async () => {
    const to = `lock-${run}@example.test`;
    const outcomes: string[] = [];
    for (let round = 0; round < 3; round++) {
      const s = await (round % 2 ? b : a).api('POST', '/api/verification-codes', { email: to });
      for (let i = 0; i < 3; i++) {
        const r = await (i % 2 ? a : b).api('POST', '/api/verification-codes/verify', { verificationId: s.body.verificationId, email: to, code: 'XXXXXX' });
        outcomes.push(r.body.code);
      }
    }
    expect(outcomes.filter((c) => c === 'verification_code.mismatch')).toHaveLength(6);
    expect(outcomes.slice(6).every((c) => c === 'verification_code.locked')).toBe(true);
  });

  it('exactly one of concurrent correct verifies on both instances succeeds', async () => {
    const to = `race-${run}@example.test`;
    const s = await b.api('POST', '/api/verification-codes', { email: to });
    const code = codeFor(to);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).api('POST', '/api/verification-codes/verify', { verificationId: s.body.verificationId, email: to, code })));
    expect(results.filter((r) => r.status === 204)).toHaveLength(1);
  });

  it('a connector change on one is used by the next send on the other', async () => {
    const second = await startWebhookPeer();
    try {
      await b.api('POST', '/api/verification-codes', { email: `warm-${run}@example.test` });
      await a.api('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: second.url } });
      const to = `switch-${run}@example.test`;
      expect((await b.api('POST', '/api/verification-codes', { email: to })).status).toBe(201);
      expect(second.received.map((r) => (r.body as { to: string }).to)).toContain(to);
    } finally {
      await a.api('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: peer.url } });
      await second.close();
    }
  });

  it('an address with no account hears of a sign-in attempt once a day, whichever instance is asked', async () => {
    const x = await a.api('PATCH', '/api/sign-in-experience', { notifyUnknownRecipients: true, signUp: { enabled: false } });
    expect(x.status, JSON.stringify(x.body)).toBe(200);
    // Past the settings cache (2 s) of the other instance.
    await new Promise((r) => setTimeout(r, 2_100));
    const ask = (p: TestPostern, email: string) =>
      p.app.inject({ method: 'POST', url: '/api/experience/verification-codes', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email, intent: 'forgot-password' }) });
    const notices = (to: string) => peer.received.filter((r) => (r.body as { to?: string; type?: string }).to === to && (r.body as { type?: string }).type === 'UnknownRecipient').length;
    const waitFor = async (to: string) => {
      for (let i = 0; i < 200 && notices(to) === 0; i++) await new Promise((r) => setTimeout(r, 25));
    };
    try {
      const stranger = `stranger-${run}@example.test`;
      for (const p of [a, b, a, b]) expect((await ask(p, stranger)).statusCode).toBe(202);
      await waitFor(stranger);
      // Another address asked after them: its notice comes once theirs have had their turn.
      const control = `control-${run}@example.test`;
      expect((await ask(b, control)).statusCode).toBe(202);
      await waitFor(control);
      expect(notices(control)).toBe(1);
      expect(notices(stranger)).toBe(1);
    } finally {
      await a.api('PATCH', '/api/sign-in-experience', { notifyUnknownRecipients: false, signUp: { enabled: true } });
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpPeer, type SmtpPeer } from '../../src/testing/peers/smtp.js';
import { DIALECTS } from '../helpers.js';
import { startWorld, type World } from './setup.js';

/** The shape of an answer with its values' types, so two answers compare without their random ids. */
const shape = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v]));

describe.each(DIALECTS)('anti-enumeration on %s', (dialect) => {
  let w: World;
  let rejecting: SmtpPeer;
  const known = `known-${dialect}@example.test`;
  const unknown = `nobody-${dialect}@example.test`;

  beforeAll(async () => {
    w = await startWorld(dialect);
    rejecting = await startSmtpPeer({ rejectRecipients: [known] });
    expect((await w.p.api('POST', '/api/users', { email: known, password: 'known user password' })).status).toBe(201);
  });
  afterAll(async () => {
    await w?.close();
    await rejecting?.close();
  });

  const send = (email: string, intent: string, headers: Record<string, string> = {}) => w.pub('POST', '/api/experience/verification-codes', { email, intent }, headers);

  it('forgot-password answers the same for known and unknown addresses, and sends only to the known one', async () => {
    const a = await send(known, 'forgot-password');
    const b = await send(unknown, 'forgot-password');
    expect(a.status).toBe(202);
    expect(b.status).toBe(a.status);
    expect(shape(b.body)).toEqual(shape(a.body));
    expect(b.body.resendAfter).toBe(a.body.resendAfter);
    await w.message(known);
    expect(w.sent(unknown)).toBe(0);
  });

  it('a failed forgot-password delivery does not change the answer', async () => {
    expect((await w.p.api('PUT', '/api/connectors/email', { factoryId: 'smtp', config: { host: '127.0.0.1', port: rejecting.port, fromEmail: 'auth@example.test' } })).status).toBe(200);
    try {
      const a = await send(known, 'forgot-password');
      const b = await send(unknown, 'forgot-password');
      expect(a.status).toBe(202);
      expect(b.status).toBe(202);
      expect(shape(a.body)).toEqual(shape(b.body));
    } finally {
      expect((await w.p.api('PUT', '/api/connectors/email', { factoryId: 'smtp', config: { host: '127.0.0.1', port: w.smtp.port, fromEmail: 'auth@example.test' } })).status).toBe(200);
    }
  });

  it('with sign-up off, a sign-in code request answers the same and sends nothing to an unknown address', async () => {
    expect((await w.p.api('PATCH', '/api/sign-in-experience', { signUp: { enabled: false } })).status).toBe(200);
    try {
      const other = `stranger-${dialect}@example.test`;
      const before = w.sent(known);
      const a = await send(known, 'sign-in');
      const b = await send(other, 'sign-in');
      expect(b.status).toBe(a.status);
      expect(a.status).toBe(202);
      expect(shape(b.body)).toEqual(shape(a.body));
      await w.message(known, before + 1);
      expect(w.sent(other)).toBe(0);
    } finally {
      await w.p.api('PATCH', '/api/sign-in-experience', { signUp: { enabled: true } });
    }
  });

  it('a wrong password and an unknown email get identical 401 bodies', async () => {
    const a = await w.pub('POST', '/api/experience/sign-in/password', { email: known, password: 'not the password' });
    const b = await w.pub('POST', '/api/experience/sign-in/password', { email: unknown, password: 'not the password' });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(b.body).toEqual(a.body);
    expect(a.body.code).toBe('session.invalid_credentials');
  });

  it('a spoofed X-Forwarded-For from an untrusted peer does not open a new per-IP bucket', async () => {
    expect((await w.p.api('PATCH', '/api/verification-code-policy', { maxSendsPerIpPerHour: 2 })).status).toBe(200);
    try {
      // Earlier tests used the budget of 127.0.0.1 already; a fresh tenant starts clean.
      await w.p.api('POST', '/api/tenants', { id: `ip-${dialect}`, name: 'IP' });
      const t = `/t/ip-${dialect}`;
      await w.p.api('PATCH', `${t}/api/verification-code-policy`, { resendCooldownSeconds: 0, maxSendsPerIpPerHour: 2 });
      const go = (i: number, headers: Record<string, string> = {}) => w.pub('POST', `${t}/api/experience/verification-codes`, { email: `ip${i}-${dialect}@example.test`, intent: 'register' }, headers);
      expect((await go(1)).status).toBe(202);
      expect((await go(2)).status).toBe(202);
      const spoofed = await go(3, { 'x-forwarded-for': '203.0.113.9' });
      expect(spoofed.status).toBe(429);
      expect(spoofed.body.code).toBe('verification_code.rate_limited');
    } finally {
      await w.p.api('PATCH', '/api/verification-code-policy', { maxSendsPerIpPerHour: 100000 });
    }
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers.js';
import { TestClock, bearer, startWorld, type World } from './setup.js';

const PASSWORD = 'notice password 1';
const OUTBOX_STATES = ['queued', 'sending', 'failed', 'sent', 'cancelled'] as const;
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';
const deviceCookie = () => ({ cookie: `postern_device=${randomBytes(32).toString('base64url')}` });

/** Account-security mail, double confirmation of an email change and unknown-recipient notices (SPEC §19). */
describe.each(DIALECTS)('account-security mail on %s', (dialect) => {
  let w: World;
  let n = 0;
  const addr = (tag = 'notice') => `${tag}${++n}-${dialect}@example.test`;

  beforeAll(async () => {
    w = await startWorld(dialect);
  });
  afterAll(async () => {
    await w?.close();
  });

  const experience = (patch: unknown) => w.p.api('PATCH', '/api/sign-in-experience', patch);

  /** An account made through the API; its Register code is message 1. */
  async function account(headers: Record<string, string> = {}) {
    const email = addr();
    const s = await w.pub('POST', '/api/experience/verification-codes', { email, intent: 'register' });
    const code = await w.code(email, 1);
    const r = await w.pub('POST', '/api/experience/register', { email, verificationId: s.body.verificationId, code, password: PASSWORD }, headers);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return { email, at: bearer(r.body.tokens.accessToken) };
  }

  /** An identity verification token won by a code sent to the account's address. */
  async function proofByCode(email: string, at: Record<string, string>) {
    const before = w.sent(email);
    const s = await w.pub('POST', '/api/my-account/identity-verifications', {}, at);
    expect(s.status).toBe(202);
    const code = await w.code(email, before + 1);
    const v = await w.pub('POST', '/api/my-account/identity-verifications/verify', { verificationId: s.body.verificationId, code }, at);
    expect(v.status).toBe(200);
    return { 'identity-verification': v.body.identityVerificationToken as string };
  }

  async function proofByPassword(at: Record<string, string>) {
    const v = await w.pub('POST', '/api/my-account/identity-verifications/password', { password: PASSWORD }, at);
    expect(v.status).toBe(200);
    return { 'identity-verification': v.body.identityVerificationToken as string };
  }

  /** Every outbox row to `to` (the notice of a change is written in the change's transaction). */
  async function outboxTo(to: string) {
    const rows: Array<{ templateType: string; to: string }> = [];
    for (const status of OUTBOX_STATES) {
      const r = await w.p.api('GET', `/api/outbox?status=${status}&limit=100`);
      expect(r.status).toBe(200);
      rows.push(...r.body.items.filter((m: { to: string }) => m.to === to));
    }
    return rows.map((m) => m.templateType);
  }

  it('mails PasswordChanged when the password is changed, with when, where from and the device', async () => {
    const a = await account();
    const iv = await proofByPassword(a.at);
    const r = await w.pub('POST', '/api/my-account/password', { newPassword: 'notice password 2' }, { ...a.at, ...iv, 'user-agent': UA });
    expect(r.status).toBe(204);
    const m = await w.message(a.email, 2);
    expect(m.parsed.subject).toMatch(/password was changed/);
    expect(m.parsed.text).toContain('Firefox on Windows');
    expect(m.parsed.text).toContain('127.0.0.1');
    expect(m.parsed.text).toMatch(/Time: .*20\d\d/);
    expect(m.parsed.text).not.toMatch(/notice password/);
  });

  it('mails PasswordChanged after a password reset, in the language asked for', async () => {
    const a = await account();
    const s = await w.pub('POST', '/api/experience/verification-codes', { email: a.email, intent: 'forgot-password', locale: 'de' });
    const code = await w.code(a.email, 2);
    const r = await w.pub('POST', '/api/experience/forgot-password', { email: a.email, verificationId: s.body.verificationId, code, newPassword: 'reset password 22' }, { 'accept-language': 'de' });
    expect(r.status).toBe(204);
    const m = await w.message(a.email, 3);
    expect(m.parsed.subject).toMatch(/Passwort wurde geändert/);
  });

  it('mails MfaChanged when email MFA is turned on and off', async () => {
    const a = await account();
    const s = await w.pub('POST', '/api/my-account/mfa/email', {}, a.at);
    const code = await w.code(a.email, 2);
    expect((await w.pub('POST', '/api/my-account/mfa/email/verify', { verificationId: s.body.verificationId, code }, a.at)).status).toBe(200);
    const on = await w.message(a.email, 3);
    expect(on.parsed.subject).toMatch(/Two-step verification changed/);
    expect(on.parsed.text).toContain('turned on');
    const iv = await proofByPassword(a.at);
    expect((await w.pub('DELETE', '/api/my-account/mfa/email', undefined, { ...a.at, ...iv })).status).toBe(204);
    const off = await w.message(a.email, 4);
    expect(off.parsed.text).toContain('turned off');
  });

  it('an email change needs a code-won proof of the current address, then mails the old address with the new one masked', async () => {
    const a = await account();
    const next = addr('moved');
    const s = await w.pub('POST', '/api/my-account/email-verifications', { email: next }, a.at);
    expect(s.status).toBe(202);
    const code = await w.code(next, 1);
    const body = { email: next, verificationId: s.body.verificationId, code };

    // The password proves the person, not the address: refused, saying what is needed.
    const byPassword = await w.pub('PUT', '/api/my-account/primary-email', body, { ...a.at, ...(await proofByPassword(a.at)) });
    expect(byPassword.status).toBe(403);
    expect(byPassword.body).toMatchObject({ code: 'account.identity_verification_required', details: { method: 'code', reason: 'confirm_current_email' } });

    const iv = await proofByCode(a.email, a.at);
    const sentBefore = w.sent(a.email);
    const put = await w.pub('PUT', '/api/my-account/primary-email', body, { ...a.at, ...iv });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.email).toBe(next);

    const m = await w.message(a.email, sentBefore + 1);
    expect(m.to).toEqual([a.email]);
    expect(m.parsed.subject).toMatch(/email address of your .* was changed/);
    const masked = `m•••@e•••.test`;
    expect(m.parsed.text).toContain(masked);
    expect(m.parsed.html).toContain(masked);
    for (const part of [m.parsed.subject ?? '', m.parsed.text ?? '', String(m.parsed.html), m.raw.toString('utf8')]) expect(part).not.toContain(next);
    // Nothing about the change goes to the new address besides its code.
    expect(await outboxTo(next)).not.toContain('EmailChanged');

    // The proof was for the old address: it does not confirm a further change away from the new one.
    const again = addr('again');
    const s2 = await w.pub('POST', '/api/my-account/email-verifications', { email: again }, a.at);
    const code2 = await w.code(again, 1);
    const reuse = await w.pub('PUT', '/api/my-account/primary-email', { email: again, verificationId: s2.body.verificationId, code: code2 }, { ...a.at, ...iv });
    expect(reuse.status).toBe(403);
    expect(reuse.body.details).toMatchObject({ method: 'code' });
  });

  it('new-device sign-ins are reported only when on, only for a device never seen, never for plain API calls', async () => {
    const cookieA = deviceCookie();
    const a = await account(cookieA);
    const signIn = (headers: Record<string, string>) => w.pub('POST', '/api/experience/sign-in/password', { email: a.email, password: PASSWORD }, { ...headers, 'user-agent': UA });

    // Off by default: a new device changes nothing.
    expect((await signIn(deviceCookie())).status).toBe(200);
    expect(await outboxTo(a.email)).not.toContain('NewSignIn');

    expect((await experience({ notifications: { newSignIn: true } })).status).toBe(200);
    try {
      expect((await signIn(cookieA)).status).toBe(200);
      expect((await signIn({})).status).toBe(200);
      expect(await outboxTo(a.email)).not.toContain('NewSignIn');
      const cookieB = deviceCookie();
      expect((await signIn(cookieB)).status).toBe(200);
      const m = await w.message(a.email, 2);
      expect(m.parsed.subject).toMatch(/New sign-in/);
      expect(m.parsed.text).toContain('Firefox on Windows');
      // Known from now on.
      expect((await signIn(cookieB)).status).toBe(200);
      expect((await outboxTo(a.email)).filter((t) => t === 'NewSignIn')).toHaveLength(1);
    } finally {
      await experience({ notifications: { newSignIn: false } });
    }
  });

  it('the hosted pages give a browser its device cookie once', async () => {
    const first = await w.pub('GET', '/sign-in');
    expect(first.status).toBe(200);
    const set = String(first.headers['set-cookie']);
    expect(set).toMatch(/^postern_device=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/);
    const again = await w.pub('GET', '/account', undefined, { cookie: set.split(';')[0]! });
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  it('switched off, no notice is written or sent', async () => {
    expect((await experience({ notifications: { passwordChanged: false, emailChanged: false, mfaChanged: false } })).status).toBe(200);
    try {
      const a = await account();
      const iv = await proofByCode(a.email, a.at);
      expect((await w.pub('POST', '/api/my-account/password', { newPassword: 'notice password 3' }, { ...a.at, ...iv })).status).toBe(204);
      const s = await w.pub('POST', '/api/my-account/mfa/email', {}, a.at);
      const code = await w.code(a.email, 3);
      expect((await w.pub('POST', '/api/my-account/mfa/email/verify', { verificationId: s.body.verificationId, code }, a.at)).status).toBe(200);
      const next = addr('quiet');
      const e = await w.pub('POST', '/api/my-account/email-verifications', { email: next }, a.at);
      const ecode = await w.code(next, 1);
      expect((await w.pub('PUT', '/api/my-account/primary-email', { email: next, verificationId: e.body.verificationId, code: ecode }, { ...a.at, ...iv })).status).toBe(200);
      expect(await outboxTo(a.email)).toEqual(expect.not.arrayContaining(['PasswordChanged', 'MfaChanged', 'EmailChanged']));
      expect(w.sent(a.email)).toBe(3);
    } finally {
      await experience({ notifications: { passwordChanged: true, emailChanged: true, mfaChanged: true } });
    }
  });

  it('with confirmOld off, a password proof is enough to change the email', async () => {
    expect((await experience({ emailChange: { confirmOld: false } })).status).toBe(200);
    try {
      const a = await account();
      const next = addr('loose');
      const s = await w.pub('POST', '/api/my-account/email-verifications', { email: next }, a.at);
      const code = await w.code(next, 1);
      const put = await w.pub('PUT', '/api/my-account/primary-email', { email: next, verificationId: s.body.verificationId, code }, { ...a.at, ...(await proofByPassword(a.at)) });
      expect(put.status).toBe(200);
      expect((await w.message(a.email, 2)).parsed.subject).toMatch(/email address/);
    } finally {
      await experience({ emailChange: { confirmOld: true } });
    }
  });

  it('unknown recipients hear of an attempt only when the tenant turns it on, and the answer never differs', async () => {
    const known = await account();
    const quiet = addr('unknown');
    const shape = (r: { status: number; body: any }) => ({ status: r.status, keys: Object.keys(r.body).sort(), resendAfter: r.body.resendAfter });
    const ask = (email: string) => w.pub('POST', '/api/experience/verification-codes', { email, intent: 'forgot-password' });

    const offKnown = await ask(known.email);
    const offUnknown = await ask(quiet);
    expect(shape(offUnknown)).toEqual(shape(offKnown));

    expect((await experience({ notifyUnknownRecipients: true, signUp: { enabled: false } })).status).toBe(200);
    try {
      const loud = addr('unknown');
      const onUnknown = await ask(loud);
      const onKnown = await ask(known.email);
      expect(shape(onUnknown)).toEqual(shape(onKnown));
      expect(shape(onUnknown)).toEqual(shape(offUnknown));
      const m = await w.message(loud, 1);
      expect(m.parsed.subject).toMatch(/Sign-in attempt/);
      expect(m.parsed.text).toMatch(/no account uses it/);
      expect(m.parsed.text).not.toMatch(/^\s*[0-9]{6}\s*$/m);

      // Sign-in with sign-up off: the same notice.
      const other = addr('unknown');
      const si = await w.pub('POST', '/api/experience/verification-codes', { email: other, intent: 'sign-in' });
      expect(si.status).toBe(202);
      expect((await w.message(other, 1)).parsed.subject).toMatch(/Sign-in attempt/);

      // The address asked about while the switch was off got nothing (its send, had there
      // been one, went ahead of the ones just delivered).
      expect(w.sent(quiet)).toBe(0);
      expect(await outboxTo(quiet)).toEqual([]);
      // A known address gets its code, never the notice.
      expect(await outboxTo(known.email)).not.toContain('UnknownRecipient');
    } finally {
      await experience({ notifyUnknownRecipients: false, signUp: { enabled: true } });
    }
  });

  it('the settings have their defaults, and a bad value is a 400', async () => {
    const x = await w.p.api('GET', '/api/sign-in-experience');
    expect(x.body).toMatchObject({
      notifications: { passwordChanged: true, emailChanged: true, mfaChanged: true, newSignIn: false },
      emailChange: { confirmOld: true },
      notifyUnknownRecipients: false,
    });
    for (const patch of [{ notifications: { newSignIn: 'yes' } }, { emailChange: { confirmOld: true, extra: 1 } }, { notifyUnknownRecipients: 'on' }, { notifications: [] }]) {
      const r = await experience(patch);
      expect(r.status, JSON.stringify(patch)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
    // A merge patch's null removes the member: the default applies again.
    expect((await experience({ notifyUnknownRecipients: true })).body.notifyUnknownRecipients).toBe(true);
    expect((await experience({ notifyUnknownRecipients: null })).body.notifyUnknownRecipients).toBe(false);
  });
});

describe('notice templates through the management API', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld('sqlite');
  });
  afterAll(async () => {
    await w?.close();
  });

  it('previews every notice type in every shipped language with no warnings', async () => {
    for (const templateType of ['PasswordChanged', 'EmailChanged', 'MfaChanged', 'NewSignIn', 'UnknownRecipient']) {
      for (const locale of ['en', 'th', 'zh-CN', 'ja', 'es', 'fr', 'de', 'pt-BR']) {
        const r = await w.p.api('POST', '/api/email-templates/preview', { locale, templateType });
        expect(r.status, `${templateType} ${locale}`).toBe(200);
        expect(r.body.warnings, `${templateType} ${locale}`).toEqual([]);
        expect(r.body.text).not.toMatch(/\{\{|\{[a-z]+\}/);
      }
    }
    const list = await w.p.api('GET', '/api/email-templates?locale=en&templateType=NewSignIn');
    expect(list.status).toBe(200);
    expect(list.body.items[0]).toMatchObject({ templateType: 'NewSignIn', isDefault: true });
  });

  it('a tenant template of a notice type is linted without asking for a code', async () => {
    const r = await w.p.api('POST', '/api/email-templates/preview', { locale: 'en', templateType: 'PasswordChanged', subject: 'Changed', html: '<p>At {{activity.time}} from {{activity.ip}}</p>' });
    expect(r.status).toBe(200);
    expect(r.body.warnings).toEqual([]);
  });

  it('POST /api/verification-codes refuses a notice type with 400', async () => {
    for (const templateType of ['PasswordChanged', 'EmailChanged', 'MfaChanged', 'NewSignIn', 'UnknownRecipient']) {
      const r = await w.p.api('POST', '/api/verification-codes', { email: 'someone@example.test', templateType });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('request.invalid');
      expect(JSON.stringify(r.body)).toMatch(/account-security notice/);
    }
    expect(w.sent('someone@example.test')).toBe(0);
  });
});

/**
 * Unknown-recipient notices (SPEC §19) are capped at one per address per day: anyone can
 * type a stranger's address, and the notice must not become a way to mail them repeatedly.
 * The cap lives in the shared rate-limit store (in process on SQLite, the rate_limits table
 * on PostgreSQL), so it is checked on both.
 */
describe.each(DIALECTS)('unknown-recipient notices on %s', (dialect) => {
  let w: World;
  // The in-process limiter's clock (SQLite); PostgreSQL's window is moved in its table.
  const limiterClock = new TestClock();
  let n = 0;
  const addr = () => `stranger${++n}-${dialect}@example.test`;
  const DAY = 24 * 3600 * 1000;

  beforeAll(async () => {
    w = await startWorld(dialect, dialect === 'sqlite' ? { limiterStore: { kind: 'memory', now: () => limiterClock.t } } : {});
    const r = await w.p.api('PATCH', '/api/sign-in-experience', {
      notifyUnknownRecipients: true,
      signUp: { enabled: false },
      signIn: { methods: [{ identifier: 'email', password: true, verificationCode: true, magicLink: true }] },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });
  afterAll(async () => {
    await w?.close();
  });

  const askCode = (email: string, intent: string) => w.pub('POST', '/api/experience/verification-codes', { email, intent });
  const askLink = (email: string) => w.pub('POST', '/api/experience/magic-links', { email, intent: 'sign-in' });
  /** Waits for the notice to a fresh address: the notices asked for before it have had their turn. */
  async function settle() {
    const control = addr();
    expect((await askCode(control, 'forgot-password')).status).toBe(202);
    expect((await w.message(control, 1)).parsed.subject).toMatch(/Sign-in attempt/);
  }
  async function unknownRecipientRows(to: string) {
    let count = 0;
    for (const status of OUTBOX_STATES) {
      const r = await w.p.api('GET', `/api/outbox?status=${status}&limit=200`);
      count += r.body.items.filter((m: { to: string; templateType: string }) => m.to === to && m.templateType === 'UnknownRecipient').length;
    }
    return count;
  }
  /** Ends the day-long window of every address, as 24 hours passing would. */
  async function nextDay() {
    if (dialect === 'sqlite') limiterClock.advance(DAY + 1000);
    else await w.p.services.db.pool!.query(`update rate_limits set expire = $1 where key like 'pl:unknown-recipient-day:%'`, [Date.now() - 1000]);
  }

  it('sends one notice per address per day, whatever route and spelling ask, and the answers stay the same', async () => {
    const stranger = addr();
    const first = await askCode(stranger, 'forgot-password');
    expect(first.status).toBe(202);
    expect((await w.message(stranger, 1)).parsed.subject).toMatch(/Sign-in attempt/);

    const again = [
      await askCode(stranger, 'forgot-password'),
      await askCode(stranger, 'sign-in'),
      await askCode(stranger.toUpperCase(), 'sign-in'),
      await askLink(stranger),
      await askCode(stranger, 'forgot-password'),
    ];
    for (const r of again) {
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      expect(Object.keys(r.body).sort()).toEqual(Object.keys(first.body).sort());
    }
    await settle();
    expect(w.sent(stranger)).toBe(1);
    expect(await unknownRecipientRows(stranger)).toBe(1);
  });

  it('another address has its own allowance, and a day later the same address may hear again', async () => {
    const a = addr();
    const b = addr();
    expect((await askCode(a, 'forgot-password')).status).toBe(202);
    expect((await askCode(b, 'forgot-password')).status).toBe(202);
    await w.message(a, 1);
    await w.message(b, 1);
    if (dialect === 'sqlite') {
      // Still inside the day: nothing more.
      limiterClock.advance(DAY - 60_000);
      expect((await askCode(a, 'forgot-password')).status).toBe(202);
      await settle();
      expect(w.sent(a)).toBe(1);
    } else {
      // The window the table holds is a day long.
      const r = await w.p.services.db.pool!.query<{ expire: string }>(`select expire from rate_limits where key like 'pl:unknown-recipient-day:%' order by expire desc limit 1`);
      const left = Number(r.rows[0]!.expire) - Date.now();
      expect(left).toBeGreaterThan(DAY - 120_000);
      expect(left).toBeLessThanOrEqual(DAY);
    }
    await nextDay();
    expect((await askCode(a, 'forgot-password')).status).toBe(202);
    expect((await w.message(a, 2)).parsed.subject).toMatch(/Sign-in attempt/);
    await settle();
    expect(w.sent(a)).toBe(2);
    expect(w.sent(b)).toBe(1);
  });
});

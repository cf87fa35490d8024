import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  blockReason,
  DEFAULT_EMAIL_POLICY,
  isDisposableDomain,
  matchesDomain,
} from '../../src/core/abuse/domain-policy.js';
import { DIALECTS } from '../helpers.js';
import { startWorld, type World } from '../identity/setup.js';

const shape = (body: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v]));

describe('email domain rules', () => {
  it('matches exact domains and *. wildcards (subdomains only)', () => {
    expect(matchesDomain('example.com', ['example.com'])).toBe(true);
    expect(matchesDomain('a.example.com', ['example.com'])).toBe(false);
    expect(matchesDomain('a.example.com', ['*.example.com'])).toBe(true);
    expect(matchesDomain('a.b.example.com', ['*.example.com'])).toBe(true);
    expect(matchesDomain('example.com', ['*.example.com'])).toBe(false);
    expect(matchesDomain('badexample.com', ['*.example.com'])).toBe(false);
  });

  it("knows disposable domains from mailchecker's list, and their subdomains", () => {
    expect(isDisposableDomain('mailinator.com')).toBe(true);
    expect(isDisposableDomain('inbox.mailinator.com')).toBe(true);
    expect(isDisposableDomain('gmail.com')).toBe(false);
    expect(isDisposableDomain('example.test')).toBe(false);
  });

  it('the allow list is an exception to every block rule', () => {
    const p = {
      ...DEFAULT_EMAIL_POLICY,
      blockDisposable: true,
      blockSubaddressing: true,
      blockList: ['*.corp.test', 'spam.test'],
      allowList: ['ok.corp.test', 'mailinator.com'],
    };
    expect(blockReason(p, 'a@spam.test')).toBe('block_list');
    expect(blockReason(p, 'a@x.corp.test')).toBe('block_list');
    expect(blockReason(p, 'a+x@ok.corp.test')).toBeNull();
    expect(blockReason(p, 'a@mailinator.com')).toBeNull();
    expect(blockReason(p, 'a@sharklasers.com')).toBe('disposable');
    expect(blockReason(p, 'a+news@example.test')).toBe('subaddressing');
    expect(blockReason(p, 'a@example.test')).toBeNull();
  });
});

describe.each(DIALECTS)('email domain policy (SPEC 19) on %s', (dialect) => {
  let w: World;
  const existing = 'old-user@legacy.test';

  beforeAll(async () => {
    w = await startWorld(dialect);
    // An account made before the domain was blocked keeps signing in.
    expect((await w.p.api('POST', '/api/users', { email: existing, password: 'a long password' })).status).toBe(201);
  });
  afterAll(async () => {
    await w?.close();
  });
  const policy = (patch: unknown) => w.p.api('PATCH', '/api/email-policy', patch);
  beforeEach(async () => {
    expect(
      (
        await policy({
          blockDisposable: true,
          blockSubaddressing: true,
          blockList: ['legacy.test', '*.blocked.test'],
          allowList: ['vip.blocked.test'],
        })
      ).status,
    ).toBe(200);
  });

  it('GET/PATCH normalise rules (lower case, UTS-46, duplicates) and refuse malformed ones', async () => {
    const r = await policy({ blockList: ['*.Bücher.Example', 'legacy.test', 'LEGACY.test'] });
    expect(r.status).toBe(200);
    expect(r.body.blockList).toEqual(['*.xn--bcher-kva.example', 'legacy.test']);
    expect((await w.p.api('GET', '/api/email-policy')).body).toEqual(r.body);
    for (const bad of [['not a domain'], ['*.'], ['a..b'], ['x'.repeat(300)], 'legacy.test', [1]]) {
      const e = await policy({ blockList: bad });
      expect(e.status, JSON.stringify(bad)).toBe(400);
      expect(e.body.code).toBe('request.invalid');
    }
    expect((await policy({ blockEverything: true })).body.code).toBe('request.invalid');
    expect((await policy({ blockDisposable: 'yes' })).body.code).toBe('request.invalid');
  });

  it('management routes answer 422 email.blocked with details.reason', async () => {
    const cases: Array<[string, string]> = [
      ['someone@mailinator.com', 'disposable'],
      ['someone@legacy.test', 'block_list'],
      ['someone@deep.blocked.test', 'block_list'],
      ['someone+promo@example.test', 'subaddressing'],
    ];
    for (const [email, reason] of cases) {
      const u = await w.p.api('POST', '/api/users', { email });
      expect(u.status, email).toBe(422);
      expect(u.body).toMatchObject({ code: 'email.blocked', details: { reason, field: 'email' } });
      const c = await w.p.api('POST', '/api/verification-codes', { email });
      expect(c.body).toMatchObject({ code: 'email.blocked', details: { reason } });
      expect(w.sent(email)).toBe(0);
    }
    // Allow-listed exceptions pass.
    expect((await w.p.api('POST', '/api/users', { email: 'boss+x@vip.blocked.test' })).status).toBe(201);
    const u = await w.p.api('POST', '/api/users', { email: 'fine@example.test' });
    expect(u.status).toBe(201);
    const patch = await w.p.api('PATCH', `/api/users/${u.body.id}`, { email: 'fine@mailinator.com' });
    expect(patch.body).toMatchObject({ code: 'email.blocked', details: { reason: 'disposable' } });
    const org = await w.p.api('POST', '/api/organizations', { name: 'Acme' });
    const inv = await w.p.api('POST', `/api/organizations/${org.body.id}/invitations`, { email: 'guest@legacy.test' });
    expect(inv.body).toMatchObject({ code: 'email.blocked', details: { reason: 'block_list' } });
  });

  it('experience sign-up with a blocked address is 422 email.blocked without a reason, and sends nothing', async () => {
    const email = 'newcomer@mailinator.com';
    const r = await w.pub('POST', '/api/experience/verification-codes', { email, intent: 'register' });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('email.blocked');
    expect(r.body.details).toEqual({});
    expect(w.sent(email)).toBe(0);
    // The same answer for the existing account's blocked address: the rule is about the address only.
    const e = await w.pub('POST', '/api/experience/verification-codes', { email: existing, intent: 'register' });
    expect(e.status).toBe(r.status);
    expect(e.body).toEqual({ ...r.body });
  });

  it('sign-in and forgot-password answer the same for known and unknown blocked addresses; existing accounts keep working', async () => {
    const unknown = 'stranger@legacy.test';
    for (const intent of ['sign-in', 'forgot-password']) {
      const a = await w.pub('POST', '/api/experience/verification-codes', { email: existing, intent });
      const b = await w.pub('POST', '/api/experience/verification-codes', { email: unknown, intent });
      expect(a.status, intent).toBe(202);
      expect(b.status, intent).toBe(202);
      expect(shape(b.body)).toEqual(shape(a.body));
    }
    const signIn = await w.pub('POST', '/api/experience/sign-in/password', {
      email: existing,
      password: 'a long password',
    });
    expect(signIn.status).toBe(200);
    expect(signIn.body.tokens.accessToken).toBeTruthy();
  });

  it('a code sign-in that leads to registration is refused at registration, before the token is spent', async () => {
    const email = 'fresh@legacy.test';
    const sent = await w.pub('POST', '/api/experience/verification-codes', { email, intent: 'sign-in' });
    expect(sent.status).toBe(202);
    const code = await w.code(email);
    const si = await w.pub('POST', '/api/experience/sign-in/verification-code', {
      email,
      verificationId: sent.body.verificationId,
      code,
    });
    expect(si.body.status).toBe('registration_required');
    const reg = await w.pub('POST', '/api/experience/register', {
      registrationToken: si.body.registrationToken,
      password: 'a long password',
    });
    expect(reg.status).toBe(422);
    expect(reg.body).toMatchObject({ code: 'email.blocked', details: {} });
    // Unblocked, the same token still works: the refusal spent nothing.
    expect((await policy({ blockList: [] })).status).toBe(200);
    const ok = await w.pub('POST', '/api/experience/register', {
      registrationToken: si.body.registrationToken,
      password: 'a long password',
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });

  it('registration with a Register code is refused for a blocked address before the code is checked', async () => {
    const r = await w.pub('POST', '/api/experience/register', {
      email: 'x+1@example.test',
      verificationId: 'v',
      code: '123456',
      password: 'a long password',
    });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('email.blocked');
  });

  it('an account cannot add or change to a blocked address', async () => {
    const email = 'member@example.test';
    expect((await w.p.api('POST', '/api/users', { email, password: 'a long password' })).status).toBe(201);
    const signIn = await w.pub('POST', '/api/experience/sign-in/password', { email, password: 'a long password' });
    const auth = { authorization: `Bearer ${signIn.body.tokens.accessToken}` };
    const r = await w.pub('POST', '/api/my-account/email-verifications', { email: 'member@mailinator.com' }, auth);
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('email.blocked');
    expect(w.sent('member@mailinator.com')).toBe(0);
  });

  it('tenants have their own policy', async () => {
    expect(
      (await w.p.api('POST', '/api/tenants', { id: `pol-${dialect}`, name: 'P', type: 'development' })).status,
    ).toBe(201);
    expect((await w.p.api('GET', `/t/pol-${dialect}/api/email-policy`)).body).toEqual({
      blockDisposable: false,
      blockList: [],
      allowList: [],
      blockSubaddressing: false,
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers.js';
import { createIdentityStores } from '../../src/storage/stores/identity/index.js';
import { startWorld, type World } from './setup.js';

describe.each(DIALECTS)('users API on %s', (dialect) => {
  let w: World;

  beforeAll(async () => {
    w = await startWorld(dialect);
  });
  afterAll(async () => {
    await w?.close();
  });

  it('needs the admin key', async () => {
    expect((await w.pub('GET', '/api/users')).status).toBe(401);
    expect((await w.pub('POST', '/api/users', { email: 'x@example.test' })).status).toBe(401);
  });

  it('creates, reads, searches, patches and deletes, never showing a hash', async () => {
    const c = await w.p.api('POST', '/api/users', { email: 'Carol@Example.test', password: 'carol password', name: 'Carol' });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ email: 'Carol@example.test', emailVerified: false, name: 'Carol', hasPassword: true, mfa: { email: false } });
    expect(JSON.stringify(c.body)).not.toMatch(/argon2|password"/);
    await w.p.api('POST', '/api/users', { email: 'dave@example.test', name: 'Dave 100%_' });
    expect((await w.p.api('GET', `/api/users/${c.body.id}`)).body.id).toBe(c.body.id);
    expect((await w.p.api('GET', '/api/users?search=carol')).body.items.map((u: { name: string }) => u.name)).toEqual(['Carol']);
    expect((await w.p.api('GET', '/api/users?search=DAVE')).body.items).toHaveLength(1);
    expect((await w.p.api('GET', '/api/users?search=%25_')).body.items.map((u: { name: string }) => u.name)).toEqual(['Dave 100%_']);
    expect((await w.p.api('GET', '/api/users?search=%25')).body.items).toHaveLength(1);
    const page = await w.p.api('GET', '/api/users?limit=1');
    expect(page.body.items).toHaveLength(1);
    expect((await w.p.api('GET', `/api/users?limit=1&cursor=${page.body.nextCursor}`)).body.items).toHaveLength(1);

    const p = await w.p.api('PATCH', `/api/users/${c.body.id}`, { name: null, password: 'carol new password' });
    expect(p.status).toBe(200);
    expect(p.body.name).toBeNull();
    expect((await w.pub('POST', '/api/experience/sign-in/password', { email: 'carol@example.test', password: 'carol new password' })).status).toBe(200);
    expect((await w.p.api('PATCH', `/api/users/${c.body.id}`, { email: 'DAVE@example.test' })).body.code).toBe('user.email_exists');
    expect((await w.p.api('PATCH', `/api/users/${c.body.id}`, { emial: 'x@example.test' })).status).toBe(400);
    expect((await w.p.api('DELETE', `/api/users/${c.body.id}`)).status).toBe(204);
    expect((await w.p.api('GET', `/api/users/${c.body.id}`)).body.code).toBe('user.not_found');
    expect((await w.p.api('DELETE', `/api/users/${c.body.id}`)).status).toBe(404);
  });

  it('checks the password policy of the sign-in experience', async () => {
    const short = await w.p.api('POST', '/api/users', { email: 'erin@example.test', password: 'short' });
    expect(short.status).toBe(422);
    expect(short.body.code).toBe('password.policy_violation');
    const long = await w.p.api('POST', '/api/users', { email: 'erin@example.test', password: 'x'.repeat(257) });
    expect(long.body.code).toBe('password.policy_violation');
    await w.p.api('PATCH', '/api/sign-in-experience', { passwordPolicy: { minLength: 12 } });
    try {
      expect((await w.p.api('POST', '/api/users', { email: 'erin@example.test', password: 'elevenchars' })).status).toBe(422);
      expect((await w.p.api('POST', '/api/users', { email: 'erin@example.test', password: 'twelve chars' })).status).toBe(201);
    } finally {
      await w.p.api('PATCH', '/api/sign-in-experience', { passwordPolicy: { minLength: 8 } });
    }
  });

  it('stores passwords as argon2id hashes', async () => {
    const c = await w.p.api('POST', '/api/users', { email: 'frank@example.test', password: 'frank password' });
    const row = await w.p.services.db.kysely.selectFrom('users').select('password_hash').where('id', '=', c.body.id).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain('frank password');
  });

  it('sends a password reset an admin asks for: the ForgotPassword message with a link to the hosted page, whose code resets the password', async () => {
    const c = await w.p.api('POST', '/api/users', { email: 'grace@example.test', password: 'grace password 1' });
    const before = w.sent('grace@example.test');
    const r = await w.p.api('POST', `/api/users/${c.body.id}/password-reset`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ to: 'grace@example.test', expiresAt: expect.any(String) });
    const m = await w.message('grace@example.test', before + 1);
    expect(m.parsed.subject).toMatch(/Reset your .* password/);
    // The link opens the hosted page at the code step; the code is not in it.
    const link = /https:\/\/auth\.example\.test\/forgot-password\?[^\s"<]+/.exec(m.parsed.text ?? '')?.[0];
    expect(link, m.parsed.text).toBeDefined();
    const url = new URL(link!);
    expect(url.searchParams.get('email')).toBe('grace@example.test');
    const verificationId = url.searchParams.get('verificationId')!;
    expect(m.parsed.html).toContain('Choose a new password');
    const code = await w.code('grace@example.test', before + 1);
    expect(link).not.toContain(code);
    // What the page then does: the end user's own reset call, with the code from the message.
    const reset = await w.pub('POST', '/api/experience/forgot-password', { email: 'grace@example.test', verificationId, code, newPassword: 'grace password 2' });
    expect(reset.status, JSON.stringify(reset.body)).toBe(204);
    expect((await w.pub('POST', '/api/experience/sign-in/password', { email: 'grace@example.test', password: 'grace password 2' })).status).toBe(200);
    // The email log records it as an admin (api) send, with the code masked.
    const logs = await w.p.api('GET', '/api/email-logs?to=grace@example.test&templateType=ForgotPassword');
    expect(logs.body.items[0]).toMatchObject({ source: 'api', status: 'sent' });
    expect(JSON.stringify(logs.body)).not.toContain(code);
  });

  it('refuses a password reset for a missing user, a user without email, and when reset is turned off', async () => {
    expect((await w.pub('POST', '/api/users/x/password-reset')).status).toBe(401);
    const missing = await w.p.api('POST', '/api/users/00000000-0000-0000-0000-000000000000/password-reset');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('user.not_found');
    const at = new Date().toISOString();
    const id = crypto.randomUUID();
    await createIdentityStores(w.p.services.db).users.create({ id, tenantId: 'default', email: null, emailKey: null, emailVerified: false, name: 'No Mail', passwordHash: null, mfaEmail: false, createdAt: at, updatedAt: at });
    const none = await w.p.api('POST', `/api/users/${id}/password-reset`);
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ code: 'user.no_email', message: expect.stringMatching(/no email address/) });

    const c = await w.p.api('POST', '/api/users', { email: 'heidi@example.test', password: 'heidi password' });
    await w.p.api('PATCH', '/api/sign-in-experience', { forgotPassword: { email: false } });
    try {
      const before = w.sent('heidi@example.test');
      const off = await w.p.api('POST', `/api/users/${c.body.id}/password-reset`);
      expect(off.status).toBe(403);
      expect(off.body.code).toBe('experience.method_disabled');
      expect(w.sent('heidi@example.test')).toBe(before);
    } finally {
      await w.p.api('PATCH', '/api/sign-in-experience', { forgotPassword: { email: true } });
    }
  });
});

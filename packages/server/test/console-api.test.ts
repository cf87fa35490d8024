import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './helpers.js';
import { startWorld, type World } from './identity/setup.js';

// The management routes behind the console's email-log detail view, recipient search and
// user detail page (SPEC §14), on both databases.
describe.each(DIALECTS)('console API on %s', (dialect) => {
  let w: World;

  beforeAll(async () => {
    w = await startWorld(dialect);
  });
  afterAll(async () => {
    await w?.close();
  });

  it('finds email logs by part of the recipient, any case, with `_` and `%` matching themselves', async () => {
    const tag = `s${dialect}`;
    for (const to of [`ana_${tag}@example.test`, `anaX${tag}@example.test`, `bob.${tag}@Other.test`]) {
      const r = await w.p.api('POST', '/api/experience/verification-codes', { email: to, intent: 'register' });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
    }
    const search = async (q: string) => ((await w.p.api('GET', `/api/email-logs?search=${encodeURIComponent(q)}`)).body.items as { to: string }[]).map((i) => i.to).sort();
    expect(await search(`ANA_${tag}`)).toEqual([`ana_${tag}@example.test`]);
    expect(await search(`ana`)).toEqual(expect.arrayContaining([`ana_${tag}@example.test`, `anaX${tag}@example.test`]));
    expect(await search(`%${tag}`)).toEqual([]);
    expect(await search(`.${tag}@other`)).toHaveLength(1);
    expect(await search(`  ${tag}@example  `)).toHaveLength(2);
    expect((await w.p.api('GET', `/api/email-logs?search=${'a'.repeat(400)}`)).status).toBe(400);
  });

  it('reads one email log entry with its attempts, and marks a connector test send as a test', async () => {
    const to = `detail-${dialect}@example.test`;
    await w.p.api('POST', '/api/experience/verification-codes', { email: to, intent: 'register' });
    const listed = (await w.p.api('GET', `/api/email-logs?to=${to}`)).body.items[0];
    expect(listed.test).toBe(false);
    const one = await w.p.api('GET', `/api/email-logs/${listed.id}`);
    expect(one.status).toBe(200);
    const { message, ...rest } = one.body;
    expect(rest).toEqual(listed);
    expect(one.body.attemptLog[0]).toMatchObject({ role: 'primary', factoryId: 'smtp', outcome: 'sent' });
    // The message comes back rendered with the code masked, in the language that was sent.
    expect(message).toMatchObject({ locale: 'en', exact: true, subject: listed.subject });
    expect(message.text).toContain('••••••');
    expect(JSON.stringify(one.body)).not.toContain(await w.code(to));
    const thai = `thai-${dialect}@example.test`;
    await w.p.api('POST', '/api/experience/verification-codes', { email: thai, intent: 'register', locale: 'th' });
    const thaiLog = (await w.p.api('GET', `/api/email-logs?to=${thai}`)).body.items[0];
    expect((await w.p.api('GET', `/api/email-logs/${thaiLog.id}`)).body.message).toMatchObject({ locale: 'th', exact: true });

    const probe = `probe-${dialect}@example.test`;
    const test = await w.p.api('POST', '/api/connectors/test', { factoryId: 'smtp', config: { host: '127.0.0.1', port: w.smtp.port, fromEmail: 'auth@example.test' }, to: probe });
    expect(test.status, JSON.stringify(test.body)).toBe(200);
    const logged = (await w.p.api('GET', `/api/email-logs?to=${probe}`)).body.items[0];
    expect(logged).toMatchObject({ test: true, status: 'sent' });
    expect(logged.attemptLog).toEqual([expect.objectContaining({ role: 'primary', factoryId: 'smtp', outcome: 'sent', attempts: 1 })]);
    expect((await w.p.api('GET', `/api/email-logs/${logged.id}`)).body.test).toBe(true);

    const missing = await w.p.api('GET', '/api/email-logs/no-such-entry');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('email_log.not_found');
    // Another tenant's key cannot read it by id.
    expect((await w.p.api('POST', '/api/tenants', { id: `other-${dialect}`, name: 'Other', type: 'development' })).status).toBe(201);
    expect((await w.p.api('GET', `/t/other-${dialect}/api/email-logs/${logged.id}`)).status).toBe(404);
  });

  it("lists a user's sessions without tokens, ends one, then all of them", async () => {
    const email = `sessions-${dialect}@example.test`;
    const password = 'session password 1';
    const made = await w.p.api('POST', '/api/users', { email, password });
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    expect((await w.p.api('GET', `/api/users/${id}/sessions`)).body).toEqual({ items: [], nextCursor: null });
    const signIns = [];
    for (let i = 0; i < 3; i++) {
      const r = await w.pub('POST', '/api/experience/sign-in/password', { email, password });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      signIns.push(r.body.tokens as { refreshToken: string });
    }
    // A refresh keeps the session, it does not add one.
    const refreshed = await w.pub('POST', '/api/token', { grantType: 'refresh_token', refreshToken: signIns[0]!.refreshToken });
    expect(refreshed.status).toBe(200);
    const list = await w.p.api('GET', `/api/users/${id}/sessions`);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(3);
    expect(list.body.items[0]).toEqual({ id: expect.any(String), amr: ['pwd'], createdAt: expect.any(String), lastActiveAt: expect.any(String), expiresAt: expect.any(String) });
    for (const t of [...signIns, refreshed.body]) expect(JSON.stringify(list.body)).not.toContain(t.refreshToken);
    // Paging: limit 2, then the rest.
    const first = await w.p.api('GET', `/api/users/${id}/sessions?limit=2`);
    expect(first.body.items).toHaveLength(2);
    const rest = await w.p.api('GET', `/api/users/${id}/sessions?limit=2&cursor=${first.body.nextCursor}`);
    expect(rest.body).toMatchObject({ items: [expect.anything()], nextCursor: null });
    expect((await w.p.api('GET', `/api/users/${id}/sessions?cursor=nope`)).status).toBe(400);

    // The most recently used session is the refreshed one; ending it refuses its token only.
    const newest = list.body.items[0].id as string;
    expect((await w.p.api('DELETE', `/api/users/${id}/sessions/${newest}`)).status).toBe(204);
    expect((await w.p.api('DELETE', `/api/users/${id}/sessions/${newest}`)).body.code).toBe('session.not_found');
    expect((await w.pub('POST', '/api/token', { grantType: 'refresh_token', refreshToken: refreshed.body.refreshToken })).status).toBe(401);
    const other = await w.pub('POST', '/api/token', { grantType: 'refresh_token', refreshToken: signIns[2]!.refreshToken });
    expect(other.status).toBe(200);
    expect((await w.p.api('GET', `/api/users/${id}/sessions`)).body.items).toHaveLength(2);

    const all = await w.p.api('DELETE', `/api/users/${id}/sessions`);
    expect(all.body).toEqual({ revoked: 2 });
    expect((await w.p.api('GET', `/api/users/${id}/sessions`)).body.items).toEqual([]);
    expect((await w.pub('POST', '/api/token', { grantType: 'refresh_token', refreshToken: other.body.refreshToken })).status).toBe(401);

    const nobody = await w.p.api('GET', '/api/users/no-such-user/sessions');
    expect(nobody.status).toBe(404);
    expect(nobody.body.code).toBe('user.not_found');
    expect((await w.p.api('DELETE', '/api/users/no-such-user/sessions')).status).toBe(404);
  });
});

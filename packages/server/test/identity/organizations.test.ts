import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpPeer, type SmtpPeer } from '../../src/testing/peers/smtp.js';
import { DIALECTS } from '../helpers.js';
import { bearer, startWorld, type World } from './setup.js';

describe.each(DIALECTS)('organizations and invitations on %s', (dialect) => {
  let w: World;
  let rejecting: SmtpPeer;
  let orgId: string;
  let n = 0;
  const addr = () => `invitee${++n}-${dialect}@example.test`;

  beforeAll(async () => {
    w = await startWorld(dialect);
    rejecting = await startSmtpPeer({ rejectRecipients: [`bounce-${dialect}@example.test`] });
    const o = await w.p.api('POST', '/api/organizations', { name: 'Acme' });
    expect(o.status).toBe(201);
    orgId = o.body.id;
  });
  afterAll(async () => {
    await w?.close();
    await rejecting?.close();
  });

  const invite = (email: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) => w.p.api('POST', `/api/organizations/${orgId}/invitations`, { email, ...extra }, headers);
  const tokenOf = (link: string) => link.split('/invitation/')[1]!;
  async function member(email: string) {
    const before = w.sent(email);
    const s = await w.pub('POST', '/api/experience/verification-codes', { email, intent: 'register' });
    const code = await w.code(email, before + 1);
    const r = await w.pub('POST', '/api/experience/register', { email, verificationId: s.body.verificationId, code, password: 'invitee password' });
    expect(r.status).toBe(201);
    return { at: bearer(r.body.tokens.accessToken), id: r.body.user.id as string };
  }

  it('sends the invitation with a link built from POSTERN_PUBLIC_URL, never from Host', async () => {
    const email = addr();
    const r = await invite(email, {}, { host: 'evil.test', 'x-forwarded-host': 'evil.test' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ email, status: 'pending', expiresAt: expect.any(String) });
    expect(r.body.link).toMatch(/^https:\/\/auth\.example\.test\/invitation\/[A-Za-z0-9_-]{43}$/);
    const m = await w.message(email);
    expect(m.parsed.html).toContain(r.body.link);
    expect(m.parsed.html).not.toContain('evil.test');
  });

  it('GET by token has no side effect; accept needs the verified invited email', async () => {
    const email = addr();
    const r = await invite(email);
    const token = tokenOf(r.body.link);
    for (let i = 0; i < 3; i++) {
      const g = await w.pub('GET', `/api/invitations/${token}`);
      expect(g.status).toBe(200);
      expect(g.body).toEqual({ organization: { name: 'Acme' }, email, status: 'pending', expiresAt: r.body.expiresAt });
    }
    const stranger = await member(addr());
    const wrong = await w.pub('POST', `/api/invitations/${token}/accept`, undefined, stranger.at);
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('invitation.email_mismatch');
    expect((await w.pub('POST', `/api/invitations/${token}/accept`)).status).toBe(401);
    const invitee = await member(email);
    const ok = await w.pub('POST', `/api/invitations/${token}/accept`, undefined, invitee.at);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.organization).toEqual({ id: orgId, name: 'Acme' });
    const members = await w.p.api('GET', `/api/organizations/${orgId}/members`);
    expect(members.body.items.map((m: { userId: string }) => m.userId)).toContain(invitee.id);
    const again = await w.pub('POST', `/api/invitations/${token}/accept`, undefined, invitee.at);
    expect(again.status).toBe(410);
    expect(again.body.code).toBe('invitation.not_pending');
    expect((await w.pub('GET', `/api/invitations/${token}`)).body.status).toBe('accepted');
  });

  it('an unverified account with the invited email may not accept', async () => {
    const email = addr();
    const r = await invite(email);
    await w.p.api('POST', '/api/users', { email, password: 'unverified password' });
    const s = await w.pub('POST', '/api/experience/sign-in/password', { email, password: 'unverified password' });
    const res = await w.pub('POST', `/api/invitations/${tokenOf(r.body.link)}/accept`, undefined, bearer(s.body.tokens.accessToken));
    expect(res.body.code).toBe('invitation.email_mismatch');
  });

  it('a failed send rolls the invitation back and answers the connector error', async () => {
    expect((await w.p.api('PUT', '/api/connectors/email', { factoryId: 'smtp', config: { host: '127.0.0.1', port: rejecting.port, fromEmail: 'auth@example.test' } })).status).toBe(200);
    try {
      const o = await w.p.api('POST', '/api/organizations', { name: 'Bounce' });
      const r = await w.p.api('POST', `/api/organizations/${o.body.id}/invitations`, { email: `bounce-${dialect}@example.test` });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('connector.rejected_recipient');
      expect((await w.p.api('GET', `/api/organizations/${o.body.id}/invitations`)).body.items).toEqual([]);
    } finally {
      await w.p.api('PUT', '/api/connectors/email', { factoryId: 'smtp', config: { host: '127.0.0.1', port: w.smtp.port, fromEmail: 'auth@example.test' } });
    }
  });

  it('resend sends a fresh link and kills the old one; revoke makes it 410; list shows them', async () => {
    const email = addr();
    const r = await invite(email);
    const re = await w.p.api('POST', `/api/organization-invitations/${r.body.id}/resend`);
    expect(re.status).toBe(200);
    expect(re.body.link).not.toBe(r.body.link);
    expect((await w.message(email, 2)).parsed.html).toContain(re.body.link);
    expect((await w.pub('GET', `/api/invitations/${tokenOf(r.body.link)}`)).status).toBe(404);
    expect((await w.p.api('DELETE', `/api/organization-invitations/${r.body.id}`)).status).toBe(204);
    expect((await w.p.api('DELETE', `/api/organization-invitations/${r.body.id}`)).status).toBe(410);
    const invitee = await member(email);
    expect((await w.pub('POST', `/api/invitations/${tokenOf(re.body.link)}/accept`, undefined, invitee.at)).status).toBe(410);
    const list = await w.p.api('GET', `/api/organizations/${orgId}/invitations`);
    expect(list.body.items.find((i: { id: string }) => i.id === r.body.id)).toMatchObject({ status: 'revoked', email });
    expect(JSON.stringify(list.body)).not.toContain(tokenOf(re.body.link));
  });

  it('stores invitation tokens hashed, answers 404 for unknown ids and organizations', async () => {
    const r = await invite(addr());
    const rows = JSON.stringify(await w.p.services.db.kysely.selectFrom('organization_invitations').selectAll().execute());
    expect(rows).not.toContain(tokenOf(r.body.link));
    expect((await w.p.api('POST', '/api/organizations/nope/invitations', { email: addr() })).body.code).toBe('organization.not_found');
    expect((await w.p.api('DELETE', '/api/organization-invitations/nope')).body.code).toBe('invitation.not_found');
    expect((await w.pub('GET', '/api/invitations/nope')).body.code).toBe('invitation.not_found');
  });
});

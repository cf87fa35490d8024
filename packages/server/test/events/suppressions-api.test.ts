import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostern, type TestPostern } from '../helpers.js';

/** The suppression list API (SPEC §16) and what a listed address means for sends. */
describe('suppressions API', () => {
  let p: TestPostern;
  beforeAll(async () => {
    p = await startPostern('sqlite');
    await p.api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0 });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('adds with a reason (manual by default), normalises the address, and answers the entry', async () => {
    const r = await p.api('POST', '/api/suppressions', { email: ' Someone@EXAMPLE.test ' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      email: 'Someone@example.test',
      reason: 'manual',
      source: 'api',
      createdAt: expect.any(String),
      expiresAt: null,
    });
    const hard = await p.api('POST', '/api/suppressions', { email: 'bounced@example.test', reason: 'hard_bounce' });
    expect(hard.body.expiresAt).not.toBeNull();
  });

  it('refuses bad input with request.invalid', async () => {
    for (const body of [
      { email: 'not an address' },
      { email: 'a@example.test', reason: 'because' },
      { email: 'a@example.test', note: 'x' },
      {},
    ]) {
      const r = await p.api('POST', '/api/suppressions', body);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('request.invalid');
    }
    expect((await p.api('GET', '/api/suppressions?limit=0')).status).toBe(400);
  });

  it('lists newest first with limit, cursor and nextCursor, and searches by part of the address', async () => {
    for (const e of ['l1@list.test', 'l2@list.test', 'l3@list.test'])
      await p.api('POST', '/api/suppressions', { email: e });
    const first = await p.api('GET', '/api/suppressions?email=list.test&limit=2');
    expect(first.body.items.map((i: { email: string }) => i.email)).toEqual(['l3@list.test', 'l2@list.test']);
    const next = await p.api('GET', `/api/suppressions?email=list.test&limit=2&cursor=${first.body.nextCursor}`);
    expect(next.body).toEqual({ items: [expect.objectContaining({ email: 'l1@list.test' })], nextCursor: null });
    expect((await p.api('GET', '/api/suppressions?email=SOMEONE')).body.items).toHaveLength(1);
    expect((await p.api('GET', '/api/suppressions?cursor=garbage')).status).toBe(400);
  });

  it('a management send to a listed address is 422 recipient.suppressed and is logged as suppressed; removing it sends again', async () => {
    const r = await p.api('POST', '/api/verification-codes', { email: 'someone@example.test' });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'recipient.suppressed', details: { reason: 'manual' } });
    const logs = await p.api('GET', '/api/email-logs?to=someone@example.test');
    expect(logs.body.items[0]).toMatchObject({ status: 'suppressed', deliveryStatus: null, events: [] });
    expect((await p.api('DELETE', '/api/suppressions/SOMEONE@example.test')).status).toBe(204);
    expect((await p.api('DELETE', '/api/suppressions/someone@example.test')).body.code).toBe('suppression.not_found');
    expect((await p.api('POST', '/api/verification-codes', { email: 'someone@example.test' })).status).toBe(201);
  });

  it('an organization invitation to a listed address fails with 422 and leaves no invitation', async () => {
    await p.api('POST', '/api/suppressions', { email: 'invitee@example.test', reason: 'complaint' });
    const org = await p.api('POST', '/api/organizations', { name: 'Acme' });
    const inv = await p.api('POST', `/api/organizations/${org.body.id}/invitations`, { email: 'invitee@example.test' });
    expect(inv.body.code).toBe('recipient.suppressed');
    expect((await p.api('GET', `/api/organizations/${org.body.id}/invitations`)).body.items).toEqual([]);
  });

  it('experience flows answer for a listed address as for any other, and the code mail is not captured', async () => {
    await p.api('POST', '/api/suppressions', { email: 'quiet@example.test' });
    await p.api('DELETE', '/api/mailbox');
    for (const intent of ['register', 'sign-in']) {
      const r = await p.app.inject({
        method: 'POST',
        url: '/api/experience/verification-codes',
        payload: { email: 'quiet@example.test', intent },
      });
      expect(r.statusCode).toBe(202);
      expect(Object.keys(JSON.parse(r.body)).sort()).toEqual(['expiresAt', 'resendAfter', 'verificationId']);
    }
    expect((await p.api('GET', '/api/mailbox')).body.items).toEqual([]);
  });

  it('belongs to one tenant', async () => {
    await p.api('POST', '/api/tenants', { id: 'other', name: 'Other' });
    expect((await p.api('GET', '/t/other/api/suppressions')).body.items).toEqual([]);
    expect((await p.api('POST', '/t/other/api/verification-codes', { email: 'quiet@example.test' })).status).toBe(201);
  });
});

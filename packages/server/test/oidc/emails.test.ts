import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers.js';
import { startWorld, type World } from '../identity/setup.js';

// The `application` template variable (SPEC §17): a code request that names the application
// the user came from gets that application's name and logo in its email, in the asked language.
describe.each(DIALECTS)('emails of an OpenID sign-in (%s)', (dialect) => {
  let w: World;
  let appId: string;
  beforeAll(async () => {
    w = await startWorld(dialect);
    const r = await w.p.api('POST', '/api/applications', {
      name: 'Lumen Notes',
      type: 'spa',
      redirectUris: ['https://notes.example.test/cb'],
      logoUrl: 'https://cdn.example.test/lumen.png',
    });
    expect(r.status).toBe(201);
    appId = (r.body as { id: string }).id;
  });
  afterAll(async () => {
    await w?.close();
  });

  it('names the application and shows its logo in the code email, in the language the request asked for', async () => {
    const to = 'reader@example.test';
    const r = await w.pub('POST', '/api/experience/verification-codes', {
      email: to,
      intent: 'register',
      locale: 'th',
      applicationId: appId,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const m = await w.message(to, 1);
    expect(m.parsed.subject).toBe('ยืนยันอีเมลของคุณสำหรับ Lumen Notes');
    expect(m.parsed.html).toContain('https://cdn.example.test/lumen.png');
    expect(m.parsed.text).toContain('Lumen Notes');
  });

  it('keeps the tenant branding when the application id is unknown, and refuses a malformed one', async () => {
    const to = 'other@example.test';
    const r = await w.pub('POST', '/api/experience/verification-codes', {
      email: to,
      intent: 'register',
      applicationId: 'no-such-application',
    });
    expect(r.status).toBe(202);
    const m = await w.message(to, 1);
    expect(m.parsed.subject).not.toContain('Lumen Notes');
    expect(m.parsed.html).not.toContain('lumen.png');
    const bad = await w.pub('POST', '/api/experience/verification-codes', {
      email: to,
      intent: 'register',
      applicationId: 'x'.repeat(101),
    });
    expect([bad.status, bad.body.code]).toEqual([400, 'request.invalid']);
  });
});

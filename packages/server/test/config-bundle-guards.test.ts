import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startPostern, type TestPostern } from './helpers.js';

/** An import is held to the same rules as the endpoints that change each setting; a refused import changes nothing. */
describe.each(DIALECTS)('settings import guards on %s', (dialect) => {
  let p: TestPostern;
  beforeAll(async () => {
    p = await startPostern(dialect);
    await p.api('POST', '/api/tenants', { id: 'dev', name: 'Dev', type: 'development' });
    expect(
      (
        await p.api('PUT', '/t/dev/api/email-templates/en/Generic', {
          subject: 'Code {{code}}',
          html: '<p>{{code}}</p>',
        })
      ).status,
    ).toBe(200);
  });
  afterAll(async () => {
    await p?.close();
  });

  const exported = async () => (await p.api('GET', '/t/dev/api/config/export')).body;
  const snapshot = async () => JSON.stringify({ ...(await exported()), exportedAt: null });
  const importBoth = async (bundle: unknown) => [
    await p.api('POST', '/t/dev/api/config/import', { bundle, dryRun: true }),
    await p.api('POST', '/t/dev/api/config/import', { bundle }),
  ];

  it('answers an invalid template with 422 template.invalid naming it, dry run too, and applies nothing', async () => {
    const before = await snapshot();
    for (const html of [
      '<p>{{#if code}}unclosed</p>',
      '<p>{{> partial}}</p>',
      '<p>{{{code}}}</p>',
      '<p>{{lookup this "constructor"}}</p>',
    ]) {
      const bundle = await exported();
      bundle.branding = { ...bundle.branding, companyName: 'Changed' };
      bundle.templates.push({
        locale: 'de',
        templateType: 'SignIn',
        subject: 'Code',
        html,
        text: null,
        replyTo: null,
        senderName: null,
      });
      for (const r of await importBoth(bundle)) {
        expect(r.status, `${html}: ${JSON.stringify(r.body)}`).toBe(422);
        expect(r.body.code).toBe('template.invalid');
        expect(r.body.details).toMatchObject({ path: 'bundle.templates.1', locale: 'de', templateType: 'SignIn' });
      }
    }
    const badSubject = await exported();
    badSubject.templates[0].subject = '{{#each}}';
    for (const r of await importBoth(badSubject)) expect(r.body.code).toBe('template.invalid');
    expect(await snapshot()).toBe(before);
  });

  it('refuses two templates of the same type and language (language tags case-insensitive)', async () => {
    const before = await snapshot();
    for (const locale of ['en', 'EN']) {
      const bundle = await exported();
      bundle.templates.push({ ...bundle.templates[0], locale, subject: 'Other {{code}}' });
      for (const r of await importBoth(bundle)) {
        expect(r.status, JSON.stringify(r.body)).toBe(400);
        expect(r.body.code).toBe('request.invalid');
        expect(r.body.details.issues).toEqual([
          { path: 'bundle.templates.1', message: expect.stringContaining('bundle.templates.0') },
        ]);
      }
    }
    expect(await snapshot()).toBe(before);
  });

  it('refuses template fields the template API refuses (locale that is no language tag, empty subject)', async () => {
    for (const t of [{ locale: 'en\r\nX' }, { locale: '../en' }, { subject: '' }]) {
      const bundle = await exported();
      bundle.templates[0] = { ...bundle.templates[0], ...t };
      const r = await p.api('POST', '/t/dev/api/config/import', { bundle, dryRun: true });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.code).toBe('request.invalid');
    }
  });

  it('refuses "connector": null like DELETE /api/connectors/:id while sign-in needs email (409 connector.in_use)', async () => {
    const before = await snapshot();
    const connector = (await p.api('GET', '/t/dev/api/connectors')).body.items[0];
    const del = await p.api('DELETE', `/t/dev/api/connectors/${connector.id}`);
    expect(del.status).toBe(409);
    const bundle = { ...(await exported()), connector: null };
    for (const r of await importBoth(bundle)) {
      expect(r.status, JSON.stringify(r.body)).toBe(409);
      expect(r.body.code).toBe('connector.in_use');
      expect(r.body.details.dependents).toEqual(del.body.details.dependents);
    }
    expect(await snapshot()).toBe(before);
    // A bundle whose sign-in needs no email may remove the connector.
    const noEmail = {
      ...bundle,
      signInExperience: {
        ...bundle.signInExperience,
        signUp: { enabled: false, identifiers: [], password: true },
        signIn: { methods: [{ identifier: 'email', password: true, verificationCode: false }] },
        forgotPassword: { email: false },
        mfa: { factors: [], policy: 'off' },
      },
    };
    const dry = await p.api('POST', '/t/dev/api/config/import', { bundle: noEmail, dryRun: true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.changes).toContainEqual(expect.objectContaining({ path: 'connector.factoryId', action: 'remove' }));
  });

  it('refuses a sign-in experience without a sign-in method, like its PATCH', async () => {
    const bundle = await exported();
    bundle.signInExperience.signIn.methods = [{ identifier: 'email', password: false, verificationCode: false }];
    for (const r of await importBoth(bundle)) {
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('sign_in_experience.no_sign_in_method');
    }
  });

  it('checks test addresses like the policy PATCH: control characters are refused, addresses normalised', async () => {
    const bundle = await exported();
    bundle.codePolicy.testAddresses = [{ email: 'qa\u0000@example.test', code: '123456' }];
    for (const r of await importBoth(bundle)) {
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.details.issues[0].path).toBe('bundle.codePolicy.testAddresses.0.email');
    }
    bundle.codePolicy.testAddresses = [{ email: 'QA@Example.TEST', code: '12' }];
    expect(
      (await p.api('POST', '/t/dev/api/config/import', { bundle, dryRun: true })).body.details.issues[0].path,
    ).toBe('bundle.codePolicy.testAddresses.0.code');
    bundle.codePolicy.testAddresses = [{ email: 'QA@Example.TEST', code: '123456' }];
    expect((await p.api('POST', '/t/dev/api/config/import', { bundle })).status).toBe(200);
    expect((await p.api('GET', '/t/dev/api/verification-code-policy')).body.testAddresses).toEqual([
      { email: 'QA@example.test', code: '123456' },
    ]);
  });
});

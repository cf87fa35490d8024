import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookPeer, type WebhookPeer } from '../src/testing/peers/webhook.js';
import { DIALECTS, startPostern, type TestPostern } from './helpers.js';

const AUTH = 'Bearer dev-receiver-secret-0001';

describe.each(DIALECTS)('moving settings from development to production on %s', (dialect) => {
  let p: TestPostern;
  let peer: WebhookPeer;
  beforeAll(async () => {
    p = await startPostern(dialect, { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' });
    peer = await startWebhookPeer({ authorization: AUTH });
    await p.api('POST', '/api/tenants', { id: 'dev', name: 'Dev', type: 'development' });
    await p.api('POST', '/api/tenants', { id: 'prod', name: 'Prod', type: 'production' });
    await p.api('PUT', '/t/dev/api/connectors/email', { factoryId: 'http', config: { endpoint: peer.url, authorization: AUTH } });
    await p.api('PUT', '/t/dev/api/email-templates/en/Generic', { subject: 'Acme code {{code}}', html: '<p>Acme: {{code}}</p>' });
    await p.api('PATCH', '/t/dev/api/branding', { companyName: 'Acme' });
    await p.api('PATCH', '/t/dev/api/sign-in-experience', { passwordPolicy: { minLength: 12 } });
    await p.api('PATCH', '/t/dev/api/verification-code-policy', { length: 8, testAddresses: [{ email: 'qa@acme.test', code: '12345678' }] });
  });
  afterAll(async () => {
    await p?.close();
    await peer?.close();
  });

  it('exports a versioned bundle without secrets by default; secrets only for a system key', async () => {
    const r = await p.api('GET', '/t/dev/api/config/export');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ version: 1, tenant: { id: 'dev', type: 'development' }, connector: { factoryId: 'http', config: { endpoint: peer.url } }, branding: { companyName: 'Acme' } });
    expect(r.body.connector.config.authorization).toBeUndefined();
    expect(JSON.stringify(r.body)).not.toContain('dev-receiver-secret');
    expect(r.body.templates).toEqual([expect.objectContaining({ locale: 'en', templateType: 'Generic', subject: 'Acme code {{code}}' })]);
    const withSecrets = await p.api('GET', '/t/dev/api/config/export?includeSecrets=true');
    expect(withSecrets.body.connector.config.authorization).toBe(AUTH);
    const key = (await p.api('POST', '/t/dev/api/admin-keys', { name: 'dev' })).body.key;
    expect((await p.api('GET', '/t/dev/api/config/export?includeSecrets=true', undefined, { authorization: `Bearer ${key}` })).status).toBe(403);
  });

  it('dry-runs, refuses a missing secret by name, then applies in one go; the next send from production works', async () => {
    const bundle = (await p.api('GET', '/t/dev/api/config/export')).body;
    const missing = await p.api('POST', '/t/prod/api/config/import', { bundle, dryRun: true });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('authorization');

    const dry = await p.api('POST', '/t/prod/api/config/import', { bundle, secrets: { authorization: AUTH }, dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.applied).toBe(false);
    // Each change names its field with the value before and after; a secret only says what becomes of it.
    expect(dry.body.changes).toEqual(expect.arrayContaining([
      { path: 'connector.factoryId', action: 'update', before: 'builtin', after: 'http' },
      { path: 'connector.config.endpoint', action: 'add', after: peer.url },
      { path: 'connector.config.authorization', action: 'add', secret: 'added' },
      { path: 'templates.en/Generic', action: 'add', after: { subject: 'Acme code {{code}}', html: '<p>Acme: {{code}}</p>', text: null, replyTo: null, senderName: null } },
      { path: 'branding.companyName', action: 'add', after: 'Acme' },
      { path: 'signInExperience.passwordPolicy.minLength', action: 'update', before: expect.any(Number), after: 12 },
      { path: 'codePolicy.length', action: 'update', before: 6, after: 8 },
    ]));
    expect(dry.body.secrets).toEqual([{ path: 'connector.config.authorization', outcome: 'added' }]);
    expect(JSON.stringify(dry.body)).not.toContain('dev-receiver-secret');
    expect((await p.api('GET', '/t/prod/api/connectors')).body.items[0].factoryId).toBe('builtin');
    expect((await p.api('GET', '/t/prod/api/branding')).body).toEqual({});

    const done = await p.api('POST', '/t/prod/api/config/import', { bundle, secrets: { authorization: AUTH } });
    expect(done.body.applied).toBe(true);
    expect((await p.api('GET', '/t/prod/api/verification-code-policy')).body).toMatchObject({ length: 8, testAddresses: [] });
    const before = peer.received.length;
    const sent = await p.api('POST', '/t/prod/api/verification-codes', { email: 'user@acme.test' });
    expect(sent.status).toBe(201);
    const got = peer.received.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]!.headers.authorization).toBe(AUTH);
    expect((got[0]!.body as { subject: string }).subject).toMatch(/^Acme code \d{8}$/);
    expect((got[0]!.body as { tenantId: string }).tenantId).toBe('prod');

    const again = await p.api('POST', '/t/prod/api/config/import', { bundle });
    expect(again.body).toEqual({ changes: [], secrets: [{ path: 'connector.config.authorization', outcome: 'kept' }], applied: false });
  });

  it('previews a template edit by the fields that differ, and a secret replaced without its value', async () => {
    const bundle = (await p.api('GET', '/t/prod/api/config/export')).body;
    bundle.templates[0].subject = 'Acme sign-in {{code}}';
    const dry = await p.api('POST', '/t/prod/api/config/import', { bundle, secrets: { authorization: 'Bearer another-receiver-secret' }, dryRun: true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.changes).toEqual([
      { path: 'connector.config.authorization', action: 'update', secret: 'replaced' },
      { path: 'templates.en/Generic', action: 'update', before: { subject: 'Acme code {{code}}' }, after: { subject: 'Acme sign-in {{code}}' } },
    ]);
    expect(dry.body.secrets).toEqual([{ path: 'connector.config.authorization', outcome: 'replaced' }]);
    expect(JSON.stringify(dry.body)).not.toMatch(/receiver-secret/);
  });

  it('imports a bundle exported before maxFailedPasswordsPerIpPerHour existed, with its default', async () => {
    await p.api('POST', '/api/tenants', { id: 'older', name: 'Older', type: 'production' });
    const bundle = (await p.api('GET', '/t/prod/api/config/export?includeSecrets=true')).body;
    delete bundle.codePolicy.maxFailedPasswordsPerIpPerHour;
    const r = await p.api('POST', '/t/older/api/config/import', { bundle });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await p.api('GET', '/t/older/api/verification-code-policy')).body.maxFailedPasswordsPerIpPerHour).toBe(30);
  });

  it('refuses a bundle that is not one', async () => {
    const r = await p.api('POST', '/t/prod/api/config/import', { bundle: { version: 2 } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('request.invalid');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookPeer, type WebhookPeer } from '../src/testing/peers/webhook.js';
import { DIALECTS, startPostern, type TestPostern } from './helpers.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
const AUTH = 'Bearer receiver-token-abcdef123456';

describe.each(DIALECTS)('connectors API on %s', (dialect) => {
  let p: TestPostern;
  let peer: WebhookPeer;
  beforeAll(async () => {
    p = await startPostern(dialect, { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' }, { deliveryRules: { baseBackoffMs: 10 } });
    peer = await startWebhookPeer({ secret: SECRET, authorization: AUTH });
  });
  afterAll(async () => {
    await p?.close();
    await peer?.close();
  });
  const httpConfig = () => ({ endpoint: peer.url, authorization: AUTH, signingSecret: SECRET });

  it('lists factories with JSON Schema, README and logo; secrets are writeOnly', async () => {
    const r = await p.api('GET', '/api/connector-factories');
    expect(r.status).toBe(200);
    const ids = r.body.map((f: { id: string }) => f.id);
    expect(ids).toEqual(expect.arrayContaining(['builtin', 'smtp', 'http']));
    const http = (await p.api('GET', '/api/connector-factories/http')).body;
    expect(http.configSchema.type).toBe('object');
    expect(http.configSchema.properties.signingSecret.writeOnly).toBe(true);
    expect(http.readme).toMatch(/^#/);
    expect(http.logo).toMatch(/^<svg/);
    expect((await p.api('GET', '/api/connector-factories/nope')).body.code).toBe('connector.factory_not_found');
  });

  it('starts every tenant on the built-in service, whose test send lands in the mailbox', async () => {
    const list = await p.api('GET', '/api/connectors');
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ factoryId: 'builtin', type: 'email' });
    const test = await p.api('POST', '/api/connectors/test', { factoryId: 'builtin', config: {}, to: 'new.user@example.test' });
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ ok: true, attempts: 1 });
    const box = await p.api('GET', '/api/mailbox');
    const item = box.body.items.find((m: { to: string }) => m.to === 'new.user@example.test');
    expect(item).toBeDefined();
    const full = await p.api('GET', `/api/mailbox/${item.id}`);
    expect(full.body.text).toContain('000000');
    const logs = await p.api('GET', '/api/email-logs?to=new.user@example.test');
    expect(logs.body.items[0]).toMatchObject({ status: 'captured', factoryId: 'builtin', templateType: 'Generic', attempts: 1 });
    expect(logs.body.items[0].subject).not.toContain('000000');
  });

  it('refuses a second connector with POST, validates config, and replaces with PUT', async () => {
    expect((await p.api('POST', '/api/connectors', { factoryId: 'http', config: httpConfig() })).body.code).toBe('connector.already_exists');
    const bad = await p.api('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: 'not a url', fromEmial: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('connector.bad_config');
    expect(bad.body.details.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['config.endpoint', 'config.fromEmial']));
    const put = await p.api('PUT', '/api/connectors/email', { factoryId: 'http', config: httpConfig() });
    expect(put.status).toBe(200);
    expect(put.body.factoryId).toBe('http');
    expect(put.body.config.signingSecret).toMatch(/^••••/);
    expect(put.body.config.authorization).toBe('••••' + AUTH.slice(-4));
    expect(JSON.stringify(put.body)).not.toContain(SECRET);
    const list = await p.api('GET', '/api/connectors');
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].id).toBe(put.body.id);
  });

  it('stores secrets encrypted: the database row holds no plaintext secret', async () => {
    const rows = await p.services.db.kysely.selectFrom('connectors').selectAll().execute();
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(SECRET.slice(6));
    expect(dump).not.toContain('receiver-token');
    expect(dump).toContain(peer.url);
  });

  it('keeps the stored secret when a masked value is sent back (PATCH), and merges', async () => {
    const [c] = (await p.api('GET', '/api/connectors')).body.items;
    const patched = await p.api('PATCH', `/api/connectors/${c.id}`, { config: { ...c.config, timeoutMs: 5000 } });
    expect(patched.status).toBe(200);
    expect(patched.body.config.timeoutMs).toBe(5000);
    const stored = await p.services.stores.connectors.get('default', c.id);
    expect(stored?.config.signingSecret).toBe(SECRET);
    expect(stored?.config.authorization).toBe(AUTH);
    const removed = await p.api('PATCH', `/api/connectors/${c.id}`, { config: { authorization: null } });
    expect(removed.body.config.authorization).toBeUndefined();
    await p.api('PATCH', `/api/connectors/${c.id}`, { config: { authorization: AUTH } });
  });

  it('test-sends an unsaved config, filling masked secrets from the saved connector', async () => {
    const before = peer.received.length;
    const [c] = (await p.api('GET', '/api/connectors')).body.items;
    const r = await p.api('POST', '/api/connectors/test', { factoryId: 'http', config: c.config, to: 'tester@example.test', templateType: 'SignIn' });
    expect(r.status).toBe(200);
    expect(r.body.ok).toBe(true);
    const got = peer.received.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]!.verified).toBe(true);
    expect(got[0]!.headers.authorization).toBe(AUTH);
    expect(got[0]!.body).toMatchObject({ to: 'tester@example.test', type: 'SignIn', tenantId: 'default', payload: { code: '000000' } });
  });

  it('reports the connector error of a failing test send, with attempts', async () => {
    const wrong = await p.api('POST', '/api/connectors/test', { factoryId: 'http', config: { endpoint: peer.url, authorization: 'Bearer wrong-token-zzzz' }, to: 'x@example.test' });
    expect(wrong.status).toBe(502);
    expect(wrong.body.code).toBe('connector.auth_failed');
    expect(wrong.body.details.attempts).toBe(1);
    expect(JSON.stringify(wrong.body)).not.toContain('wrong-token');
    const blocked = await p.api('POST', '/api/connectors/test', { factoryId: 'http', config: { endpoint: 'http://169.254.169.254/latest' }, to: 'x@example.test' });
    expect(blocked.status).toBe(422);
    expect(blocked.body.code).toBe('connector.destination_blocked');
    const logs = await p.api('GET', '/api/email-logs?status=failed');
    expect(logs.body.items.length).toBeGreaterThanOrEqual(2);
    expect(logs.body.items[0].error.code).toEqual(expect.stringMatching(/^connector\./));
  });

  it('guards delete with the sign-in settings that need email; force deletes with warnings', async () => {
    const [c] = (await p.api('GET', '/api/connectors')).body.items;
    const refused = await p.api('DELETE', `/api/connectors/${c.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('connector.in_use');
    expect(refused.body.details.dependents).toEqual(['signUp.email', 'signIn.emailVerificationCode', 'forgotPassword.email', 'mfa.email']);
    const forced = await p.api('DELETE', `/api/connectors/${c.id}?force=true`);
    expect(forced.status).toBe(200);
    expect(forced.body).toEqual({ deleted: true, warnings: ['signUp.email', 'signIn.emailVerificationCode', 'forgotPassword.email', 'mfa.email'] });
    expect((await p.api('GET', '/api/connectors')).body.items).toEqual([]);
    expect((await p.api('GET', `/api/connectors/${c.id}`)).body.code).toBe('connector.not_found');
  });

  it('refuses sign-in settings that need email while there is no connector', async () => {
    const r = await p.api('PATCH', '/api/sign-in-experience', { forgotPassword: { email: true } });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('sign_in_experience.email_connector_required');
    const none = await p.api('PATCH', '/api/sign-in-experience', { signIn: { methods: [{ identifier: 'email', password: false, verificationCode: false }] } });
    expect(none.body.code).toBe('sign_in_experience.no_sign_in_method');
    const off = await p.api('PATCH', '/api/sign-in-experience', {
      signUp: { enabled: false },
      signIn: { methods: [{ identifier: 'email', password: true, verificationCode: false }] },
      forgotPassword: { email: false },
      mfa: { policy: 'off' },
    });
    expect(off.status).toBe(200);
    expect(off.body.signUp.enabled).toBe(false);
    const created = await p.api('POST', '/api/connectors', { factoryId: 'builtin', config: { senderName: 'Acme' } });
    expect(created.status).toBe(201);
    const on = await p.api('PATCH', '/api/sign-in-experience', { signUp: { enabled: true }, forgotPassword: { email: true } });
    expect(on.status).toBe(200);
    expect((await p.api('PATCH', '/api/sign-in-experience', { signUp: { enabeld: true } })).body.code).toBe('request.invalid');
  });
});

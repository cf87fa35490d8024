import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startPostern, type TestPostern } from './helpers.js';

const AUTH = 'Bearer fallback-receiver-secret-0002';

describe.each(DIALECTS)('the fallback connector in settings bundles on %s (SPEC §13, §15)', (dialect) => {
  let p: TestPostern;
  beforeAll(async () => {
    p = await startPostern(dialect, {}, { housekeeping: false, outboxWorker: false });
    await p.api('POST', '/api/tenants', { id: 'fdev', name: 'Dev', type: 'development' });
    await p.api('POST', '/api/tenants', { id: 'fprod', name: 'Prod', type: 'production' });
    await p.api('PUT', '/t/fdev/api/connectors/email', {
      factoryId: 'http',
      config: { endpoint: 'https://primary.example.com/hook' },
    });
    expect(
      (
        await p.api('PUT', '/t/fdev/api/connectors/email/fallback', {
          factoryId: 'http',
          config: { endpoint: 'https://fallback.example.com/hook', authorization: AUTH },
        })
      ).status,
    ).toBe(200);
  });
  afterAll(async () => {
    await p?.close();
  });

  it('exports it without its secrets, and imports it with the secret given as fallbackConnector.<field>', async () => {
    const bundle = (await p.api('GET', '/t/fdev/api/config/export')).body;
    expect(bundle.fallbackConnector).toEqual({
      factoryId: 'http',
      config: { endpoint: 'https://fallback.example.com/hook', timeoutMs: expect.any(Number) },
      omittedSecrets: ['authorization'],
    });
    expect(JSON.stringify(bundle)).not.toContain('fallback-receiver-secret');

    const missing = await p.api('POST', '/t/fprod/api/config/import', { bundle, dryRun: true });
    expect(missing.status).toBe(400);
    expect(missing.body.details.issues).toEqual([
      { path: 'secrets.fallbackConnector.authorization', message: 'required' },
    ]);
    expect((await p.api('GET', '/t/fprod/api/connectors/email/fallback')).status).toBe(404);

    const r = await p.api('POST', '/t/fprod/api/config/import', {
      bundle,
      secrets: { 'fallbackConnector.authorization': AUTH },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.changes).toEqual(expect.arrayContaining([
      { path: 'fallbackConnector.factoryId', action: 'add', after: 'http' },
      { path: 'fallbackConnector.config.endpoint', action: 'add', after: 'https://fallback.example.com/hook' },
      { path: 'fallbackConnector.config.authorization', action: 'add', secret: 'added' },
    ]));
    const fb = await p.api('GET', '/t/fprod/api/connectors/email/fallback');
    expect(fb.body).toMatchObject({
      factoryId: 'http',
      role: 'fallback',
      config: { endpoint: 'https://fallback.example.com/hook', authorization: '••••0002' },
    });
  });

  it('a bundle without the key leaves the fallback alone; null removes it', async () => {
    const bundle = (await p.api('GET', '/t/fprod/api/config/export?includeSecrets=true')).body;
    const { fallbackConnector: _fb, ...older } = bundle;
    const same = await p.api('POST', '/t/fprod/api/config/import', { bundle: older });
    expect(same.body.changes).toEqual([]);
    expect((await p.api('GET', '/t/fprod/api/connectors/email/fallback')).status).toBe(200);
    const removed = await p.api('POST', '/t/fprod/api/config/import', {
      bundle: { ...bundle, fallbackConnector: null },
    });
    expect(removed.body.changes).toEqual(expect.arrayContaining([
      { path: 'fallbackConnector.factoryId', action: 'remove', before: 'http' },
      { path: 'fallbackConnector.config.authorization', action: 'remove', secret: 'removed' },
    ]));
    expect(removed.body.secrets).toContainEqual({ path: 'fallbackConnector.config.authorization', outcome: 'removed' });
    expect(JSON.stringify(removed.body)).not.toContain(AUTH);
    expect((await p.api('GET', '/t/fprod/api/connectors/email/fallback')).status).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostern, type TestPostern } from './helpers.js';

/** Issue 14 item 9: a body nested 10,000 deep is a 400 on every route, never a 500. */
describe('JSON body depth', () => {
  let p: TestPostern;
  beforeAll(async () => {
    p = await startPostern('sqlite', {}, { housekeeping: false });
  });
  afterAll(async () => {
    await p?.close();
  });

  const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
  /** A body that is a merge patch with a deep value under a field the route knows. */
  const under = (field: string, n: number) => `{"${field}":${deepObject(n)}}`;

  const ROUTES: Array<[string, string, string]> = [
    ['PATCH', '/api/sign-in-experience', under('signUp', 10_000)],
    ['PATCH', '/api/branding', under('companyName', 10_000)],
    ['PATCH', '/api/verification-code-policy', under('lockout', 10_000)],
    ['PATCH', '/api/connectors/builtin', under('config', 10_000)],
    ['POST', '/api/config/import', under('bundle', 10_000)],
    ['POST', '/api/verification-codes', under('payload', 10_000)],
    ['POST', '/api/email-templates/preview', under('variables', 10_000)],
    ['PUT', '/api/email-templates/en/Generic', deepArray(10_000)],
    ['POST', '/api/tenants', deepObject(10_000)],
    ['POST', '/api/admin-keys', deepObject(10_000)],
    ['POST', '/api/experience/sign-in/password', deepObject(10_000)],
    ['POST', '/api/no-such-route', deepArray(10_000)],
  ];

  it.each(ROUTES)('%s %s with a body 10,000 deep is 400 request.invalid', async (method, url, payload) => {
    const res = await p.app.inject({
      method: method as 'POST',
      url,
      payload,
      headers: { authorization: `Bearer ${p.adminKey}`, 'content-type': 'application/json' },
    });
    const body = JSON.parse(res.body) as { code: string; details: { issues?: Array<{ path: string }> } };
    if (url === '/api/no-such-route') {
      expect(res.statusCode).not.toBe(500);
      return;
    }
    expect(res.statusCode, res.body).toBe(400);
    expect(body.code).toBe('request.invalid');
    expect(body.details.issues?.[0]?.path).toBe('body');
  });

  it('also without an admin key, and with a charset parameter', async () => {
    const res = await p.app.inject({
      method: 'PATCH',
      url: '/api/branding',
      payload: under('companyName', 10_000),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(res.statusCode).not.toBe(500);
    expect([400, 401]).toContain(res.statusCode);
  });

  it('accepts 64 levels and refuses 65, counting nesting in strings as text', async () => {
    // 64 levels reach the route's own schema (which refuses the made-up field), 65 do not.
    const at64 = await p.api('PATCH', '/api/branding', under('companyName', 63));
    expect(at64.status).toBe(400);
    expect(at64.body.details.issues[0].path).not.toBe('body');
    const at65 = await p.api('PATCH', '/api/branding', under('companyName', 64));
    expect(at65.body.details.issues[0].path).toBe('body');
    const inString = await p.api('PATCH', '/api/branding', { companyName: '{'.repeat(100) + '\\"[' + '['.repeat(90) });
    expect(inString.status, JSON.stringify(inString.body)).toBe(200);
  });

  it('keeps refusing prototype poisoning and malformed JSON as before', async () => {
    expect((await p.api('PATCH', '/api/branding', '{"__proto__":{"x":1}}')).body.code).toBe('request.invalid');
    expect((await p.api('PATCH', '/api/branding', '{"companyName":')).body.code).toBe('request.invalid');
    expect((await p.api('PATCH', '/api/branding', '')).status).toBe(400);
  });

  it('a bundle nested too deeply is refused by the import service itself (the CLI path)', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const tenant = (await p.services.tenants.get('default'))!;
    await expect(p.services.bundles.import(tenant, { bundle: { version: 1, branding: deep } })).rejects.toMatchObject({
      code: 'request.invalid',
    });
  });
});

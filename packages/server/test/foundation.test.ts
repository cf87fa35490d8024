import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startPostern, type TestPostern } from './helpers.js';

describe.each(DIALECTS)('foundation API on %s', (dialect) => {
  let p: TestPostern;
  beforeAll(async () => {
    p = await startPostern(dialect);
  });
  afterAll(async () => {
    await p?.close();
  });

  it('answers health and readiness without a key', async () => {
    expect((await p.api('GET', '/healthz', undefined, { authorization: '' })).body).toEqual({ status: 'ok' });
    expect((await p.api('GET', '/readyz', undefined, { authorization: '' })).body).toEqual({ status: 'ok' });
  });

  it('serves the OpenAPI document and the docs page', async () => {
    const doc = await p.api('GET', '/api/openapi.json', undefined, { authorization: '' });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/tenants', '/api/admin-keys', '/api/connectors', '/api/connectors/email']));
    const docs = await p.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('refuses management calls without a valid key', async () => {
    const none = await p.api('GET', '/api/connectors', undefined, { authorization: '' });
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('auth.unauthorized');
    const wrong = await p.api('GET', '/api/connectors', undefined, { authorization: 'Bearer nope-nope-nope-nope-nope' });
    expect(wrong.status).toBe(401);
    const malformed = await p.api('GET', '/api/connectors', undefined, { authorization: 'Basic abc' });
    expect(malformed.status).toBe(401);
  });

  it('creates tenants with the system key, served under /t/T/, with tenant-bound keys', async () => {
    const created = await p.api('POST', '/api/tenants', { id: 'acme-dev', name: 'Acme (dev)', type: 'development' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'acme-dev', name: 'Acme (dev)', type: 'development' });
    expect((await p.api('POST', '/api/tenants', { id: 'acme-dev', name: 'again' })).body.code).toBe('tenant.already_exists');

    const key = await p.api('POST', '/t/acme-dev/api/admin-keys', { name: 'ci' });
    expect(key.status).toBe(201);
    expect(key.body).toMatchObject({ name: 'ci', tenantId: 'acme-dev' });
    expect(key.body.key).toMatch(/^pk_/);
    const tenantKey = { authorization: `Bearer ${key.body.key}` };

    expect((await p.api('GET', '/t/acme-dev/api/connectors', undefined, tenantKey)).status).toBe(200);
    const other = await p.api('GET', '/api/connectors', undefined, tenantKey);
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('auth.forbidden');
    expect((await p.api('GET', '/api/tenants', undefined, tenantKey)).status).toBe(403);

    const listed = await p.api('GET', '/t/acme-dev/api/admin-keys');
    expect(listed.body.items.map((k: { id: string }) => k.id)).toContain(key.body.id);
    expect(JSON.stringify(listed.body)).not.toContain(key.body.key);

    expect((await p.api('DELETE', `/t/acme-dev/api/admin-keys/${key.body.id}`)).status).toBe(204);
    expect((await p.api('GET', '/t/acme-dev/api/connectors', undefined, tenantKey)).status).toBe(401);
    expect((await p.api('GET', '/t/no-such/api/connectors')).body.code).toBe('tenant.not_found');
  });

  it('pages lists with limit and cursor', async () => {
    for (const i of [1, 2, 3]) await p.api('POST', '/api/tenants', { id: `page-${i}`, name: `Page ${i}` });
    const first = await p.api('GET', '/api/tenants?limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await p.api('GET', `/api/tenants?limit=2&cursor=${first.body.nextCursor}`);
    const ids = [...first.body.items, ...second.body.items].map((t: { id: string }) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const bad of ['0', '201', 'abc', '-1', '1.5']) {
      const r = await p.api('GET', `/api/tenants?limit=${bad}`);
      expect(r.status, `limit=${bad}`).toBe(400);
      expect(r.body.code).toBe('request.invalid');
    }
    expect((await p.api('GET', '/api/tenants?cursor=garbage!')).body.code).toBe('request.invalid');
  });

  it('answers bad input with request.invalid and the failing fields', async () => {
    const unknown = await p.api('POST', '/api/tenants', { id: 'x1', name: 'X', tpye: 'development' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('request.invalid');
    expect(unknown.body.details.issues).toEqual([expect.objectContaining({ path: 'body.tpye' })]);
    const wrongType = await p.api('POST', '/api/tenants', { id: 'x1', name: 5 });
    expect(wrongType.body.details.issues[0].path).toBe('body.name');
    expect((await p.api('POST', '/api/tenants', '{"id": ')).body.code).toBe('request.invalid');
    expect((await p.api('POST', '/api/tenants', '')).status).toBe(400);
    const proto = await p.api('POST', '/api/tenants', '{"__proto__": {"x": 1}, "id": "p", "name": "p"}');
    expect(proto.status).toBe(400);
    const big = await p.api('POST', '/api/tenants', JSON.stringify({ id: 'big', name: 'x'.repeat(1024 * 1024 + 10) }));
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('request.too_large');
    const notFound = await p.api('GET', '/api/nothing-here');
    expect(notFound.status).toBe(404);
    expect(notFound.body.code).toBe('request.not_found');
  });

  it('serves Prometheus metrics', async () => {
    const r = await p.app.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('postern_http_requests_total');
  });
});

describe('metrics token', () => {
  it('requires the bearer token when POSTERN_METRICS_TOKEN is set', async () => {
    const p = await startPostern('sqlite', { POSTERN_METRICS_TOKEN: 'metrics-secret-token' });
    try {
      expect((await p.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      expect((await p.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-secret-token' } })).statusCode).toBe(200);
    } finally {
      await p.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostern, type TestPostern } from './helpers.js';

/**
 * Walks every route in the OpenAPI document and throws malformed bodies, path parameters,
 * query strings and headers at each: nothing may answer 5xx or show a stack trace.
 */
const BODIES: Array<[string, string | undefined, string]> = [
  ['malformed JSON', '{"a":', 'application/json'],
  ['array', '[1,2,3]', 'application/json'],
  ['null', 'null', 'application/json'],
  ['string', '"hello"', 'application/json'],
  ['number', '1e999', 'application/json'],
  ['proto pollution', '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}', 'application/json'],
  ['wrong types', JSON.stringify({ id: 1, name: [], email: {}, config: 'x', factoryId: null, to: 5, locale: true, code: {}, limit: 'x' }), 'application/json'],
  ['deep nesting', '{"a":'.repeat(2000) + '1' + '}'.repeat(2000), 'application/json'],
  ['CRLF strings', JSON.stringify({ id: 'a\r\nb', name: 'x\r\nBcc: e@vil', email: 'a@b.test\r\nBcc: e@vil.test', to: 'x\n@y', config: { host: '\u0000' } }), 'application/json'],
  ['huge string', JSON.stringify({ name: 'x'.repeat(200_000), config: { a: 'y'.repeat(200_000) } }), 'application/json'],
  ['form body', 'a=1&b=2', 'application/x-www-form-urlencoded'],
  ['text body', 'hello', 'text/plain'],
  ['no body', undefined, 'application/json'],
  ['binary', '\u0000\u0001\u0002\uFFFF', 'application/octet-stream'],
];
const PARAMS = ['x', '..%2F..%2Fetc', '%00', 'a'.repeat(300), "'%20or%201=1--", '%E2%80%AE', '00000000-0000-0000-0000-000000000000'];
const QUERIES = ['', '?limit=abc', '?limit=0', '?limit=999999999999999999999', '?cursor=%00%FF', '?force=maybe', '?status=nope&to=%0d%0a', '?a[b]=1&a[c]=2'];

describe('every route survives hostile input', () => {
  let p: TestPostern;
  let routes: Array<{ method: string; path: string }>;
  beforeAll(async () => {
    p = await startPostern('sqlite');
    const doc = (await p.api('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })));
  });
  afterAll(async () => {
    await p?.close();
  });

  const check = (label: string, res: { statusCode: number; body: string }) => {
    expect(res.statusCode, label).toBeLessThan(500);
    expect(res.body, label).not.toMatch(/\bat .+\.(ts|js):\d+/);
    if (res.statusCode >= 400 && res.body) {
      const body = JSON.parse(res.body) as { code?: unknown; message?: unknown };
      expect(typeof body.code, label).toBe('string');
      expect(typeof body.message, label).toBe('string');
    }
  };

  it('lists a good number of routes', () => {
    expect(routes.length).toBeGreaterThan(15);
  });

  it('survives malformed bodies, parameters, queries and headers on every route', async () => {
    for (const { method, path } of routes) {
      const paths = PARAMS.map((v) => path.replace(/\{[^}]+\}/g, v));
      for (const prefix of ['', '/t/default', '/t/NOT_VALID', '/t/missing']) {
        for (const url of paths.slice(0, prefix ? 1 : paths.length)) {
          for (const q of prefix ? [''] : QUERIES) {
            for (const [name, payload, type] of method === 'GET' || method === 'DELETE' ? BODIES.slice(12, 13) : BODIES) {
              for (const auth of [`Bearer ${p.adminKey}`, 'Bearer \u0000\u0001', undefined]) {
                const res = await p.app.inject({
                  method: method as never,
                  url: `${prefix}${url}${q}`,
                  headers: { ...(auth ? { authorization: auth } : {}), 'content-type': type, 'accept-language': '\u0000;q=abc,,,' },
                  ...(payload !== undefined ? { payload } : {}),
                });
                check(`${method} ${prefix}${url}${q} [${name}] auth=${auth ? 'yes' : 'no'}`, res);
              }
            }
          }
        }
      }
    }
  }, 300_000);
});

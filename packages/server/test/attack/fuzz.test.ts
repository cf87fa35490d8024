import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startPostern, type TestPostern } from '../helpers.js';

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; enum?: unknown[]; anyOf?: Schema[]; oneOf?: Schema[] };

const garbage: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.constantFrom('x'.repeat(20_000), '\r\nBcc: a@evil.test', '{{constructor}}', '__proto__', '-1', '1e309', '\u202e', ''),
    fc.integer(),
    fc.double(),
    fc.constantFrom(null, true, false, Number.MAX_SAFE_INTEGER, -0),
    fc.array(tie('any'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'a', 'email', 'config'), tie('any'), { maxKeys: 3 }),
  ),
})).any;

/** A body that follows the schema's shape, with any field swapped for garbage. */
function fromSchema(s: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!s || depth > 3) return garbage;
  const alts = s.anyOf ?? s.oneOf;
  if (alts?.length) return fc.oneof(...alts.map((a) => fromSchema(a, depth + 1)));
  if (s.enum?.length) return fc.oneof(fc.constantFrom(...s.enum), garbage);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === 'object' && s.properties) {
    const shape = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, fromSchema(v, depth + 1)]));
    return fc.oneof({ weight: 4, arbitrary: fc.record(shape, { requiredKeys: [] }) }, { weight: 1, arbitrary: garbage });
  }
  if (type === 'array') return fc.oneof(fc.array(fromSchema(s.items, depth + 1), { maxLength: 4 }), garbage);
  if (type === 'string') return fc.oneof(fc.string({ maxLength: 40 }), fc.emailAddress(), garbage);
  if (type === 'integer' || type === 'number') return fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), garbage);
  if (type === 'boolean') return fc.oneof(fc.boolean(), garbage);
  return garbage;
}

/** Bodies generated from each route's JSON Schema: no 5xx, no stack trace, errors in the SPEC's shape. */
describe('schema-driven fuzz of every route', () => {
  let p: TestPostern;
  let routes: Array<{ method: string; path: string; schema: Schema | undefined }>;
  beforeAll(async () => {
    p = await startPostern('sqlite', {}, { housekeeping: false, deliveryRules: { attemptTimeoutMs: 300, totalBudgetMs: 600, baseBackoffMs: 10 } });
    const doc = (await p.api('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>> };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([m]) => ['post', 'put', 'patch', 'delete'].includes(m))
        .map(([m, op]) => ({ method: m.toUpperCase(), path, schema: op.requestBody?.content?.['application/json']?.schema })),
    );
  });
  afterAll(async () => {
    await p?.close();
  });

  it('answers every generated body without a 5xx or a stack trace', async () => {
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) {
      const url = r.path.replace(/\{[^}]+\}/g, 'fuzz');
      await fc.assert(
        fc.asyncProperty(fromSchema(r.schema), fc.boolean(), async (body, authed) => {
          const res = await p.app.inject({
            method: r.method as never,
            url,
            headers: { 'content-type': 'application/json', ...(authed ? { authorization: `Bearer ${p.adminKey}` } : {}) },
            payload: JSON.stringify(body) ?? 'null',
          });
          const label = `${r.method} ${url} ${JSON.stringify(body)?.slice(0, 200)}`;
          expect(res.statusCode, `${label} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
          expect(res.body, label).not.toMatch(/\bat .+\.(ts|js):\d+/);
          if (res.statusCode >= 400 && res.body) {
            const b = JSON.parse(res.body) as { code?: unknown; message?: unknown };
            expect(typeof b.code, label).toBe('string');
            expect(typeof b.message, label).toBe('string');
          }
        }),
        { numRuns: 25, seed: 7 },
      );
    }
  }, 120_000);
});

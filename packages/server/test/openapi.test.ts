import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostern, type TestPostern } from './helpers.js';

/**
 * The OpenAPI document names every operation: generated clients (packages/client) take
 * their method names from `operationId`, so each one must be present, unique and stable.
 */
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

describe('OpenAPI operationIds', () => {
  let p: TestPostern;
  let ops: Array<{ op: string; operationId: unknown }>;
  let doc: {
    paths: Record<string, Record<string, { operationId?: unknown }>>;
    components?: { schemas?: Record<string, unknown> };
  };
  beforeAll(async () => {
    p = await startPostern('sqlite');
    doc = (await p.api('GET', '/api/openapi.json')).body;
    ops = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, op]) => ({ op: `${method.toUpperCase()} ${path}`, operationId: op.operationId })),
    );
  });
  afterAll(async () => {
    await p?.close();
  });

  it('documents the operations', () => {
    expect(ops.length).toBeGreaterThan(70);
  });

  it('gives every operation an operationId in lower camel case', () => {
    const missing = ops.filter((o) => typeof o.operationId !== 'string' || !/^[a-z][A-Za-z0-9]*$/.test(o.operationId));
    expect(missing.map((o) => o.op)).toEqual([]);
  });

  it('never gives two operations the same operationId', () => {
    const seen = new Map<string, string[]>();
    for (const o of ops) seen.set(String(o.operationId), [...(seen.get(String(o.operationId)) ?? []), o.op]);
    const shared = [...seen.entries()].filter(([, list]) => list.length > 1);
    expect(Object.fromEntries(shared)).toEqual({});
  });

  it('resolves every $ref to a schema in components', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    const missing = [...new Set(refs)].filter((name) => !doc.components?.schemas?.[name]);
    expect(missing).toEqual([]);
  });

  it('keeps the ids clients are built on', () => {
    const byOp = Object.fromEntries(ops.map((o) => [o.op, o.operationId]));
    expect(byOp['POST /api/verification-codes']).toBe('sendVerificationCode');
    expect(byOp['POST /api/verification-codes/verify']).toBe('verifyVerificationCode');
    expect(byOp['GET /api/users']).toBe('listUsers');
    expect(byOp['GET /api/email-logs']).toBe('listEmailLogs');
  });

  it('explains the admin key bearer with an example, for the docs page', () => {
    const scheme = (doc.components as { securitySchemes?: Record<string, { scheme?: string; description?: string }> }).securitySchemes?.adminKey;
    expect(scheme?.scheme).toBe('bearer');
    expect(scheme?.description).toContain('Authorization: Bearer');
    expect(scheme?.description).toMatch(/curl -H/);
  });
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostern, type TestPostern } from '../../server/test/helpers.js';

/**
 * The console's and hosted pages' API calls, checked against the server's OpenAPI
 * document: every method and path they use must be a route the server documents.
 */
const SOURCES = [
  fileURLToPath(new URL('../src', import.meta.url)),
  fileURLToPath(new URL('../../pages/src', import.meta.url)),
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(n) ? [p] : [];
  });
}

/** `/api/users/${enc(id)}` and `/api/users/{id}` → `/api/users/{}`; query strings dropped. */
const shape = (path: string) =>
  path
    .replace(/\$\{[^}]+\}/g, '{}')
    .replace(/\{[^}]+\}/g, '{}')
    .replace(/\?.*$/, '');

function calls(): Array<{ method: string; path: string; where: string }> {
  const out: Array<{ method: string; path: string; where: string }> = [];
  for (const f of SOURCES.flatMap(files)) {
    const text = readFileSync(f, 'utf8');
    // client().GET('/api/…', …) through the generated client (also type-checked against the document)
    for (const m of text.matchAll(/\.(GET|POST|PUT|PATCH|DELETE)\(\s*'(\/api\/[^']*)'/g)) {
      out.push({ method: m[1]!, path: shape(m[2]!), where: f });
    }
    // call<T>('METHOD', '/api/…') and authed<T>('METHOD', '/api/…')
    for (const m of text.matchAll(/\b(?:call|authed)(?:<[^>]*>)?\(\s*'([A-Z]+)',\s*[`'](\/api\/[^`']*)[`']/g)) {
      out.push({ method: m[1]!, path: shape(m[2]!), where: f });
    }
  }
  return out;
}

describe('the console API client against /api/openapi.json', () => {
  let p: TestPostern;
  let routes: Set<string>;
  beforeAll(async () => {
    p = await startPostern('sqlite');
    const doc = (await p.api('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    routes = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`),
      ),
    );
  });
  afterAll(async () => {
    await p?.close();
  });

  it('finds the calls in the sources', () => {
    const found = calls();
    expect(found.length).toBeGreaterThan(40);
    expect(found.some((c) => c.path === '/api/experience/verification-codes')).toBe(true);
  });

  it('uses only documented routes, with their methods', () => {
    const missing = calls().filter((c) => !routes.has(`${c.method} ${c.path}`));
    expect(missing, JSON.stringify(missing, null, 2)).toEqual([]);
  });
});

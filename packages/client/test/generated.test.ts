import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostern, type TestPostern } from '../../server/test/helpers.js';
import { render } from '../scripts/render.mjs';

/**
 * The committed generated files equal what the server's OpenAPI document and
 * docs/errors.md give now. When this fails: `npm run generate:client`, review, commit.
 */
describe('the generated client', () => {
  let p: TestPostern;
  beforeAll(async () => {
    p = await startPostern('sqlite');
  });
  afterAll(async () => {
    await p?.close();
  });

  it('is up to date with the server', async () => {
    const doc = p.app.swagger();
    const files = await render(doc, readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8'));
    expect(Object.keys(files).sort()).toEqual(['openapi.json', 'src/generated/errors.ts', 'src/generated/openapi.ts']);
    for (const [path, content] of Object.entries(files)) {
      const committed = readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
      expect(committed === content, `packages/client/${path} is stale: run \`npm run generate:client\``).toBe(true);
    }
  });

  it('serves the same document at /api/openapi.json', async () => {
    const res = await p.api('GET', '/api/openapi.json', undefined, { authorization: '' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8')));
  });
});

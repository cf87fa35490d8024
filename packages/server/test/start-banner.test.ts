import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnPostern } from './faults/spawn.js';

// The README's quick start (issue 20): a first `postern start` prints where the console, the
// API docs and the hosted sign-in page are, and the admin key once; each address answers,
// and the default tenant already sends through the built-in service.
describe('the start banner of a fresh start', () => {
  it('prints the console, API docs and hosted sign-in addresses and the admin key, and each works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postern-banner-'));
    const publicUrl = 'http://localhost:4321';
    const p = await spawnPostern({ DATABASE_URL: `sqlite:${join(dir, 'postern.db')}`, POSTERN_PUBLIC_URL: publicUrl });
    try {
      // Wait for the whole banner: the key comes last.
      for (let i = 0; i < 200 && !/Admin key \(shown once/.test(p.output()); i++) await new Promise((r) => setTimeout(r, 25));
      const lines = p.output().split('\n');
      expect(lines).toContain(`  Console:   ${publicUrl}/console`);
      expect(lines).toContain(`  API docs:  ${publicUrl}/api/docs`);
      expect(lines.some((l) => l.startsWith(`  Sign-in:   ${publicUrl}/sign-in `))).toBe(true);
      const key = /^\s+(pk_[A-Za-z0-9_-]{40,})$/m.exec(p.output())?.[1];
      expect(key, 'the admin key, once').toBeTruthy();

      // The same paths on the address it listens on.
      for (const path of ['/console/', '/sign-in', '/register']) {
        const res = await fetch(`${p.base}${path}`);
        expect(res.status, path).toBe(200);
        expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      }
      expect((await fetch(`${p.base}/api/docs`, { redirect: 'manual' })).status).toBeLessThan(400);
      // "Change email connector": the default tenant starts with the built-in service.
      const connectors = (await (await fetch(`${p.base}/api/connectors`, { headers: { authorization: `Bearer ${key}` } })).json()) as { items: { factoryId: string }[] };
      expect(connectors.items.map((c) => c.factoryId)).toEqual(['builtin']);
    } finally {
      await p.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

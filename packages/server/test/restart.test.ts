import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { loadConfig } from '../src/config.js';
import { createPostern } from '../src/main.js';

describe('a second start', () => {
  it('reuses the data and the generated secret, and prints the admin key only the first time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postern-restart-'));
    const env = { DATABASE_URL: `sqlite:${join(dir, 'postern.db')}`, LOG_LEVEL: 'silent' };
    try {
      const first = await createPostern(loadConfig(env));
      expect(first.generatedAdminKey).toMatch(/^pk_/);
      expect(first.generatedSecretPath).toBe(join(dir, 'secret'));
      const key = first.generatedAdminKey!;
      await first.services.email.connectors.replace('default', 'http', { endpoint: 'https://hooks.example.com/postern', authorization: 'Bearer keep-me-secret-1234' });
      await first.close();

      const second = await createPostern(loadConfig(env));
      expect(second.generatedAdminKey).toBeUndefined();
      expect(second.generatedSecretPath).toBeUndefined();
      expect(await second.services.adminKeys.authenticate(key)).toEqual(expect.objectContaining({ tenantId: null }));
      const c = await second.services.stores.connectors.getEmailConnector('default');
      expect(c?.config.authorization).toBe('Bearer keep-me-secret-1234');
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the postern CLI', () => {
  const bin = new URL('../bin/postern.js', import.meta.url).pathname;
  const run = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => resolve({ code, out, err }));
    });

  it('migrates, creates an admin key, and stops on bad configuration with one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postern-cli-'));
    const env = { DATABASE_URL: `sqlite:${join(dir, 'p.db')}`, LOG_LEVEL: 'silent' };
    try {
      const m = await run(['migrate'], env);
      expect(m.code).toBe(0);
      expect(m.out).toMatch(/Applied: 001_foundation/);
      expect((await run(['migrate'], env)).out).toMatch(/up to date/);
      const k = await run(['admin-key', 'create', '--name', 'ops'], env);
      expect(k.code).toBe(0);
      expect(k.out.trim()).toMatch(/^pk_[A-Za-z0-9_-]{40,}$/);
      const bad = await run(['migrate'], { ...env, PORT: 'eighty' });
      expect(bad.code).toBe(1);
      expect(bad.err.trim()).toMatch(/^Configuration error: PORT: /);
      expect(bad.err.trim().split('\n')).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

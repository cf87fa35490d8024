import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { openDatabase } from '../src/storage/db.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS, startPostern, type TestPostern } from './helpers.js';

/**
 * Issue 14 item 7: the generated system key can be listed, revoked and rotated, the last
 * system key is never revoked, and the SQLite files are private like the secret.
 */
describe.each(DIALECTS)('admin keys, system keys included, on %s', (dialect) => {
  let p: TestPostern;
  let bootstrap: string;
  beforeAll(async () => {
    // No POSTERN_ADMIN_KEY: the first start generates a stored system key, as in production.
    p = await startPostern(dialect, { POSTERN_ADMIN_KEY: '' }, { housekeeping: false });
    expect(p.generatedAdminKey).toMatch(/^pk_/);
    bootstrap = p.generatedAdminKey!;
    expect((await call(bootstrap, 'POST', '/api/tenants', { id: 'acme', name: 'Acme' })).status).toBe(201);
  });
  afterAll(async () => {
    await p?.close();
  });

  async function call(key: string, method: string, url: string, body?: unknown) {
    const res = await p.app.inject({
      method: method as 'GET',
      url,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
  }
  const systemKeys = async (key: string) =>
    (await call(key, 'GET', '/api/admin-keys?limit=200')).body.items.filter((k: { system: boolean }) => k.system);

  it('lists the generated key to a system key, flagged system and current, and never the key itself', async () => {
    const r = await call(bootstrap, 'GET', '/api/admin-keys');
    expect(r.status).toBe(200);
    const mine = r.body.items.find((k: { current: boolean }) => k.current);
    expect(mine).toMatchObject({ name: 'bootstrap', tenantId: null, system: true, current: true });
    expect(JSON.stringify(r.body)).not.toContain(bootstrap);
  });

  it('a tenant key sees only its tenant, and cannot revoke, rotate or create system keys', async () => {
    const t = await call(bootstrap, 'POST', '/t/acme/api/admin-keys', { name: 'ci' });
    expect(t.status).toBe(201);
    expect(t.body).toMatchObject({ tenantId: 'acme', system: false });
    const listed = await call(t.body.key, 'GET', '/t/acme/api/admin-keys');
    expect(listed.body.items.map((k: { id: string }) => k.id)).toEqual([t.body.id]);
    expect(listed.body.items[0].current).toBe(true);
    const sys = (await systemKeys(bootstrap))[0];
    expect((await call(t.body.key, 'DELETE', `/t/acme/api/admin-keys/${sys.id}`)).body.code).toBe(
      'admin_key.not_found',
    );
    expect((await call(t.body.key, 'POST', `/t/acme/api/admin-keys/${sys.id}/rotate`)).body.code).toBe(
      'admin_key.not_found',
    );
    expect((await call(t.body.key, 'POST', '/t/acme/api/admin-keys', { name: 'sneaky', system: true })).status).toBe(
      403,
    );
    // A tenant key from the default tenant is not visible or revocable from another tenant.
    const other = await call(bootstrap, 'POST', '/api/admin-keys', { name: 'default-ci' });
    expect((await call(bootstrap, 'DELETE', `/t/acme/api/admin-keys/${other.body.id}`)).status).toBe(404);
    expect((await call(bootstrap, 'DELETE', `/api/admin-keys/${other.body.id}`)).status).toBe(204);
    // A tenant key rotates itself: the old one stops at once.
    const rotated = await call(t.body.key, 'POST', `/t/acme/api/admin-keys/${t.body.id}/rotate`);
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ name: 'ci', tenantId: 'acme', system: false, replaces: t.body.id });
    expect((await call(t.body.key, 'GET', '/t/acme/api/admin-keys')).status).toBe(401);
    expect((await call(rotated.body.key, 'GET', '/t/acme/api/admin-keys')).status).toBe(200);
  });

  it('refuses to revoke the last system key, and the key keeps working', async () => {
    const [only, ...rest] = await systemKeys(bootstrap);
    expect(rest).toHaveLength(0);
    const r = await call(bootstrap, 'DELETE', `/api/admin-keys/${only.id}`);
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('admin_key.last_system_key');
    expect((await call(bootstrap, 'GET', '/api/admin-keys')).status).toBe(200);
  });

  it('rotates the system key: the new one is shown once and works, the old one is dead', async () => {
    const [old] = await systemKeys(bootstrap);
    const r = await call(bootstrap, 'POST', `/api/admin-keys/${old.id}/rotate`);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name: 'bootstrap',
      tenantId: null,
      system: true,
      replaces: old.id,
      key: expect.stringMatching(/^pk_/),
    });
    expect((await call(bootstrap, 'GET', '/api/admin-keys')).status).toBe(401);
    bootstrap = r.body.key;
    const listed = await systemKeys(bootstrap);
    expect(listed.map((k: { id: string }) => k.id)).toEqual([r.body.id]);
    // Still a system key: it acts on every tenant.
    expect((await call(bootstrap, 'GET', '/t/acme/api/admin-keys')).status).toBe(200);
  });

  it('system keys beyond the last can be revoked, also concurrently; of concurrent revocations of every system key one is refused', async () => {
    const second = await call(bootstrap, 'POST', '/api/admin-keys', { name: 'ops', system: true });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ tenantId: null, system: true });
    const third = await call(bootstrap, 'POST', '/t/acme/api/admin-keys', { name: 'ops-2', system: true });
    expect(third.body.tenantId).toBeNull();
    const [a, b] = await Promise.all([
      call(bootstrap, 'DELETE', `/api/admin-keys/${second.body.id}`),
      call(bootstrap, 'DELETE', `/api/admin-keys/${third.body.id}`),
    ]);
    expect([a.status, b.status].sort()).toEqual([204, 204]);
    const ids = (await systemKeys(bootstrap)).map((k: { id: string }) => k.id);
    expect(ids).toHaveLength(1);
    const four = await call(bootstrap, 'POST', '/api/admin-keys', { name: 'four', system: true });
    const five = await call(bootstrap, 'POST', '/api/admin-keys', { name: 'five', system: true });
    // Three system keys; three concurrent revocations: exactly two pass. They go through the
    // service as one system principal: over HTTP, a request authenticated with a key that a
    // concurrent request has just revoked would answer 401 before reaching the guard.
    const principal = { keyId: four.body.id as string, tenantId: null };
    const all = await Promise.all(
      [ids[0], four.body.id, five.body.id].map((id) =>
        p.services.adminKeys.revoke(principal, 'default', id).then(
          () => 204,
          (err: { code?: string }) => (err.code === 'admin_key.last_system_key' ? 409 : err.code),
        ),
      ),
    );
    expect(all.sort()).toEqual([204, 204, 409]);
    const left = await p.services.stores.adminKeys.countSystemKeys();
    expect(left).toBe(1);
  });
});

describe('SQLite files are private', () => {
  it('creates the database, -wal and -shm with mode 0600, and tightens older ones', async () => {
    const p = await startPostern('sqlite', {}, { housekeeping: false });
    try {
      await p.api('PATCH', '/api/branding', { companyName: 'Private' });
      const db = join(p.dataDir, 'postern.db');
      for (const f of [db, `${db}-wal`, `${db}-shm`]) {
        if (!existsSync(f)) continue;
        expect((statSync(f).mode & 0o777).toString(8), f).toBe('600');
      }
      expect(existsSync(`${db}-wal`)).toBe(true);
    } finally {
      await p.close();
    }
    // A database file from an older version, readable by others, is tightened when opened.
    const db = join(p.dataDir, 'older.db');
    const first = openDatabase(`sqlite:${db}`, { checkpointer: false });
    await first.close();
    chmodSync(db, 0o644);
    const again = openDatabase(`sqlite:${db}`, { checkpointer: false });
    await again.close();
    expect((statSync(db).mode & 0o777).toString(8)).toBe('600');
    rmSync(p.dataDir, { recursive: true, force: true });
  });
});

describe('postern admin-key list, rotate and revoke', () => {
  const bin = new URL('../bin/postern.js', import.meta.url).pathname;
  const run = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => resolve({ code, out, err }));
    });
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'postern-keys-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('rotates the only system key, refuses to revoke the last one, revokes one of two', async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'p.db')}`, LOG_LEVEL: 'silent', POSTERN_ADMIN_KEY: '' };
    const first = await run(['admin-key', 'create', '--name', 'first'], env);
    expect(first.code, first.err).toBe(0);
    const db = join(dir, 'p.db');
    expect((statSync(db).mode & 0o777).toString(8)).toBe('600');
    const list = await run(['admin-key', 'list'], env);
    expect(list.code).toBe(0);
    const names = list.out.trim().split('\n');
    // The first open generates the bootstrap key, and `create` adds one: two system keys.
    expect(names.map((l) => l.split(/\s+/).at(-1))).toEqual(expect.arrayContaining(['first', 'bootstrap']));
    expect(list.out).not.toContain(first.out.trim());
    const ambiguous = await run(['admin-key', 'rotate'], env);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err).toMatch(/--id/);
    const ids = names.map((l) => l.split(/\s+/)[0]!);
    const revoked = await run(['admin-key', 'revoke', '--id', ids[0]!], env);
    expect(revoked.code, revoked.err).toBe(0);
    const last = await run(['admin-key', 'revoke', '--id', ids[1]!], env);
    expect(last.code).toBe(1);
    expect(last.err).toMatch(/last system admin key/);
    const rotated = await run(['admin-key', 'rotate'], env);
    expect(rotated.code, rotated.err).toBe(0);
    expect(rotated.out.trim()).toMatch(/^pk_[A-Za-z0-9_-]{40,}$/);
    expect(rotated.err).toContain(`Rotated ${ids[1]}`);
    const after = await run(['admin-key', 'list'], env);
    expect(after.out).not.toContain(ids[1]!);
    expect(after.out.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '../lib/crypto.js';
import { migrate, openDatabase, type Db } from './db.js';
import { createStores } from './stores/index.js';
import { prepare } from './prepared.js';
import type { StoredCode, Stores } from '../core/ports.js';

const code = (id: string, recipientKey: string): StoredCode => ({
  id,
  tenantId: 't1',
  recipientKey,
  email: `${recipientKey}@example.test`,
  purpose: 'Generic',
  codeHmac: `hmac-${id}`,
  maxAttempts: 5,
  payload: null,
  expiresAt: '2999-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('prepared queries on SQLite', () => {
  let dir: string;
  let db: Db;
  let stores: Stores;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'postern-prepared-'));
    db = openDatabase(`sqlite:${join(dir, 'p.db')}`);
    await migrate(db);
    stores = createStores(db, new Keyring([randomBytes(32)]));
    await stores.tenants.create({ id: 't1', name: 'One', type: 'production', createdAt: '2026-01-01T00:00:00.000Z' });
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('compiles slots into positional parameters, keeps constants, and refuses a missing value', () => {
    const q = prepare((p) => db.kysely.selectFrom('verification_codes').select('id').where('id', '=', p('id')).where('status', '=', 'active'));
    expect(q.sql).toContain('?');
    expect(q.parameters({ id: 'x' })).toEqual(['x', 'active']);
    expect(() => q.parameters({})).toThrow(/no value for id/);
  });

  it('runs synchronously only while no Kysely transaction holds the connection', async () => {
    expect(db.sqlite!.free).toBe(true);
    let inside = false;
    await db.kysely.transaction().execute(async (trx) => {
      await trx.selectFrom('tenants').select('id').execute();
      inside = !db.sqlite!.free;
    });
    expect(inside).toBe(true);
    expect(db.sqlite!.free).toBe(true);
  });

  it('a write made while a Kysely transaction is open is not lost when that transaction rolls back', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // A transaction that is open (holding the one connection) across an await, then fails.
    const failing = db.kysely
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('verification_codes').values({ ...row(code('rolled-back', 'r0')) }).execute();
        await gate;
        throw new Error('roll back');
      })
      .catch((err: Error) => err.message);
    await new Promise((r) => setImmediate(r));
    expect(db.sqlite!.free).toBe(false);
    // Issued meanwhile: it must wait for the connection instead of joining the transaction.
    const issued = stores.codes.issue(code('kept', 'r1'));
    release();
    expect(await failing).toBe('roll back');
    await issued;
    const ids = (await db.kysely.selectFrom('verification_codes').select('id').execute()).map((r) => r.id);
    expect(ids).toContain('kept');
    expect(ids).not.toContain('rolled-back');
  });

  it('a failing synchronous transaction rolls back all of its statements', async () => {
    await stores.codes.issue(code('first', 'r2'));
    // Same id again: the invalidation of "first" runs, then the insert fails on the key.
    await expect(stores.codes.issue(code('first', 'r2'))).rejects.toThrow();
    const r = await db.kysely.selectFrom('verification_codes').select('status').where('id', '=', 'first').executeTakeFirstOrThrow();
    expect(r.status).toBe('active');
    expect(db.sqlite!.free).toBe(true);
  });
});

function row(c: StoredCode) {
  return {
    id: c.id,
    tenant_id: c.tenantId,
    recipient_key: c.recipientKey,
    email: c.email,
    purpose: c.purpose,
    code_hmac: c.codeHmac,
    attempts: 0,
    max_attempts: c.maxAttempts,
    status: 'active' as const,
    payload: null,
    expires_at: c.expiresAt,
    created_at: c.createdAt,
    consumed_at: null,
  };
}

describe('WAL checkpoints on the worker', () => {
  it('copies committed pages into the database file while the service connection keeps writing', async () => {
    const { statSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'postern-ckpt-'));
    const file = join(dir, 'c.db');
    const db = openDatabase(`sqlite:${file}`);
    try {
      await migrate(db);
      await new Promise((r) => setTimeout(r, 800));
      const before = statSync(file).size;
      // ~0.7 MB of rows in ~6 000 WAL frames: below the 10 000-page backstop, so only the worker moves them.
      const stores = createStores(db, new Keyring([randomBytes(32)]));
      await stores.tenants.create({ id: 't1', name: 'One', type: 'production', createdAt: '2026-01-01T00:00:00.000Z' });
      for (let i = 0; i < 1500; i++) await stores.codes.issue({ ...code(`c${i}`, `r${i}`), codeHmac: randomBytes(200).toString('hex') });
      let after = statSync(file).size;
      for (let t = 0; t < 40 && after <= before + 500_000; t++) {
        await new Promise((r) => setTimeout(r, 100));
        after = statSync(file).size;
      }
      expect(after).toBeGreaterThan(before + 500_000);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

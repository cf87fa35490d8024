import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '../src/lib/crypto.js';
import { migrate, openDatabase, type Db } from '../src/storage/db.js';
import { createStores } from '../src/storage/stores/index.js';
import type { EmailLogEntry, OutboxRow, Stores } from '../src/core/ports.js';
import { SqlOutboxStore } from '../src/storage/stores/outbox.js';
import { Prepared } from '../src/storage/prepared.js';
import { DIALECTS, PG_URL, dropSchema } from './helpers.js';

/** One conformance suite for every store, run against SQLite and PostgreSQL. */
describe.each(DIALECTS)('stores on %s', (dialect) => {
  let db: Db;
  let stores: Stores;
  let dir: string;
  const schema = `s_${randomBytes(6).toString('hex')}`;
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'postern-stores-'));
    db = openDatabase(dialect === 'sqlite' ? `sqlite:${join(dir, 's.db')}` : PG_URL, dialect === 'postgres' ? { schema } : {});
    await migrate(db, dialect === 'postgres' ? schema : undefined);
    stores = createStores(db, new Keyring([randomBytes(32)]));
    await stores.tenants.create({ id: 't1', name: 'One', type: 'production', createdAt: at(0) });
  });
  afterAll(async () => {
    await db?.close();
    if (dialect === 'postgres') await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('tenants: create once, get, list newest first', async () => {
    expect(await stores.tenants.create({ id: 't1', name: 'dup', type: 'production', createdAt: at(1) })).toBe(false);
    await stores.tenants.create({ id: 't2', name: 'Two', type: 'development', createdAt: at(2) });
    expect(await stores.tenants.get('t2')).toEqual({ id: 't2', name: 'Two', type: 'development', createdAt: at(2) });
    expect(await stores.tenants.get('nope')).toBeUndefined();
    const page = await stores.tenants.list({ limit: 1 });
    expect(page.items.map((t) => t.id)).toEqual(['t2']);
    const next = await stores.tenants.list({ limit: 1, cursor: page.nextCursor! });
    expect(next.items.map((t) => t.id)).toEqual(['t1']);
    expect(next.nextCursor).toBeNull();
  });

  it('admin keys: find by hash, list per tenant, delete only within the tenant', async () => {
    await stores.adminKeys.create({ id: 'k1', tenantId: 't1', name: 'a', keyHash: 'h1', createdAt: at(3) });
    await stores.adminKeys.create({ id: 'k2', tenantId: null, name: 'sys', keyHash: 'h2', createdAt: at(4) });
    expect((await stores.adminKeys.findByHash('h1'))?.tenantId).toBe('t1');
    expect(await stores.adminKeys.countSystemKeys()).toBe(1);
    expect((await stores.adminKeys.list('t1', { limit: 10 })).items.map((k) => k.id)).toEqual(['k1']);
    expect(await stores.adminKeys.delete('k1', 't2')).toBe(false);
    expect(await stores.adminKeys.delete('k1', 't1')).toBe(true);
    expect(await stores.adminKeys.findByHash('h1')).toBeUndefined();
  });

  it('settings: put replaces, get reads back JSON', async () => {
    expect(await stores.settings.get('t1', 'branding')).toBeUndefined();
    await stores.settings.put('t1', 'branding', { companyName: 'Acme' }, at(5));
    await stores.settings.put('t1', 'branding', { companyName: 'Acme Inc' }, at(6));
    expect(await stores.settings.get('t1', 'branding')).toEqual({ companyName: 'Acme Inc' });
  });

  it('connectors: one email connector per tenant even under concurrent inserts; secrets encrypted; replace is atomic', async () => {
    const mk = (id: string, factoryId = 'http') => ({ id, tenantId: 't2', type: 'email' as const, factoryId, config: { endpoint: 'https://x.test', authorization: `Bearer s3cret-${id}` }, createdAt: at(7), updatedAt: at(7) });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => stores.connectors.insertEmailConnector(mk(`c${i}`), ['authorization'])));
    expect(results.filter(Boolean)).toHaveLength(1);
    const saved = await stores.connectors.getEmailConnector('t2');
    expect(saved?.config.authorization).toBe(`Bearer s3cret-${saved!.id}`);
    const raw = JSON.stringify(await db.kysely.selectFrom('connectors').selectAll().execute());
    expect(raw).not.toContain('s3cret');
    await Promise.all(Array.from({ length: 5 }, (_, i) => stores.connectors.replaceEmailConnector(mk(`r${i}`, 'smtp'), ['authorization'])));
    const rows = await db.kysely.selectFrom('connectors').selectAll().where('tenant_id', '=', 't2').execute();
    expect(rows).toHaveLength(1);
    const v1 = await stores.connectors.version('t2');
    expect(await stores.connectors.updateConfig('t2', rows[0]!.id, { endpoint: 'https://y.test', authorization: 'Bearer new-one-9999' }, ['authorization'], at(9))).toBe(true);
    expect(await stores.connectors.version('t2')).not.toBe(v1);
    expect((await stores.connectors.get('t2', rows[0]!.id))?.config).toEqual({ endpoint: 'https://y.test', authorization: 'Bearer new-one-9999' });
    expect(await stores.connectors.delete('t1', rows[0]!.id)).toBe(false);
    expect(await stores.connectors.delete('t2', rows[0]!.id)).toBe(true);
    expect(await stores.connectors.version('t2')).toBeUndefined();
  });

  it('email logs: record and filter, paged', async () => {
    for (let i = 0; i < 5; i++) {
      await stores.emailLogs.record({
        id: randomUUID(),
        tenantId: 't1',
        factoryId: 'smtp',
        templateType: i % 2 ? 'SignIn' : 'Register',
        to: `u${i}@example.test`,
        subject: 's',
        status: i === 4 ? 'failed' : 'sent',
        providerMessageId: null,
        error: i === 4 ? { code: 'connector.timeout', message: 'slow' } : null,
        attempts: 1,
        durationMs: 12.4,
        createdAt: at(10 + i),
      });
    }
    const failed = await stores.emailLogs.list('t1', { status: 'failed' }, { limit: 10 });
    expect(failed.items).toHaveLength(1);
    expect(failed.items[0]!.error).toEqual({ code: 'connector.timeout', message: 'slow' });
    expect((await stores.emailLogs.list('t1', { templateType: 'SignIn' }, { limit: 10 })).items).toHaveLength(2);
    expect((await stores.emailLogs.list('t1', { to: 'u3@example.test' }, { limit: 10 })).items).toHaveLength(1);
    const p1 = await stores.emailLogs.list('t1', {}, { limit: 3 });
    const p2 = await stores.emailLogs.list('t1', {}, { limit: 3, cursor: p1.nextCursor! });
    expect([...p1.items, ...p2.items].map((e) => e.to)).toEqual(['u4', 'u3', 'u2', 'u1', 'u0'].map((u) => `${u}@example.test`));
    expect((await stores.emailLogs.list('t2', {}, { limit: 3 })).items).toEqual([]);
  });

  it('mailbox: capture, list without bodies, get, clear per tenant', async () => {
    await stores.mailbox.capture({ id: 'm1', tenantId: 't1', to: 'a@x.test', from: 'f@x.test', subject: 'Hi', html: '<p>x</p>', text: 'x', createdAt: at(20) });
    await stores.mailbox.capture({ id: 'm2', tenantId: 't2', to: 'b@x.test', from: 'f@x.test', subject: 'Hi', html: '<p>y</p>', text: 'y', createdAt: at(21) });
    const list = await stores.mailbox.list('t1', { limit: 10 });
    expect(list.items).toEqual([{ id: 'm1', tenantId: 't1', to: 'a@x.test', from: 'f@x.test', subject: 'Hi', createdAt: at(20) }]);
    expect((await stores.mailbox.get('t1', 'm1'))?.html).toBe('<p>x</p>');
    expect(await stores.mailbox.get('t1', 'm2')).toBeUndefined();
    expect(await stores.mailbox.clear('t1')).toBe(1);
    expect((await stores.mailbox.list('t2', { limit: 10 })).items).toHaveLength(1);
  });

  it('templates: put upserts, list per tenant, delete', async () => {
    const t = { tenantId: 't1', locale: 'th', templateType: 'SignIn', subject: 'รหัส {{code}}', html: '<p>{{code}}</p>', text: null, replyTo: null, senderName: 'Acme', updatedAt: at(30) };
    await stores.templates.put(t);
    await stores.templates.put({ ...t, subject: 'รหัสของคุณ {{code}}' });
    expect((await stores.templates.get('t1', 'th', 'SignIn'))?.subject).toBe('รหัสของคุณ {{code}}');
    expect(await stores.templates.listForTenant('t1')).toHaveLength(1);
    expect(await stores.templates.delete('t1', 'th', 'SignIn')).toBe(true);
    expect(await stores.templates.delete('t1', 'th', 'SignIn')).toBe(false);
  });
  it('outbox: finishes that end together each commit their own log and state; one that fails fails alone; depth counts what waits', async () => {
    const outbox = new SqlOutboxStore(db.kysely, db.dialect, new Prepared(db.kysely, db.sqlite, db.pool));
    const row = (id: string, state: 'sending' | 'queued'): OutboxRow => ({
      id,
      tenant_id: 't1',
      state,
      source: 'api',
      template_type: 'sign-in',
      to_address: `${id}@example.test`,
      payload: 'sealed',
      guard_kind: null,
      guard_id: null,
      guard_hash: null,
      attempts: 0,
      lease_owner: state === 'sending' ? 'me' : null,
      lease_until: state === 'sending' ? at(500) : null,
      next_attempt_at: at(40),
      not_after: at(900),
      last_error_code: null,
      last_error_message: null,
      provider_message_id: null,
      created_at: at(40),
      updated_at: at(40),
      finished_at: null,
    });
    const log = (id: string, logId = `log-${id}`): EmailLogEntry => ({
      id: logId,
      tenantId: 't1',
      factoryId: 'http',
      templateType: 'sign-in',
      to: `${id}@example.test`,
      subject: 'Your code',
      status: 'sent',
      providerMessageId: `p-${id}`,
      error: null,
      attempts: 1,
      durationMs: 3,
      createdAt: at(41),
    });
    for (const id of ['ob1', 'ob2', 'ob3', 'ob4']) await outbox.insert(row(id, 'sending'));
    await outbox.insert(row('ob5', 'queued'));
    expect(await outbox.depth()).toEqual({ queued: 1, sending: 4, oldest: at(40) });
    // ob1 has its log written already: its finish cannot insert the log again.
    await stores.emailLogs.record(log('ob0', 'log-ob1'));
    const finish = (id: string, owner = 'me') =>
      outbox.finish({ id, owner, state: 'sent', attempts: 1, errorCode: null, errorMessage: null, providerMessageId: `p-${id}`, at: at(42), log: log(id) });
    // All started in one turn, as deliveries that end together are.
    const results = await Promise.allSettled([finish('ob1'), finish('ob2'), finish('ob3', 'someone-else'), finish('ob4')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(results.slice(1).map((r) => (r as PromiseFulfilledResult<boolean>).value)).toEqual([true, false, true]);
    const state = async (id: string) => (await outbox.get('t1', id))?.state;
    expect([await state('ob1'), await state('ob2'), await state('ob3'), await state('ob4')]).toEqual(['sending', 'sent', 'sending', 'sent']);
    for (const id of ['ob2', 'ob3', 'ob4']) expect((await stores.emailLogs.get('t1', `log-${id}`))?.providerMessageId).toBe(`p-${id}`);
    expect(await outbox.depth()).toEqual({ queued: 1, sending: 2, oldest: at(40) });
  });
});

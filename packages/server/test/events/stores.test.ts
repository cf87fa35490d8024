import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '../../src/lib/crypto.js';
import { migrate, openDatabase, type Db } from '../../src/storage/db.js';
import { createStores } from '../../src/storage/stores/index.js';
import { SqlSuppressionStore } from '../../src/storage/stores/suppressions.js';
import { SqlProviderEventStore } from '../../src/storage/stores/provider-events.js';
import type { Suppression } from '../../src/core/events/ports.js';
import { DIALECTS, PG_URL, dropSchema } from '../helpers.js';

/** The suppression and provider-event stores, on SQLite and PostgreSQL alike. */
describe.each(DIALECTS)('event stores on %s', (dialect) => {
  let db: Db;
  let dir: string;
  let suppressions: SqlSuppressionStore;
  let events: SqlProviderEventStore;
  const schema = `s_${randomBytes(6).toString('hex')}`;
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  const entry = (
    email: string,
    reason: Suppression['reason'],
    created: number,
    expires: number | null,
  ): Suppression => ({
    tenantId: 't1',
    emailKey: email.toLowerCase(),
    email,
    reason,
    source: 'test',
    createdAt: at(created),
    expiresAt: expires === null ? null : at(expires),
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'postern-event-stores-'));
    db = openDatabase(
      dialect === 'sqlite' ? `sqlite:${join(dir, 's.db')}` : PG_URL,
      dialect === 'postgres' ? { schema } : {},
    );
    await migrate(db, dialect === 'postgres' ? schema : undefined);
    suppressions = new SqlSuppressionStore(db.kysely);
    events = new SqlProviderEventStore(db.kysely);
    const stores = createStores(db, new Keyring([randomBytes(32)]));
    await stores.tenants.create({ id: 't1', name: 'One', type: 'production', createdAt: at(0) });
    for (const [id, pmid, to] of [
      ['log1', '<abc@mg.example.test>', 'a@example.test'],
      ['log2', 'plain-id', 'b@example.test'],
    ] as const) {
      await stores.emailLogs.record({
        id,
        tenantId: 't1',
        factoryId: 'mailgun',
        templateType: 'Generic',
        to,
        subject: 's',
        status: 'sent',
        providerMessageId: pmid,
        error: null,
        attempts: 1,
        durationMs: 1,
        createdAt: at(1),
      });
    }
  });
  afterAll(async () => {
    await db?.close();
    if (dialect === 'postgres') await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('suppressions: a permanent entry is kept, an expiring one renewed or replaced, an expired one is not live', async () => {
    await suppressions.upsert(entry('c@example.test', 'complaint', 1, null));
    await suppressions.upsert(entry('c@example.test', 'hard_bounce', 2, 100));
    expect(await suppressions.find('t1', 'c@example.test', at(3))).toMatchObject({
      reason: 'complaint',
      expiresAt: null,
    });
    await suppressions.upsert(entry('h@example.test', 'hard_bounce', 2, 10));
    await suppressions.upsert(entry('h@example.test', 'complaint', 3, null));
    expect(await suppressions.find('t1', 'h@example.test', at(4))).toMatchObject({
      reason: 'complaint',
      expiresAt: null,
    });
    await suppressions.upsert(entry('x@example.test', 'hard_bounce', 4, 6));
    expect(await suppressions.find('t1', 'x@example.test', at(5))).toBeDefined();
    expect(await suppressions.find('t1', 'x@example.test', at(6))).toBeUndefined();
    expect(await suppressions.find('t2', 'c@example.test', at(3))).toBeUndefined();
    expect(await suppressions.purgeExpired(at(7))).toBe(1);
  });

  it('suppressions: list newest first with a cursor, search by part of the address (LIKE characters are literal)', async () => {
    await suppressions.upsert(entry('under_score@example.test', 'manual', 8, null));
    await suppressions.upsert(entry('underXscore@example.test', 'manual', 9, null));
    const first = await suppressions.list('t1', undefined, at(10), { limit: 2 });
    expect(first.items.map((s) => s.email)).toEqual(['underXscore@example.test', 'under_score@example.test']);
    const rest = await suppressions.list('t1', undefined, at(10), { limit: 2, cursor: first.nextCursor! });
    expect(rest.items.map((s) => s.email)).toEqual(['h@example.test', 'c@example.test']);
    expect(rest.nextCursor).toBeNull();
    expect((await suppressions.list('t1', 'R_S', at(10), { limit: 10 })).items.map((s) => s.email)).toEqual([
      'under_score@example.test',
    ]);
    expect((await suppressions.list('t1', '%', at(10), { limit: 10 })).items).toEqual([]);
    expect(await suppressions.remove('t1', 'under_score@example.test')).toBe(true);
    expect(await suppressions.remove('t1', 'under_score@example.test')).toBe(false);
  });

  it('events: found by provider id with or without angle brackets, recorded once, status only moves forward', async () => {
    expect(await events.findLog('t1', 'abc@mg.example.test')).toEqual({ id: 'log1', to: 'a@example.test' });
    expect(await events.findLog('t1', '<plain-id>')).toEqual({ id: 'log2', to: 'b@example.test' });
    expect(await events.findLog('t2', 'plain-id')).toBeUndefined();
    const ev = (key: string, type: 'delivered' | 'bounced' | 'complained' | 'delayed', i: number) => ({
      id: `e-${key}`,
      tenantId: 't1',
      emailLogId: 'log1',
      type,
      bounceType: type === 'bounced' ? ('hard' as const) : null,
      recipient: 'a@example.test',
      detail: null,
      at: at(i),
      dedupeKey: key,
      createdAt: at(i),
    });
    expect(await events.record(ev('k1', 'delivered', 20))).toBe(true);
    expect(await events.record(ev('k1', 'delivered', 20))).toBe(false);
    expect(await events.record(ev('k2', 'bounced', 21))).toBe(true);
    expect(await events.record(ev('k3', 'delayed', 22))).toBe(true);
    const status = await db.kysely
      .selectFrom('email_logs')
      .select('delivery_status')
      .where('id', '=', 'log1')
      .executeTakeFirstOrThrow();
    expect(status.delivery_status).toBe('bounced');
    const map = await events.eventsFor('t1', ['log1', 'log2']);
    expect(map.get('log1')?.map((e) => e.type)).toEqual(['delivered', 'bounced', 'delayed']);
    expect(map.get('log2')).toBeUndefined();
  });

  it('replay keys are claimed once per tenant and factory, and can be released', async () => {
    expect(await events.claimReplay('t1', 'aws-ses', 'm1', at(30))).toBe(true);
    expect(await events.claimReplay('t1', 'aws-ses', 'm1', at(31))).toBe(false);
    expect(await events.claimReplay('t1', 'mailgun', 'm1', at(31))).toBe(true);
    await events.releaseReplay('t1', 'aws-ses', 'm1');
    expect(await events.claimReplay('t1', 'aws-ses', 'm1', at(32))).toBe(true);
    expect(await events.purgeReplays(at(32))).toBe(1);
  });
});

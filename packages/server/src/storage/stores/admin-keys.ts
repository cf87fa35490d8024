import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import type { Database } from '../schema.js';
import type { AdminKeyRecord, AdminKeyStore, Page, PageRequest } from '../../core/ports.js';
import { decodeCursor, pageOf } from '../cursor.js';
import { before } from './keyset.js';

export class SqlAdminKeyStore implements AdminKeyStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect = 'sqlite',
  ) {}

  async findByHash(hash: string): Promise<AdminKeyRecord | undefined> {
    const r = await this.db.selectFrom('admin_keys').selectAll().where('key_hash', '=', hash).executeTakeFirst();
    return r ? { id: r.id, tenantId: r.tenant_id, name: r.name, keyHash: r.key_hash, createdAt: r.created_at } : undefined;
  }

  async create(k: AdminKeyRecord): Promise<void> {
    await this.db
      .insertInto('admin_keys')
      .values({ id: k.id, tenant_id: k.tenantId, name: k.name, key_hash: k.keyHash, created_at: k.createdAt })
      .execute();
  }

  async list(tenantId: string | null, page: PageRequest, withSystem = false): Promise<Page<Omit<AdminKeyRecord, 'keyHash'>>> {
    const c = decodeCursor(page.cursor);
    let q = this.db.selectFrom('admin_keys').select(['id', 'tenant_id', 'name', 'created_at']);
    if (tenantId === null) q = q.where('tenant_id', 'is', null);
    else if (withSystem) q = q.where((eb) => eb.or([eb('tenant_id', '=', tenantId), eb('tenant_id', 'is', null)]));
    else q = q.where('tenant_id', '=', tenantId);
    if (c) q = q.where((eb) => before(eb, c));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
    return pageOf(
      rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, name: r.name, createdAt: r.created_at })),
      page.limit,
      (r) => r,
    );
  }

  async delete(id: string, tenantId: string | null): Promise<boolean> {
    let q = this.db.deleteFrom('admin_keys').where('id', '=', id);
    q = tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', tenantId);
    const r = await q.executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async get(id: string): Promise<AdminKeyRecord | undefined> {
    const r = await this.db.selectFrom('admin_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? { id: r.id, tenantId: r.tenant_id, name: r.name, keyHash: r.key_hash, createdAt: r.created_at } : undefined;
  }

  async deleteSystemKey(id: string, keep: number): Promise<'deleted' | 'not_found' | 'last'> {
    return this.db.transaction().execute(async (trx) => {
      // The system keys are locked (PostgreSQL) or the write serialised (SQLite), so two
      // concurrent revocations cannot both pass the count and leave none.
      let q = trx.selectFrom('admin_keys').select('id').where('tenant_id', 'is', null);
      if (this.dialect === 'postgres') q = q.forUpdate();
      const ids = (await q.execute()).map((r) => r.id);
      if (!ids.includes(id)) return 'not_found';
      if (ids.length - 1 < keep) return 'last';
      await trx.deleteFrom('admin_keys').where('id', '=', id).where('tenant_id', 'is', null).execute();
      return 'deleted';
    });
  }

  async replace(oldId: string, next: AdminKeyRecord): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      let q = trx.deleteFrom('admin_keys').where('id', '=', oldId);
      q = next.tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', next.tenantId);
      const r = await q.executeTakeFirst();
      if (Number(r.numDeletedRows) !== 1) return false;
      await trx.insertInto('admin_keys').values({ id: next.id, tenant_id: next.tenantId, name: next.name, key_hash: next.keyHash, created_at: next.createdAt }).execute();
      return true;
    });
  }

  async countSystemKeys(): Promise<number> {
    const r = await this.db
      .selectFrom('admin_keys')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('tenant_id', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

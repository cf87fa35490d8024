import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { AdminKeyRecord, AdminKeyStore, Page, PageRequest } from '../../core/ports.js';
import { decodeCursor, pageOf } from '../cursor.js';
import { before } from './keyset.js';

export class SqlAdminKeyStore implements AdminKeyStore {
  constructor(private readonly db: Kysely<Database>) {}

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

  async list(tenantId: string | null, page: PageRequest): Promise<Page<Omit<AdminKeyRecord, 'keyHash'>>> {
    const c = decodeCursor(page.cursor);
    let q = this.db.selectFrom('admin_keys').select(['id', 'tenant_id', 'name', 'created_at']);
    q = tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', tenantId);
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

  async countSystemKeys(): Promise<number> {
    const r = await this.db
      .selectFrom('admin_keys')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('tenant_id', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { Page, PageRequest, Tenant, TenantStore } from '../../core/ports.js';
import { decodeCursor, pageOf } from '../cursor.js';
import { before } from './keyset.js';
import { isUniqueViolation } from './unique.js';

const toTenant = (r: Database['tenants']): Tenant => ({ id: r.id, name: r.name, type: r.type, createdAt: r.created_at });

export class SqlTenantStore implements TenantStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(id: string): Promise<Tenant | undefined> {
    const r = await this.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toTenant(r) : undefined;
  }

  async list(page: PageRequest): Promise<Page<Tenant>> {
    const c = decodeCursor(page.cursor);
    let q = this.db.selectFrom('tenants').selectAll();
    if (c) q = q.where((eb) => before(eb, c));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
    return pageOf(rows.map(toTenant), page.limit, (t) => t);
  }

  async create(t: Tenant): Promise<boolean> {
    try {
      await this.db.insertInto('tenants').values({ id: t.id, name: t.name, type: t.type, created_at: t.createdAt }).execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }
}

import type { Kysely } from 'kysely';
import type { IntegrationKind, IntegrationRecord, IntegrationStore, Page, PageRequest } from '../../core/ports.js';
import type { Database } from '../schema.js';
import { decodeCursor, pageOf } from '../cursor.js';
import { before } from './keyset.js';

type Row = Database['integrations'];
const fromRow = (r: Row): IntegrationRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  kind: r.kind as IntegrationKind,
  name: r.name,
  secret: r.secret,
  secretHash: r.secret_hash,
  supabaseUrl: r.supabase_url,
  createdAt: r.created_at,
});

export class SqlIntegrationStore implements IntegrationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(r: IntegrationRecord): Promise<void> {
    await this.db
      .insertInto('integrations')
      .values({
        id: r.id,
        tenant_id: r.tenantId,
        kind: r.kind,
        name: r.name,
        secret: r.secret,
        secret_hash: r.secretHash,
        supabase_url: r.supabaseUrl,
        created_at: r.createdAt,
      })
      .execute();
  }

  async get(tenantId: string, id: string): Promise<IntegrationRecord | undefined> {
    const r = await this.db
      .selectFrom('integrations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? fromRow(r) : undefined;
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<IntegrationRecord>> {
    const c = decodeCursor(page.cursor);
    let q = this.db.selectFrom('integrations').selectAll().where('tenant_id', '=', tenantId);
    if (c) q = q.where((eb) => before(eb, c));
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return pageOf(rows.map(fromRow), page.limit, (r) => r);
  }

  /** The tenant's integrations of one kind (a handful at most). */
  async ofKind(tenantId: string, kind: IntegrationKind): Promise<IntegrationRecord[]> {
    const rows = await this.db
      .selectFrom('integrations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', kind)
      .orderBy('created_at')
      .limit(100)
      .execute();
    return rows.map(fromRow);
  }

  async findByHash(tenantId: string, kind: IntegrationKind, hash: string): Promise<IntegrationRecord | undefined> {
    const r = await this.db
      .selectFrom('integrations')
      .selectAll()
      .where('secret_hash', '=', hash)
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return r ? fromRow(r) : undefined;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('integrations')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

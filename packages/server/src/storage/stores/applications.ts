import type { Kysely, Selectable } from 'kysely';
import type { ApplicationsTable, Database } from '../schema.js';
import type { Page, PageRequest } from '../../core/ports.js';
import type { ApplicationRecord, ApplicationStore } from '../../core/applications/ports.js';
import { decodeCursor, pageOf } from '../cursor.js';
import { before } from './keyset.js';

const toRecord = (r: Selectable<ApplicationsTable>): ApplicationRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  type: r.type,
  redirectUris: JSON.parse(r.redirect_uris) as string[],
  postLogoutRedirectUris: JSON.parse(r.post_logout_redirect_uris) as string[],
  corsOrigins: JSON.parse(r.cors_origins) as string[],
  logoUrl: r.logo_url,
  idTokenSignedResponseAlg: r.id_token_signed_response_alg,
  encryptedSecret: r.client_secret,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toRow = (a: ApplicationRecord): Selectable<ApplicationsTable> => ({
  id: a.id,
  tenant_id: a.tenantId,
  name: a.name,
  type: a.type,
  redirect_uris: JSON.stringify(a.redirectUris),
  post_logout_redirect_uris: JSON.stringify(a.postLogoutRedirectUris),
  cors_origins: JSON.stringify(a.corsOrigins),
  logo_url: a.logoUrl,
  id_token_signed_response_alg: a.idTokenSignedResponseAlg,
  client_secret: a.encryptedSecret,
  created_at: a.createdAt,
  updated_at: a.updatedAt,
});

/** Applications (OIDC clients) of a tenant; the client id is the application id. */
export class SqlApplicationStore implements ApplicationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(a: ApplicationRecord): Promise<void> {
    await this.db.insertInto('applications').values(toRow(a)).execute();
  }

  async get(tenantId: string, id: string): Promise<ApplicationRecord | undefined> {
    const r = await this.db
      .selectFrom('applications')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? toRecord(r) : undefined;
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<ApplicationRecord>> {
    const c = decodeCursor(page.cursor);
    let q = this.db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId);
    if (c) q = q.where((eb) => before(eb, c));
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return pageOf(rows.map(toRecord), page.limit, (r) => r);
  }

  /** Every origin registered by any application of the tenant (for CORS). */
  async corsOrigins(tenantId: string): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('applications')
      .select('cors_origins')
      .where('tenant_id', '=', tenantId)
      .execute();
    return new Set(rows.flatMap((r) => JSON.parse(r.cors_origins) as string[]));
  }

  async update(a: ApplicationRecord): Promise<boolean> {
    const { id: _id, tenant_id: _t, created_at: _c, ...rest } = toRow(a);
    const r = await this.db
      .updateTable('applications')
      .set(rest)
      .where('tenant_id', '=', a.tenantId)
      .where('id', '=', a.id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .deleteFrom('applications')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }
}

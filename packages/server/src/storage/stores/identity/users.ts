import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../../schema.js';
import type { Page, PageRequest } from '../../../core/ports.js';
import type { User, UserChanges, UserStore } from '../../../core/identity/ports.js';
import { decodeCursor, pageOf } from '../../cursor.js';
import { before } from '../keyset.js';
import { isUniqueViolation } from '../unique.js';
import type { UsersTable } from './tables.js';
import { prepare, Prepared } from '../../prepared.js';

const toUser = (r: Selectable<UsersTable>): User => ({
  id: r.id,
  tenantId: r.tenant_id,
  email: r.email,
  emailKey: r.email_key,
  emailVerified: Number(r.email_verified) === 1,
  name: r.name,
  passwordHash: r.password_hash,
  mfaEmail: Number(r.mfa_email) === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export class SqlUserStore implements UserStore {
  private readonly byEmailKey;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly prepared: Prepared = new Prepared(db),
  ) {
    this.byEmailKey = prepare((p) => db.selectFrom('users').selectAll().where('tenant_id', '=', p('tenantId')).where('email_key', '=', p('emailKey')));
  }

  async create(u: User): Promise<boolean> {
    try {
      await this.db
        .insertInto('users')
        .values({
          id: u.id,
          tenant_id: u.tenantId,
          email: u.email,
          email_key: u.emailKey,
          email_verified: u.emailVerified ? 1 : 0,
          name: u.name,
          password_hash: u.passwordHash,
          mfa_email: u.mfaEmail ? 1 : 0,
          created_at: u.createdAt,
          updated_at: u.updatedAt,
        })
        .execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async get(tenantId: string, id: string): Promise<User | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r ? toUser(r) : undefined;
  }

  async findByEmailKey(tenantId: string, emailKey: string): Promise<User | undefined> {
    const r = await this.prepared.first(this.byEmailKey, { tenantId, emailKey });
    return r ? toUser(r) : undefined;
  }

  async list(tenantId: string, search: string | undefined, page: PageRequest): Promise<Page<User>> {
    const c = decodeCursor(page.cursor);
    let q = this.db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId);
    if (search) {
      const pattern = `%${escapeLike(search.toLowerCase())}%`;
      // ESCAPE spelled out: SQLite has no default escape character for LIKE.
      q = q.where(sql<boolean>`(lower(email_key) like ${pattern} escape '\\' or lower(coalesce(name, '')) like ${pattern} escape '\\')`);
    }
    if (c) q = q.where((eb) => before(eb, c));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
    return pageOf(rows.map(toUser), page.limit, (u) => u);
  }

  async update(tenantId: string, id: string, ch: UserChanges, at: string): Promise<boolean | 'email_exists'> {
    const set: Partial<Record<keyof UsersTable, unknown>> = { updated_at: at };
    if (ch.email !== undefined) set.email = ch.email;
    if (ch.emailKey !== undefined) set.email_key = ch.emailKey;
    if (ch.emailVerified !== undefined) set.email_verified = ch.emailVerified ? 1 : 0;
    if (ch.name !== undefined) set.name = ch.name;
    if (ch.passwordHash !== undefined) set.password_hash = ch.passwordHash;
    if (ch.mfaEmail !== undefined) set.mfa_email = ch.mfaEmail ? 1 : 0;
    try {
      const r = await this.db.updateTable('users').set(set as never).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    } catch (err) {
      if (isUniqueViolation(err)) return 'email_exists';
      throw err;
    }
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // Explicit, so SQLite without foreign-key enforcement ends in the same state.
      await trx.deleteFrom('refresh_tokens').where('tenant_id', '=', tenantId).where('user_id', '=', id).execute();
      await trx.deleteFrom('identity_grants').where('tenant_id', '=', tenantId).where('user_id', '=', id).execute();
      await trx.deleteFrom('organization_members').where('tenant_id', '=', tenantId).where('user_id', '=', id).execute();
      await trx.deleteFrom('user_devices').where('tenant_id', '=', tenantId).where('user_id', '=', id).execute();
      const r = await trx.deleteFrom('users').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }
}

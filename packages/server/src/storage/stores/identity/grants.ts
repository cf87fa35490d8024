import type { Kysely } from 'kysely';
import type { Database } from '../../schema.js';
import type { Grant, GrantKind, GrantStore } from '../../../core/identity/ports.js';

export class SqlGrantStore implements GrantStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(g: Grant): Promise<void> {
    await this.db
      .insertInto('identity_grants')
      .values({ token_hash: g.tokenHash, tenant_id: g.tenantId, kind: g.kind, user_id: g.userId, email: g.email, email_key: g.emailKey, data: g.data ? JSON.stringify(g.data) : null, expires_at: g.expiresAt, created_at: g.createdAt, consumed_at: null })
      .execute();
  }

  async find(tenantId: string, kind: GrantKind, tokenHash: string, now: string): Promise<Grant | undefined> {
    const r = await this.db
      .selectFrom('identity_grants')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', kind)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (!r) return undefined;
    return { tokenHash: r.token_hash, tenantId: r.tenant_id, kind: r.kind, userId: r.user_id, email: r.email, emailKey: r.email_key, data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : null, expiresAt: r.expires_at, createdAt: r.created_at };
  }

  async consume(tenantId: string, kind: GrantKind, tokenHash: string, now: string): Promise<boolean> {
    const r = await this.db
      .updateTable('identity_grants')
      .set({ consumed_at: now })
      .where('token_hash', '=', tokenHash)
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', kind)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async revokeUser(tenantId: string, userId: string, now: string): Promise<void> {
    await this.db.updateTable('identity_grants').set({ consumed_at: now }).where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('consumed_at', 'is', null).execute();
  }

  async purge(before: string): Promise<number> {
    const r = await this.db.deleteFrom('identity_grants').where('expires_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

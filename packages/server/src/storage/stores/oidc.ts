import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { OidcPayload, OidcStore } from '../../core/applications/ports.js';

/**
 * The storage behind oidc-provider's adapter interface, on the tenant's database
 * (SQLite or PostgreSQL). Expired rows read as absent; housekeeping may delete them.
 */
export class SqlOidcStore implements OidcStore {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(
    tenantId: string,
    model: string,
    id: string,
    payload: OidcPayload,
    expiresInSeconds: number | undefined,
    now: Date,
  ): Promise<void> {
    const row = {
      payload: JSON.stringify(payload),
      grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
      user_code: typeof payload.userCode === 'string' ? payload.userCode : null,
      uid: typeof payload.uid === 'string' ? payload.uid : null,
      expires_at: expiresInSeconds ? new Date(now.getTime() + expiresInSeconds * 1000).toISOString() : null,
      consumed_at: null,
    };
    await this.db
      .insertInto('oidc_payloads')
      .values({ tenant_id: tenantId, model, id, ...row })
      .onConflict((oc) => oc.columns(['tenant_id', 'model', 'id']).doUpdateSet(row))
      .execute();
  }

  private async findWhere(
    tenantId: string,
    model: string,
    column: 'id' | 'uid' | 'user_code',
    value: string,
    now: Date,
  ): Promise<OidcPayload | undefined> {
    const r = await this.db
      .selectFrom('oidc_payloads')
      .select(['payload', 'consumed_at', 'expires_at'])
      .where('tenant_id', '=', tenantId)
      .where('model', '=', model)
      .where(column, '=', value)
      .executeTakeFirst();
    if (!r) return undefined;
    if (r.expires_at !== null && r.expires_at <= now.toISOString()) return undefined;
    const p = JSON.parse(r.payload) as OidcPayload;
    if (r.consumed_at !== null) p.consumed = Math.floor(Date.parse(r.consumed_at) / 1000);
    return p;
  }

  find(tenantId: string, model: string, id: string, now: Date): Promise<OidcPayload | undefined> {
    return this.findWhere(tenantId, model, 'id', id, now);
  }

  findByUid(tenantId: string, model: string, uid: string, now: Date): Promise<OidcPayload | undefined> {
    return this.findWhere(tenantId, model, 'uid', uid, now);
  }

  findByUserCode(tenantId: string, model: string, userCode: string, now: Date): Promise<OidcPayload | undefined> {
    return this.findWhere(tenantId, model, 'user_code', userCode, now);
  }

  async consume(tenantId: string, model: string, id: string, now: Date): Promise<void> {
    await this.db
      .updateTable('oidc_payloads')
      .set({ consumed_at: now.toISOString() })
      .where('tenant_id', '=', tenantId)
      .where('model', '=', model)
      .where('id', '=', id)
      .execute();
  }

  async destroy(tenantId: string, model: string, id: string): Promise<void> {
    await this.db
      .deleteFrom('oidc_payloads')
      .where('tenant_id', '=', tenantId)
      .where('model', '=', model)
      .where('id', '=', id)
      .execute();
  }

  /** Everything issued under one grant (codes, tokens), e.g. when a refresh token is reused. */
  async revokeByGrantId(tenantId: string, grantId: string): Promise<void> {
    await this.db
      .deleteFrom('oidc_payloads')
      .where('tenant_id', '=', tenantId)
      .where('grant_id', '=', grantId)
      .execute();
  }

  /** Every record of a client (its application was deleted). */
  async revokeByClient(tenantId: string, clientId: string): Promise<void> {
    const rows = await this.db
      .selectFrom('oidc_payloads')
      .select(['model', 'id', 'payload'])
      .where('tenant_id', '=', tenantId)
      .where('grant_id', 'is not', null)
      .execute();
    for (const r of rows) {
      const p = JSON.parse(r.payload) as { clientId?: unknown };
      if (p.clientId === clientId) await this.destroy(tenantId, r.model, r.id);
    }
  }
}

import type { Kysely } from 'kysely';
import type { Database } from '../../schema.js';
import type { Dialect } from '../../db.js';
import { prepare, Prepared } from '../../prepared.js';
import type { RefreshTokenRecord, RefreshTokenStore, RotateOutcome, SessionInfo } from '../../../core/identity/ports.js';

export class SqlRefreshTokenStore implements RefreshTokenStore {
  private readonly insertOne;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly prepared: Prepared = new Prepared(db),
  ) {
    this.insertOne = prepare((p) =>
      db.insertInto('refresh_tokens').values({
        id: p('id'),
        tenant_id: p('tenantId'),
        user_id: p('userId'),
        family_id: p('familyId'),
        token_hash: p('tokenHash'),
        status: 'active',
        amr: p('amr'),
        expires_at: p('expiresAt'),
        created_at: p('createdAt'),
        used_at: null,
      }),
    );
  }

  async insert(t: RefreshTokenRecord): Promise<void> {
    await this.prepared.run(this.insertOne, { ...t, amr: JSON.stringify(t.amr) });
  }

  async rotate(tenantId: string, oldHash: string, next: Omit<RefreshTokenRecord, 'familyId' | 'userId' | 'amr' | 'tenantId'>, now: string): Promise<RotateOutcome> {
    return this.db.transaction().execute(async (trx): Promise<RotateOutcome> => {
      let sel = trx.selectFrom('refresh_tokens').selectAll().where('tenant_id', '=', tenantId).where('token_hash', '=', oldHash);
      if (this.dialect === 'postgres') sel = sel.forUpdate();
      const row = await sel.executeTakeFirst();
      if (!row) return { outcome: 'invalid' };
      const revokeFamily = async () => {
        await trx.updateTable('refresh_tokens').set({ status: 'revoked' }).where('tenant_id', '=', tenantId).where('family_id', '=', row.family_id).where('status', '!=', 'revoked').execute();
      };
      if (row.status !== 'active') {
        // A dead token presented again: someone holds a copy. Kill the whole family.
        await revokeFamily();
        return { outcome: 'reused' };
      }
      if (row.expires_at <= now) return { outcome: 'invalid' };
      const upd = await trx.updateTable('refresh_tokens').set({ status: 'rotated', used_at: now }).where('id', '=', row.id).where('status', '=', 'active').executeTakeFirst();
      if (Number(upd.numUpdatedRows) !== 1) {
        await revokeFamily();
        return { outcome: 'reused' };
      }
      const amr = JSON.parse(row.amr) as string[];
      await trx
        .insertInto('refresh_tokens')
        .values({ id: next.id, tenant_id: tenantId, user_id: row.user_id, family_id: row.family_id, token_hash: next.tokenHash, status: 'active', amr: row.amr, expires_at: next.expiresAt, created_at: next.createdAt, used_at: null })
        .execute();
      return { outcome: 'ok', previous: { id: row.id, tenantId, userId: row.user_id, familyId: row.family_id, tokenHash: row.token_hash, amr, expiresAt: row.expires_at, createdAt: row.created_at } };
    });
  }

  async revokeFamilyOf(tenantId: string, tokenHash: string): Promise<void> {
    const row = await this.db.selectFrom('refresh_tokens').select('family_id').where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash).executeTakeFirst();
    if (!row) return;
    await this.db.updateTable('refresh_tokens').set({ status: 'revoked' }).where('tenant_id', '=', tenantId).where('family_id', '=', row.family_id).execute();
  }

  async revokeUser(tenantId: string, userId: string, keepFamily?: string): Promise<number> {
    let q = this.db.updateTable('refresh_tokens').set({ status: 'revoked' }).where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('status', '!=', 'revoked');
    if (keepFamily) q = q.where('family_id', '!=', keepFamily);
    return Number((await q.executeTakeFirst()).numUpdatedRows);
  }

  async purge(before: string, limit: number): Promise<number> {
    const ids = this.db.selectFrom('refresh_tokens').select('id').where('expires_at', '<', before).limit(limit);
    const r = await this.db.deleteFrom('refresh_tokens').where('id', 'in', ids).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async familyActive(tenantId: string, familyId: string, now: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('refresh_tokens')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('family_id', '=', familyId)
      .where('status', '=', 'active')
      .where('expires_at', '>', now)
      .limit(1)
      .executeTakeFirst();
    return r !== undefined;
  }

  async sessionsOf(tenantId: string, userId: string, now: string): Promise<SessionInfo[]> {
    const live = await this.db
      .selectFrom('refresh_tokens')
      .select(['family_id', 'amr', 'created_at', 'expires_at'])
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where('status', '=', 'active')
      .where('expires_at', '>', now)
      .execute();
    if (!live.length) return [];
    const started = await this.db
      .selectFrom('refresh_tokens')
      .select(['family_id', (eb) => eb.fn.min('created_at').as('started')])
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where(
        'family_id',
        'in',
        live.map((r) => r.family_id),
      )
      .groupBy('family_id')
      .execute();
    const startOf = new Map(started.map((r) => [r.family_id, String(r.started)]));
    return live
      .map((r) => ({ id: r.family_id, amr: JSON.parse(r.amr) as string[], createdAt: startOf.get(r.family_id) ?? r.created_at, lastActiveAt: r.created_at, expiresAt: r.expires_at }))
      .sort((a, b) => (a.lastActiveAt < b.lastActiveAt ? 1 : a.lastActiveAt > b.lastActiveAt ? -1 : a.id < b.id ? 1 : -1));
  }

  async revokeFamily(tenantId: string, userId: string, familyId: string): Promise<boolean> {
    const r = await this.db.updateTable('refresh_tokens').set({ status: 'revoked' }).where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('family_id', '=', familyId).where('status', '!=', 'revoked').executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}

import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { CodeAttempt, CodeStore, StoredCode } from '../../core/ports.js';
import type { Dialect } from '../db.js';

export class SqlCodeStore implements CodeStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async issue(c: StoredCode): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('verification_codes')
        .set({ status: 'invalidated' })
        .where('tenant_id', '=', c.tenantId)
        .where('recipient_key', '=', c.recipientKey)
        .where('purpose', '=', c.purpose)
        .where('status', '=', 'active')
        .execute();
      await trx
        .insertInto('verification_codes')
        .values({
          id: c.id,
          tenant_id: c.tenantId,
          recipient_key: c.recipientKey,
          email: c.email,
          purpose: c.purpose,
          code_hmac: c.codeHmac,
          attempts: 0,
          max_attempts: c.maxAttempts,
          status: 'active',
          payload: c.payload ? JSON.stringify(c.payload) : null,
          expires_at: c.expiresAt,
          created_at: c.createdAt,
          consumed_at: null,
        })
        .execute();
    });
  }

  async attempt(q: { tenantId: string; id: string; recipientKey: string; purpose: string; now: string }, matches: (codeHmac: string) => boolean): Promise<CodeAttempt> {
    return this.db.transaction().execute(async (trx) => {
      let sel = trx.selectFrom('verification_codes').selectAll().where('id', '=', q.id).where('tenant_id', '=', q.tenantId);
      if (this.dialect === 'postgres') sel = sel.forUpdate();
      const row = await sel.executeTakeFirst();
      // A code for another recipient or purpose does not exist, as far as this caller knows.
      if (!row || row.recipient_key !== q.recipientKey || row.purpose !== q.purpose || row.status !== 'active') {
        return { outcome: 'not_found', attempts: 0, maxAttempts: 0 };
      }
      const base = { attempts: Number(row.attempts), maxAttempts: Number(row.max_attempts) };
      if (row.expires_at <= q.now) return { outcome: 'expired', ...base };
      if (base.attempts >= base.maxAttempts) return { outcome: 'exhausted', ...base };
      const ok = matches(row.code_hmac);
      const attempts = base.attempts + 1;
      // Guarded by the attempt count read above, so a racing writer on SQLite (serialised
      // anyway) or a missing row lock can never evaluate more than maxAttempts.
      const res = await trx
        .updateTable('verification_codes')
        .set(ok ? { attempts, status: 'consumed', consumed_at: q.now } : { attempts })
        .where('id', '=', q.id)
        .where('status', '=', 'active')
        .where('attempts', '=', base.attempts)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return { outcome: 'not_found', ...base };
      if (!ok) return { outcome: 'mismatch', attempts, maxAttempts: base.maxAttempts };
      return { outcome: 'ok', attempts, maxAttempts: base.maxAttempts, email: row.email, payload: row.payload ? (JSON.parse(row.payload) as Record<string, unknown>) : null };
    });
  }

  async invalidateRecipient(tenantId: string, recipientKey: string, purposePrefix?: string): Promise<number> {
    let q = this.db.updateTable('verification_codes').set({ status: 'invalidated' }).where('tenant_id', '=', tenantId).where('recipient_key', '=', recipientKey).where('status', '=', 'active');
    if (purposePrefix) q = q.where('purpose', 'like', `${purposePrefix.replace(/[%_]/g, '')}%`);
    return Number((await q.executeTakeFirst()).numUpdatedRows);
  }

  async invalidate(tenantId: string, id: string): Promise<void> {
    await this.db.updateTable('verification_codes').set({ status: 'invalidated' }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }

  async purge(before: string, limit: number): Promise<number> {
    const ids = this.db
      .selectFrom('verification_codes')
      .select('id')
      .where((eb) => eb.or([eb('expires_at', '<', before), eb.and([eb('status', '!=', 'active'), eb('created_at', '<', before)])]))
      .limit(limit);
    const r = await this.db.deleteFrom('verification_codes').where('id', 'in', ids).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}


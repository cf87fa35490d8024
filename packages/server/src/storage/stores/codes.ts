import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../schema.js';
import type { CodeAttempt, CodeStore, StoredCode } from '../../core/ports.js';
import type { Dialect } from '../db.js';
import { prepare, Prepared } from '../prepared.js';
import { outboxInsertQuery, type OutboxRow } from './outbox.js';

type CodeRow = Selectable<Database['verification_codes']>;
type Attempt = { tenantId: string; id: string; recipientKey: string; purpose: string; now: string };

/**
 * What one attempt does to the row it read: the outcome, and the guarded update to make
 * (none when the row is not attemptable). Shared by the synchronous SQLite path and the
 * Kysely path, which differ only in how they read and write.
 */
/** `T:flow` names one purpose; `*:flow` any template type of that flow (the verification id names it). */
function purposeFits(stored: string, asked: string): boolean {
  if (asked.startsWith('*:')) return stored.slice(stored.indexOf(':')) === asked.slice(1);
  return stored === asked;
}

/** Undefined when the row can take an attempt from this caller, else what an attempt would answer. */
function attemptable(row: CodeRow | undefined, q: Attempt): CodeAttempt | undefined {
  // A code for another recipient or purpose does not exist, as far as this caller knows.
  if (!row || row.recipient_key !== q.recipientKey || !purposeFits(row.purpose, q.purpose) || row.status !== 'active') {
    return { outcome: 'not_found', attempts: 0, maxAttempts: 0 };
  }
  const base = { attempts: Number(row.attempts), maxAttempts: Number(row.max_attempts) };
  if (row.expires_at <= q.now) return { outcome: 'expired', ...base };
  if (base.attempts >= base.maxAttempts) return { outcome: 'exhausted', ...base };
  return undefined;
}

function decide(row: CodeRow | undefined, q: Attempt, matches: (codeHmac: string) => boolean): { result: CodeAttempt; update?: Record<string, unknown> } {
  const refused = attemptable(row, q);
  if (refused || !row) return { result: refused ?? { outcome: 'not_found', attempts: 0, maxAttempts: 0 } };
  const base = { attempts: Number(row.attempts), maxAttempts: Number(row.max_attempts) };
  const ok = matches(row.code_hmac);
  const attempts = base.attempts + 1;
  const update = { id: q.id, attempts, previous: base.attempts, status: ok ? 'consumed' : 'active', consumedAt: ok ? q.now : null };
  if (!ok) return { result: { outcome: 'mismatch', attempts, maxAttempts: base.maxAttempts }, update };
  return {
    result: { outcome: 'ok', attempts, maxAttempts: base.maxAttempts, email: row.email, payload: row.payload ? (JSON.parse(row.payload) as Record<string, unknown>) : null },
    update,
  };
}

/** The outcome once the guarded update ran: no row changed means a racing writer won. */
const afterUpdate = (d: ReturnType<typeof decide>, changed: number): CodeAttempt =>
  d.update && changed !== 1 ? { outcome: 'not_found', attempts: d.result.attempts - 1, maxAttempts: d.result.maxAttempts } : d.result;

export class SqlCodeStore implements CodeStore {
  private readonly q;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly prepared: Prepared = new Prepared(db),
  ) {
    this.q = {
      invalidateActive: prepare((p) =>
        db
          .updateTable('verification_codes')
          .set({ status: 'invalidated' })
          .where('tenant_id', '=', p('tenantId'))
          .where('recipient_key', '=', p('recipientKey'))
          .where('purpose', '=', p('purpose'))
          .where('status', '=', 'active'),
      ),
      outbox: outboxInsertQuery(db),
      insert: prepare((p) =>
        db.insertInto('verification_codes').values({
          id: p('id'),
          tenant_id: p('tenantId'),
          recipient_key: p('recipientKey'),
          email: p('email'),
          purpose: p('purpose'),
          code_hmac: p('codeHmac'),
          attempts: 0,
          max_attempts: p('maxAttempts'),
          status: 'active',
          payload: p('payload'),
          expires_at: p('expiresAt'),
          created_at: p('createdAt'),
          consumed_at: null,
        }),
      ),
      peek: prepare((p) => db.selectFrom('verification_codes').selectAll().where('id', '=', p('id')).where('tenant_id', '=', p('tenantId'))),
      select: prepare((p) => {
        const sel = db.selectFrom('verification_codes').selectAll().where('id', '=', p('id')).where('tenant_id', '=', p('tenantId'));
        return dialect === 'postgres' ? sel.forUpdate() : sel;
      }),
      // Guarded by the attempt count read before, so a racing writer on SQLite (serialised
      // anyway) or a missing row lock can never evaluate more than maxAttempts.
      attempt: prepare((p) =>
        db
          .updateTable('verification_codes')
          .set({ attempts: p('attempts'), status: p('status'), consumed_at: p('consumedAt') })
          .where('id', '=', p('id'))
          .where('status', '=', 'active')
          .where('attempts', '=', p('previous')),
      ),
    };
  }

  async issue(c: StoredCode, outbox?: OutboxRow): Promise<void> {
    const row = { ...c, payload: c.payload ? JSON.stringify(c.payload) : null };
    const sync = this.prepared.sync;
    if (sync) {
      sync.transaction(() => {
        sync.run(this.q.invalidateActive, row);
        sync.run(this.q.insert, row);
        if (outbox) sync.run(this.q.outbox, outbox);
      });
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      await this.prepared.run(this.q.invalidateActive, row, trx);
      await this.prepared.run(this.q.insert, row, trx);
      if (outbox) await this.prepared.run(this.q.outbox, outbox, trx);
    });
  }

  async probe(q: Attempt): Promise<CodeAttempt | undefined> {
    return attemptable(await this.prepared.first(this.q.peek, q), q);
  }

  async attempt(q: Attempt, matches: (codeHmac: string) => boolean): Promise<CodeAttempt> {
    const sync = this.prepared.sync;
    if (sync) {
      return sync.transaction(() => {
        const d = decide(sync.first(this.q.select, q), q, matches);
        return afterUpdate(d, d.update ? sync.run(this.q.attempt, d.update) : 0);
      });
    }
    return this.db.transaction().execute(async (trx) => {
      const d = decide(await this.prepared.first(this.q.select, q, trx), q, matches);
      return afterUpdate(d, d.update ? await this.prepared.run(this.q.attempt, d.update, trx) : 0);
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


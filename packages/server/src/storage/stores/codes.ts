import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../schema.js';
import type {
  CodeAttempt,
  CodeAttemptDecision,
  CodeAttemptTarget,
  CodeStore,
  StoredCode,
  StoredCodeState,
} from '../../core/ports.js';
import type { Dialect } from '../db.js';
import { chain, grouped, prepare, Prepared } from '../prepared.js';
import { outboxInsertQuery, type OutboxRow } from './outbox.js';

type CodeRow = Selectable<Database['verification_codes']>;

/** The row as core's attempt rule sees it. */
function toState(row: CodeRow | undefined): StoredCodeState | undefined {
  if (!row) return undefined;
  return {
    recipientKey: row.recipient_key,
    email: row.email,
    purpose: row.purpose,
    codeHmac: row.code_hmac,
    status: row.status as StoredCodeState['status'],
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    expiresAt: row.expires_at,
    payload: row.payload ? (JSON.parse(row.payload) as Record<string, unknown>) : null,
  };
}

/** The outcome once the guarded update ran: no row changed means a racing writer won. */
const afterUpdate = (d: CodeAttemptDecision, changed: number): CodeAttempt =>
  d.update && changed !== 1 ? (d.lost ?? d.result) : d.result;

export class SqlCodeStore implements CodeStore {
  private readonly q;
  /** PostgreSQL: the issue as one statement (earlier codes invalidated, the code inserted, its outbox row). */
  private readonly pgIssue;

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
      peek: prepare((p) =>
        db
          .selectFrom('verification_codes')
          .selectAll()
          .where('id', '=', p('id'))
          .where('tenant_id', '=', p('tenantId')),
      ),
      // Guarded by the status and attempt count read before, so a racing writer can never
      // make more than maxAttempts evaluated (SQLite serialises them anyway).
      attempt: prepare((p) =>
        db
          .updateTable('verification_codes')
          .set({ attempts: p('attempts'), status: p('status'), consumed_at: p('consumedAt') })
          .where('id', '=', p('id'))
          .where('status', '=', 'active')
          .where('attempts', '=', p('previous')),
      ),
    };
    this.pgIssue = {
      alone: chain([['code', this.q.invalidateActive]], ['code', this.q.insert]),
      withOutbox: chain(
        [
          ['code', this.q.invalidateActive],
          ['outbox', this.q.outbox],
        ],
        ['code', this.q.insert],
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
    if (this.dialect === 'postgres') {
      // One statement, so one round trip and one commit: its steps touch different rows
      // (the invalidation cannot see the row being inserted), so they need no order.
      await this.prepared.run(
        outbox ? this.pgIssue.withOutbox : this.pgIssue.alone,
        grouped({ code: row, ...(outbox ? { outbox } : {}) }),
      );
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      await this.prepared.run(this.q.invalidateActive, row, trx);
      await this.prepared.run(this.q.insert, row, trx);
      if (outbox) await this.prepared.run(this.q.outbox, outbox, trx);
    });
  }

  async probe(q: Pick<CodeAttemptTarget, 'tenantId' | 'id'>): Promise<StoredCodeState | undefined> {
    return toState(await this.prepared.first(this.q.peek, { id: q.id, tenantId: q.tenantId }));
  }

  async attempt(
    q: CodeAttemptTarget,
    decide: (code: StoredCodeState | undefined) => CodeAttemptDecision,
    known?: StoredCodeState,
  ): Promise<CodeAttempt> {
    const sync = this.prepared.sync;
    if (sync) {
      return sync.transaction(() => {
        const d = decide(toState(sync.first(this.q.peek, { id: q.id, tenantId: q.tenantId })));
        return afterUpdate(d, d.update ? sync.run(this.q.attempt, { id: q.id, ...d.update }) : 0);
      });
    }
    if (this.dialect === 'postgres') return this.compareAndSet(q, decide, known);
    return this.db.transaction().execute(async (trx) => {
      const d = decide(toState(await this.prepared.first(this.q.peek, { id: q.id, tenantId: q.tenantId }, trx)));
      return afterUpdate(d, d.update ? await this.prepared.run(this.q.attempt, { id: q.id, ...d.update }, trx) : 0);
    });
  }

  /**
   * PostgreSQL without a transaction: the decision is applied by the update guarded by the
   * status and attempt count it was made on (one statement, one round trip). When the guard
   * finds the row changed, a racing attempt got there first: the row is read again and the
   * attempt decided anew, exactly as it would have been after waiting for that attempt's row
   * lock. Each retry follows a change that counted an attempt or ended the code, so there
   * are at most maxAttempts + 1 of them.
   */
  private async compareAndSet(
    q: CodeAttemptTarget,
    decide: (code: StoredCodeState | undefined) => CodeAttemptDecision,
    known?: StoredCodeState,
  ): Promise<CodeAttempt> {
    const read = async () => toState(await this.prepared.first(this.q.peek, { id: q.id, tenantId: q.tenantId }));
    let state = known ?? (await read());
    for (;;) {
      const d = decide(state);
      if (!d.update) return d.result;
      if ((await this.prepared.run(this.q.attempt, { id: q.id, ...d.update })) === 1) return d.result;
      state = await read();
    }
  }

  async invalidateRecipient(tenantId: string, recipientKey: string, purposePrefix?: string): Promise<number> {
    let q = this.db
      .updateTable('verification_codes')
      .set({ status: 'invalidated' })
      .where('tenant_id', '=', tenantId)
      .where('recipient_key', '=', recipientKey)
      .where('status', '=', 'active');
    if (purposePrefix) q = q.where('purpose', 'like', `${purposePrefix.replace(/[%_]/g, '')}%`);
    return Number((await q.executeTakeFirst()).numUpdatedRows);
  }

  async invalidate(tenantId: string, id: string): Promise<void> {
    await this.db
      .updateTable('verification_codes')
      .set({ status: 'invalidated' })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  async purge(before: string, limit: number): Promise<number> {
    const ids = this.db
      .selectFrom('verification_codes')
      .select('id')
      .where((eb) =>
        eb.or([eb('expires_at', '<', before), eb.and([eb('status', '!=', 'active'), eb('created_at', '<', before)])]),
      )
      .limit(limit);
    const r = await this.db.deleteFrom('verification_codes').where('id', 'in', ids).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { OutboxFinish, OutboxRetry, OutboxRow, OutboxState, OutboxStore } from '../../core/ports.js';
import type { Dialect } from '../db.js';
import type { Page, PageRequest } from '../../core/ports.js';
import { decodeCursor, pageOf } from '../cursor.js';
import { before } from './keyset.js';
import { chain, grouped, prepare, Prepared, type PreparedQuery, type SyncSqlite } from '../prepared.js';
import { emailLogInsertQuery, emailLogParams } from './email-logs.js';

export type { OutboxRow } from '../../core/ports.js';

/** The outbox insert, compiled once; the code store runs it inside its own transaction. */
export function outboxInsertQuery(db: Kysely<Database>): PreparedQuery<unknown> {
  return prepare((p) =>
    db.insertInto('outbox').values({
      id: p('id'),
      tenant_id: p('tenant_id'),
      state: p('state'),
      source: p('source'),
      template_type: p('template_type'),
      to_address: p('to_address'),
      payload: p('payload'),
      guard_kind: p('guard_kind'),
      guard_id: p('guard_id'),
      guard_hash: p('guard_hash'),
      attempts: p('attempts'),
      lease_owner: p('lease_owner'),
      lease_until: p('lease_until'),
      next_attempt_at: p('next_attempt_at'),
      not_after: p('not_after'),
      last_error_code: p('last_error_code'),
      last_error_message: p('last_error_message'),
      provider_message_id: p('provider_message_id'),
      created_at: p('created_at'),
      updated_at: p('updated_at'),
      finished_at: p('finished_at'),
    }),
  );
}

/**
 * The outbox table. Claims take due rows and rows whose lease expired; on PostgreSQL with
 * `FOR UPDATE SKIP LOCKED`, so that instances claiming at once never get the same row. Every
 * change of a claimed row is guarded by its lease owner, so an instance whose lease was
 * taken over cannot overwrite the new owner's outcome.
 */
export class SqlOutboxStore implements OutboxStore {
  private readonly q;
  /** PostgreSQL: the email-log insert and the final update as one statement. */
  private readonly logAndFinish;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly prepared: Prepared = new Prepared(db),
  ) {
    this.q = {
      insert: outboxInsertQuery(db),
      log: emailLogInsertQuery(db),
      finish: prepare((p) =>
        db
          .updateTable('outbox')
          .set({
            state: p('state'),
            attempts: p('attempts'),
            last_error_code: p('errorCode'),
            last_error_message: p('errorMessage'),
            provider_message_id: p('providerMessageId'),
            lease_owner: null,
            lease_until: null,
            updated_at: p('at'),
            finished_at: p('at'),
          })
          .where('id', '=', p('id'))
          .where('state', '=', 'sending')
          .where('lease_owner', '=', p('owner')),
      ),
      retry: prepare((p) =>
        db
          .updateTable('outbox')
          .set({
            state: 'queued',
            attempts: p('attempts'),
            next_attempt_at: p('nextAttemptAt'),
            last_error_code: p('errorCode'),
            last_error_message: p('errorMessage'),
            lease_owner: null,
            lease_until: null,
            updated_at: p('at'),
          })
          .where('id', '=', p('id'))
          .where('state', '=', 'sending')
          .where('lease_owner', '=', p('owner')),
      ),
      extend: prepare((p) =>
        db
          .updateTable('outbox')
          .set({ lease_until: p('until') })
          .where('id', '=', p('id'))
          .where('state', '=', 'sending')
          .where('lease_owner', '=', p('owner')),
      ),
    };
    this.logAndFinish = chain([['log', this.q.log]], ['finish', this.q.finish]);
  }

  /** Extends the lease of a row this owner is still working on; false when it was lost. */
  async extend(id: string, owner: string, until: string): Promise<boolean> {
    return (await this.prepared.run(this.q.extend, { id, owner, until })) === 1;
  }

  async insert(row: OutboxRow): Promise<void> {
    await this.prepared.run(this.q.insert, row);
  }

  /** Claims up to `limit` rows that are due or whose lease expired, leasing them to `owner`. */
  async claim(owner: string, now: string, leaseUntil: string, limit: number): Promise<OutboxRow[]> {
    let due = this.db
      .selectFrom('outbox')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('state', '=', 'sending'), eb('lease_until', '<', now)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .limit(limit);
    if (this.dialect === 'postgres') due = due.forUpdate().skipLocked();
    return this.db
      .updateTable('outbox')
      .set({ state: 'sending', lease_owner: owner, lease_until: leaseUntil, updated_at: now })
      .where('id', 'in', due)
      .returningAll()
      .execute();
  }

  /**
   * Records a final outcome, and its email-log entry when given (kept even when the lease was
   * lost: the attempt happened); false when the lease was lost (another instance owns the
   * row). On SQLite both statements share one commit; on PostgreSQL they are one statement
   * (the insert a step of the update's WITH, which runs whether or not the update matches).
   */
  async finish(f: OutboxFinish): Promise<boolean> {
    const { log } = f;
    if (!log) return (await this.prepared.run(this.q.finish, f)) === 1;
    if (this.prepared.sync) return this.finishInGroup(f);
    if (this.dialect === 'postgres')
      return (
        (await this.prepared.run(
          this.logAndFinish,
          grouped({ log: emailLogParams(log), finish: f as unknown as Record<string, unknown> }),
        )) === 1
      );
    await this.prepared.run(this.q.log, emailLogParams(log));
    return (await this.prepared.run(this.q.finish, f)) === 1;
  }

  /**
   * SQLite: the final writes (email log and row) of every delivery that ends in the same
   * turn of the event loop share one transaction, committed once the turn's other callbacks
   * have run (`setImmediate`): a commit is most of what a finish costs, and at load several
   * deliveries end per turn (`bench/outbox-sql.mjs`: 35–45 µs less per send in pairs, 60–80 µs
   * in eights). Each caller still waits for its own writes to be committed. Should the group
   * fail, each finish is retried in a transaction of its own, so that one bad row fails alone.
   */
  private finishInGroup(f: OutboxFinish): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      if (!this.group) {
        this.group = [];
        setImmediate(() => this.commitGroup());
      }
      this.group.push({ f, resolve, reject });
    });
  }

  private group: Array<{ f: OutboxFinish; resolve: (owned: boolean) => void; reject: (err: unknown) => void }> | undefined;

  private commitGroup(): void {
    const group = this.group ?? [];
    this.group = undefined;
    const one = (sync: SyncSqlite, f: OutboxFinish) => (sync.run(this.q.log, emailLogParams(f.log!)), sync.run(this.q.finish, f) === 1);
    const sync = this.prepared.sync;
    if (sync && group.length > 1) {
      try {
        const owned = sync.transaction(() => group.map((g) => one(sync, g.f)));
        group.forEach((g, i) => g.resolve(owned[i]!));
        return;
      } catch {
        // One of them failed: below, each on its own.
      }
    }
    for (const g of group) {
      const s = this.prepared.sync;
      if (s) {
        try {
          g.resolve(s.transaction(() => one(s, g.f)));
        } catch (err) {
          g.reject(err);
        }
      } else {
        // A Kysely transaction holds the connection now: the statements wait for it there.
        this.finishAsync(g.f).then(g.resolve, g.reject);
      }
    }
  }

  private async finishAsync(f: OutboxFinish): Promise<boolean> {
    await this.prepared.run(this.q.log, emailLogParams(f.log!));
    return (await this.prepared.run(this.q.finish, f)) === 1;
  }

  /** Puts a claimed row back in the queue for a later attempt. */
  async retry(r: OutboxRetry): Promise<boolean> {
    return (await this.prepared.run(this.q.retry, r)) === 1;
  }

  /** Whether the code or invitation a message carries is still the live one. */
  async guardHolds(
    row: Pick<OutboxRow, 'tenant_id' | 'guard_kind' | 'guard_id' | 'guard_hash'>,
    now: string,
  ): Promise<boolean> {
    if (!row.guard_kind || !row.guard_id) return true;
    if (row.guard_kind === 'code') {
      const r = await this.db
        .selectFrom('verification_codes')
        .select('id')
        .where('tenant_id', '=', row.tenant_id)
        .where('id', '=', row.guard_id)
        .where('status', '=', 'active')
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return r !== undefined;
    }
    if (row.guard_kind === 'invitation') {
      // The invitation table belongs to the identity stores; read it with plain SQL.
      const r = await sql<{
        id: string;
      }>`select id from organization_invitations where tenant_id = ${row.tenant_id} and id = ${row.guard_id} and status = 'pending' and token_hash = ${row.guard_hash} and expires_at > ${now}`.execute(
        this.db,
      );
      return r.rows.length > 0;
    }
    return false;
  }

  async list(tenantId: string, states: readonly OutboxState[], page: PageRequest): Promise<Page<OutboxRow>> {
    const c = decodeCursor(page.cursor);
    let q = this.db.selectFrom('outbox').selectAll().where('tenant_id', '=', tenantId).where('state', 'in', states);
    if (c) q = q.where((eb) => before(eb, c));
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return pageOf(rows, page.limit, (r) => ({ createdAt: r.created_at, id: r.id }));
  }

  async get(tenantId: string, id: string): Promise<OutboxRow | undefined> {
    return this.db
      .selectFrom('outbox')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Cancels a queued message; false when it is not queued (sending, finished or unknown). */
  async cancel(tenantId: string, id: string, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('outbox')
      .set({
        state: 'cancelled',
        updated_at: at,
        finished_at: at,
        last_error_code: 'outbox.cancelled',
        last_error_message: 'Cancelled by an administrator.',
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('state', '=', 'queued')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Rows waiting (queued or sending) and the creation time of the oldest, over all tenants. */
  async depth(): Promise<{ queued: number; sending: number; oldest: string | null }> {
    // One state at a time, each through its partial index (the due and lease indexes hold
    // only unfinished rows), not through the finished rows that fill the table. The `is not
    // null` on the indexed column is always true for these states (a queued row has its next
    // attempt, a row being sent its lease) and is what steers SQLite, which keeps no
    // statistics, to the partial index.
    const one = (state: 'queued' | 'sending') =>
      this.db
        .selectFrom('outbox')
        .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('created_at').as('oldest')])
        .where('state', '=', state)
        .where(state === 'queued' ? 'next_attempt_at' : 'lease_until', 'is not', null)
        .executeTakeFirst();
    const [queued, sending] = await Promise.all([one('queued'), one('sending')]);
    const oldest = [queued?.oldest, sending?.oldest].filter((v): v is string => typeof v === 'string').sort()[0] ?? null;
    return { queued: Number(queued?.n ?? 0), sending: Number(sending?.n ?? 0), oldest };
  }

  /** Deletes up to `limit` finished rows that finished before `before`. */
  async purge(beforeIso: string, limit: number): Promise<number> {
    const ids = this.db.selectFrom('outbox').select('id').where('finished_at', '<', beforeIso).limit(limit);
    const r = await this.db.deleteFrom('outbox').where('id', 'in', ids).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

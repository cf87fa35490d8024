import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { Clock } from '../core/ports.js';

const DAY = 86_400_000;

export interface RetentionResult {
  emailLogs: number;
  outbox: number;
  mailbox: number;
  rateLimits: number;
  webhookDeliveries: number;
  /** oidc-provider records (codes, tokens, sessions, interactions, grants) past their expiry. */
  oidcPayloads: number;
}

/**
 * Retention (SPEC §15): email logs, finished outbox rows and finished webhook deliveries go after `POSTERN_RETENTION_DAYS`,
 * mailbox messages after the smaller of 7 days and that, rate-limit rows an hour after they
 * expire, OpenID records (codes, tokens, sessions, grants) once they expire. Every table is trimmed in small batches (200 rows), each its own short statement,
 * with a short pause between them, so no request waits behind a long delete or lock on
 * either database. Several instances may trim at once: a delete is idempotent.
 */
export class Retention {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly days: number,
    private readonly batch = 200,
    /** A pause between batches, so requests and the WAL checkpointer get the database between them. */
    private readonly pauseMs = 5,
  ) {}

  private async drain(step: () => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await step();
      total += n;
      if (n < this.batch) return total;
      await new Promise((r) => setTimeout(r, this.pauseMs));
    }
  }

  private async trim(
    table: 'email_logs' | 'mailbox' | 'outbox' | 'webhook_deliveries',
    column: 'created_at' | 'finished_at',
    before: string,
  ): Promise<number> {
    return this.drain(async () => {
      const ids = this.db.selectFrom(table).select('id').where(column, '<', before).limit(this.batch);
      const r = await this.db.deleteFrom(table).where('id', 'in', ids).executeTakeFirst();
      return Number(r.numDeletedRows);
    });
  }

  async run(): Promise<RetentionResult> {
    const now = this.clock.now().getTime();
    const window = new Date(now - this.days * DAY).toISOString();
    const mailboxWindow = new Date(now - Math.min(7, this.days) * DAY).toISOString();
    const emailLogs = await this.trim('email_logs', 'created_at', window);
    const outbox = await this.trim('outbox', 'finished_at', window);
    const mailbox = await this.trim('mailbox', 'created_at', mailboxWindow);
    const webhookDeliveries = await this.trim('webhook_deliveries', 'finished_at', window);
    // rate-limiter-flexible's PostgreSQL rows carry `expire` in epoch milliseconds; the
    // table exists on SQLite too (unused there) and is trimmed the same way.
    const expired = now - 3_600_000;
    const rateLimits = await this.drain(async () => {
      const r =
        await sql`delete from rate_limits where key in (select key from rate_limits where expire < ${expired} limit ${this.batch})`.execute(
          this.db,
        );
      return Number(r.numAffectedRows ?? 0n);
    });
    // Expired OpenID records already read as absent; the composite key is matched per row.
    const nowIso = new Date(now).toISOString();
    const oidcPayloads = await this.drain(async () => {
      const rows = await this.db
        .selectFrom('oidc_payloads')
        .select(['tenant_id', 'model', 'id'])
        .where('expires_at', '<=', nowIso)
        .limit(this.batch)
        .execute();
      if (rows.length === 0) return 0;
      const r = await this.db
        .deleteFrom('oidc_payloads')
        .where('expires_at', '<=', nowIso)
        .where((eb) =>
          eb.or(
            rows.map((x) =>
              eb.and([eb('tenant_id', '=', x.tenant_id), eb('model', '=', x.model), eb('id', '=', x.id)]),
            ),
          ),
        )
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    });
    return { emailLogs, outbox, mailbox, rateLimits, webhookDeliveries, oidcPayloads };
  }
}

import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { Page, PageRequest } from '../../core/ports.js';
import type { Suppression, SuppressionStore } from '../../core/events/ports.js';
import { decodeCursor, pageOf } from '../cursor.js';
import { prepare, Prepared } from '../prepared.js';

type Row = Database['suppressions'];
const toEntry = (r: Row): Suppression => ({
  tenantId: r.tenant_id,
  emailKey: r.email_key,
  email: r.email,
  reason: r.reason,
  source: r.source,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

export class SqlSuppressionStore implements SuppressionStore {
  /** Looked up before every send: compiled once (and run synchronously on SQLite). */
  private readonly findQuery;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly prepared: Prepared = new Prepared(db),
  ) {
    this.findQuery = prepare((p) =>
      db
        .selectFrom('suppressions')
        .selectAll()
        .where('tenant_id', '=', p('tenantId'))
        .where('email_key', '=', p('emailKey'))
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', p('now'))])),
    );
  }

  async find(tenantId: string, emailKey: string, now: string): Promise<Suppression | undefined> {
    const row = await this.prepared.first<Row>(this.findQuery, { tenantId, emailKey, now });
    return row ? toEntry(row) : undefined;
  }

  async upsert(s: Suppression): Promise<void> {
    await this.db
      .insertInto('suppressions')
      .values({
        tenant_id: s.tenantId,
        email_key: s.emailKey,
        email: s.email,
        reason: s.reason,
        source: s.source,
        created_at: s.createdAt,
        expires_at: s.expiresAt,
      })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'email_key'])
          .doUpdateSet({
            email: s.email,
            reason: s.reason,
            source: s.source,
            created_at: s.createdAt,
            expires_at: s.expiresAt,
          })
          .where('suppressions.expires_at', 'is not', null),
      )
      .execute();
  }

  async remove(tenantId: string, emailKey: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('suppressions')
      .where('tenant_id', '=', tenantId)
      .where('email_key', '=', emailKey)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async list(tenantId: string, search: string | undefined, now: string, page: PageRequest): Promise<Page<Suppression>> {
    const c = decodeCursor(page.cursor);
    let q = this.db
      .selectFrom('suppressions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
    if (search) {
      const pattern = `%${search.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      q = q.where(sql<boolean>`email_key like ${pattern} escape '\\'`);
    }
    if (c)
      q = q.where((eb) =>
        eb.or([
          eb('created_at', '<', c.createdAt),
          eb.and([eb('created_at', '=', c.createdAt), eb('email_key', '<', c.id)]),
        ]),
      );
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('email_key', 'desc')
      .limit(page.limit + 1)
      .execute();
    return pageOf(rows.map(toEntry), page.limit, (s) => ({ createdAt: s.createdAt, id: s.emailKey }));
  }

  async purgeExpired(now: string): Promise<number> {
    const r = await this.db
      .deleteFrom('suppressions')
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

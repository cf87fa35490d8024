import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { MailboxMessage, MailboxStore, Page, PageRequest } from '../../core/ports.js';
import { decodeCursor, pageOf } from '../cursor.js';
import { before } from './keyset.js';

export class SqlMailboxStore implements MailboxStore {
  constructor(private readonly db: Kysely<Database>) {}

  async capture(m: MailboxMessage): Promise<void> {
    await this.db
      .insertInto('mailbox')
      .values({
        id: m.id,
        tenant_id: m.tenantId,
        to_address: m.to,
        from_address: m.from,
        subject: m.subject,
        html: m.html,
        text: m.text,
        created_at: m.createdAt,
      })
      .execute();
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<Omit<MailboxMessage, 'html' | 'text'>>> {
    const c = decodeCursor(page.cursor);
    let q = this.db
      .selectFrom('mailbox')
      .select(['id', 'tenant_id', 'to_address', 'from_address', 'subject', 'created_at'])
      .where('tenant_id', '=', tenantId);
    if (c) q = q.where((eb) => before(eb, c));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
    return pageOf(
      rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, to: r.to_address, from: r.from_address, subject: r.subject, createdAt: r.created_at })),
      page.limit,
      (r) => r,
    );
  }

  async get(tenantId: string, id: string): Promise<MailboxMessage | undefined> {
    const r = await this.db.selectFrom('mailbox').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r
      ? { id: r.id, tenantId: r.tenant_id, to: r.to_address, from: r.from_address, subject: r.subject, html: r.html, text: r.text, createdAt: r.created_at }
      : undefined;
  }

  async clear(tenantId: string): Promise<number> {
    const r = await this.db.deleteFrom('mailbox').where('tenant_id', '=', tenantId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

import type { Kysely } from 'kysely';
import type { Page, PageRequest } from '../../core/ports.js';
import type { SmtpCredentialRecord, SmtpCredentialStore } from '../../core/smtp/ports.js';
import type { Database } from '../schema.js';
import { decodeCursor, pageOf } from '../cursor.js';
import { before } from './keyset.js';

type Row = Database['smtp_credentials'];
const fromRow = (r: Row): SmtpCredentialRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  username: r.username,
  passwordHash: r.password_hash,
  allowedFromDomains: JSON.parse(r.allowed_from_domains) as string[],
  maxRecipientsPerHour: Number(r.max_recipients_per_hour),
  createdAt: r.created_at,
});

export class SqlSmtpCredentialStore implements SmtpCredentialStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(r: SmtpCredentialRecord): Promise<void> {
    await this.db
      .insertInto('smtp_credentials')
      .values({
        id: r.id,
        tenant_id: r.tenantId,
        name: r.name,
        username: r.username,
        password_hash: r.passwordHash,
        allowed_from_domains: JSON.stringify(r.allowedFromDomains),
        max_recipients_per_hour: r.maxRecipientsPerHour,
        created_at: r.createdAt,
      })
      .execute();
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<SmtpCredentialRecord>> {
    const c = decodeCursor(page.cursor);
    let q = this.db.selectFrom('smtp_credentials').selectAll().where('tenant_id', '=', tenantId);
    if (c) q = q.where((eb) => before(eb, c));
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return pageOf(rows.map(fromRow), page.limit, (r) => r);
  }

  async findByUsername(username: string): Promise<SmtpCredentialRecord | undefined> {
    const r = await this.db.selectFrom('smtp_credentials').selectAll().where('username', '=', username).executeTakeFirst();
    return r ? fromRow(r) : undefined;
  }

  async get(id: string): Promise<SmtpCredentialRecord | undefined> {
    const r = await this.db.selectFrom('smtp_credentials').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? fromRow(r) : undefined;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('smtp_credentials').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

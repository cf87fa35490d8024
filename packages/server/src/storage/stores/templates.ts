import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { StoredTemplate, TemplateStore } from '../../core/ports.js';

type Row = Database['email_templates'];
const toTemplate = (r: Row): StoredTemplate => ({
  tenantId: r.tenant_id,
  locale: r.locale,
  templateType: r.template_type,
  subject: r.subject,
  html: r.html,
  text: r.text,
  replyTo: r.reply_to,
  senderName: r.sender_name,
  updatedAt: r.updated_at,
});

export class SqlTemplateStore implements TemplateStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(tenantId: string, locale: string, templateType: string): Promise<StoredTemplate | undefined> {
    const r = await this.db
      .selectFrom('email_templates')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('locale', '=', locale)
      .where('template_type', '=', templateType)
      .executeTakeFirst();
    return r ? toTemplate(r) : undefined;
  }

  async listForTenant(tenantId: string): Promise<StoredTemplate[]> {
    const rows = await this.db.selectFrom('email_templates').selectAll().where('tenant_id', '=', tenantId).execute();
    return rows.map(toTemplate);
  }

  async put(t: StoredTemplate): Promise<void> {
    const values = {
      subject: t.subject,
      html: t.html,
      text: t.text,
      reply_to: t.replyTo,
      sender_name: t.senderName,
      updated_at: t.updatedAt,
    };
    await this.db
      .insertInto('email_templates')
      .values({ tenant_id: t.tenantId, locale: t.locale, template_type: t.templateType, ...values })
      .onConflict((oc) => oc.columns(['tenant_id', 'locale', 'template_type']).doUpdateSet(values))
      .execute();
  }

  async delete(tenantId: string, locale: string, templateType: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('email_templates')
      .where('tenant_id', '=', tenantId)
      .where('locale', '=', locale)
      .where('template_type', '=', templateType)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

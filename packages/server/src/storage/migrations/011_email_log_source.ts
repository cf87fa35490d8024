import type { Kysely } from 'kysely';

/** Where each send came from (SPEC §11: api, experience, account, smtp, integration, test), filterable per tenant. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('email_logs').addColumn('source', 'text', (c) => c.notNull().defaultTo('api')).execute();
  await db.schema.createIndex('email_logs_tenant_source').on('email_logs').columns(['tenant_id', 'source']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('email_logs_tenant_source').execute();
  await db.schema.alterTable('email_logs').dropColumn('source').execute();
}

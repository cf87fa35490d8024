import type { Kysely } from 'kysely';

/** Per-tenant credentials of the SMTP submission listener (SPEC §18). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('smtp_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    // SHA-256 of the generated password: it is random and long, so a fast hash is enough
    // and a connection per message stays cheap.
    .addColumn('password_hash', 'text', (c) => c.notNull())
    // JSON list of lower-case domains.
    .addColumn('allowed_from_domains', 'text', (c) => c.notNull())
    .addColumn('max_recipients_per_hour', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('smtp_credentials_tenant').on('smtp_credentials').columns(['tenant_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('smtp_credentials').execute();
}

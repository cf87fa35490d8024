import type { Kysely } from 'kysely';

/**
 * Provider delivery events (SPEC §16): events matched to the email log, the delivery status
 * on each log entry, the per-tenant suppression list, replay keys of accepted webhook
 * requests, and the basic-auth credentials Postern generates for Postmark.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('email_logs').addColumn('delivery_status', 'text').execute();
  await db.schema
    .createIndex('email_logs_provider_message')
    .on('email_logs')
    .columns(['tenant_id', 'provider_message_id'])
    .execute();
  await db.schema
    .createTable('email_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('email_log_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('bounce_type', 'text')
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('email_events_dedupe', ['tenant_id', 'dedupe_key'])
    .execute();
  await db.schema
    .createIndex('email_events_log')
    .on('email_events')
    .columns(['tenant_id', 'email_log_id', 'occurred_at'])
    .execute();
  await db.schema.createIndex('email_events_created').on('email_events').columns(['created_at']).execute();
  await db.schema
    .createTable('suppressions')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('email_key', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addPrimaryKeyConstraint('suppressions_pk', ['tenant_id', 'email_key'])
    .execute();
  await db.schema
    .createIndex('suppressions_tenant_created')
    .on('suppressions')
    .columns(['tenant_id', 'created_at', 'email_key'])
    .execute();
  await db.schema
    .createTable('webhook_receipts')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('factory_id', 'text', (c) => c.notNull())
    .addColumn('replay_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_receipts_pk', ['tenant_id', 'factory_id', 'replay_key'])
    .execute();
  await db.schema.createIndex('webhook_receipts_created').on('webhook_receipts').columns(['created_at']).execute();
  await db.schema
    .createTable('event_credentials')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('password_hint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_credentials_pk', ['tenant_id', 'connector_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['event_credentials', 'webhook_receipts', 'suppressions', 'email_events'])
    await db.schema.dropTable(t).execute();
  await db.schema.dropIndex('email_logs_provider_message').execute();
  await db.schema.alterTable('email_logs').dropColumn('delivery_status').execute();
}

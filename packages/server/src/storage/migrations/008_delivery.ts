import type { Kysely } from 'kysely';

/** Each connector a send tried (primary, fallback), for the email log (SPEC §11, §15); indexes for retention. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('email_logs').addColumn('attempt_log', 'text').execute();
  // Retention deletes the oldest logs and mailbox messages of every tenant by age.
  await db.schema.createIndex('email_logs_created').on('email_logs').column('created_at').execute();
  await db.schema.createIndex('mailbox_created').on('mailbox').column('created_at').execute();
  await db.schema.createIndex('rate_limits_expire').on('rate_limits').column('expire').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('rate_limits_expire').execute();
  await db.schema.dropIndex('mailbox_created').execute();
  await db.schema.dropIndex('email_logs_created').execute();
  await db.schema.alterTable('email_logs').dropColumn('attempt_log').execute();
}

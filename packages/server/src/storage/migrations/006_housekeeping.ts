import type { Kysely } from 'kysely';

/** The purge of expired refresh tokens reads them by expiry. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('refresh_tokens_expires').on('refresh_tokens').columns(['expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('refresh_tokens_expires').execute();
}

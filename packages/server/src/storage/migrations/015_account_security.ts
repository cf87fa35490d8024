import type { Kysely } from 'kysely';

/**
 * The devices an account has signed in from (SPEC §19: the new-sign-in notice). A device is
 * the long-lived `postern_device` cookie of the hosted pages; only its SHA-256 is stored.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user_devices')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_devices_pk', ['tenant_id', 'user_id', 'device_hash'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('user_devices').execute();
}

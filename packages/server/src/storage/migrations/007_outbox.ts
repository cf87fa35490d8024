import type { Kysely } from 'kysely';

/**
 * The outbox (SPEC §15): every email except a connector test send is written here in the
 * same transaction as the code or invitation that needs it, then attempted. Rows are claimed
 * with a lease; an expired lease is taken over by any instance.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('template_type', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    // The send request (recipient, template, variables with the code), encrypted with the
    // keyring and bound to the row: the code is never stored in clear.
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('guard_kind', 'text')
    .addColumn('guard_id', 'text')
    .addColumn('guard_hash', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('not_after', 'text', (c) => c.notNull())
    .addColumn('last_error_code', 'text')
    .addColumn('last_error_message', 'text')
    .addColumn('provider_message_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_lease').on('outbox').columns(['state', 'lease_until']).execute();
  await db.schema
    .createIndex('outbox_tenant_state')
    .on('outbox')
    .columns(['tenant_id', 'state', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('outbox_finished').on('outbox').columns(['finished_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('outbox').execute();
}

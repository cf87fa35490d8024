import { sql, type Kysely } from 'kysely';

/**
 * The outbox's lookup indexes cover only the rows they serve (issue 16): the due index the
 * queued rows, the lease index the rows being sent, the finished index the finished rows
 * (retention). Finished rows are nearly all of the table and are never looked up by state or
 * lease, yet every send used to add and move their entries in all three indexes; now a send
 * touches one entry in the lease index on the way in and one in the finished index on the
 * way out. Measured with `bench/outbox-sql.mjs`: about 30–40 µs less SQLite CPU per send.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_due').execute();
  await db.schema.dropIndex('outbox_lease').execute();
  await db.schema.dropIndex('outbox_finished').execute();
  await db.schema.createIndex('outbox_due').on('outbox').column('next_attempt_at').where(sql.ref('state'), '=', 'queued').execute();
  await db.schema.createIndex('outbox_lease').on('outbox').column('lease_until').where(sql.ref('state'), '=', 'sending').execute();
  await db.schema.createIndex('outbox_finished').on('outbox').column('finished_at').where(sql.ref('finished_at'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_due').execute();
  await db.schema.dropIndex('outbox_lease').execute();
  await db.schema.dropIndex('outbox_finished').execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_lease').on('outbox').columns(['state', 'lease_until']).execute();
  await db.schema.createIndex('outbox_finished').on('outbox').columns(['finished_at']).execute();
}

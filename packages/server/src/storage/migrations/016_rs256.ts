import { sql, type Kysely } from 'kysely';

/**
 * RS256 ID tokens (SPEC §17, issue 19): a signing key has an algorithm (a tenant has one
 * current key per algorithm), a demoted key is published until `retire_at` (when the last
 * token it signed has expired), and an application chooses the algorithm of its ID tokens.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('signing_keys').addColumn('alg', 'text', (c) => c.notNull().defaultTo('ES256')).execute();
  // Null for keys demoted before this migration: they stay published until the next rotation.
  await db.schema.alterTable('signing_keys').addColumn('retire_at', 'text').execute();
  await db.schema.dropIndex('signing_keys_one_current').execute();
  await db.schema
    .createIndex('signing_keys_one_current')
    .unique()
    .on('signing_keys')
    .columns(['tenant_id', 'alg'])
    .where(sql.ref('status'), '=', 'current')
    .execute();
  await db.schema
    .alterTable('applications')
    .addColumn('id_token_signed_response_alg', 'text', (c) => c.notNull().defaultTo('ES256'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('applications').dropColumn('id_token_signed_response_alg').execute();
  await db.deleteFrom('signing_keys').where('alg', '<>', 'ES256').execute();
  await db.schema.dropIndex('signing_keys_one_current').execute();
  await db.schema
    .createIndex('signing_keys_one_current')
    .unique()
    .on('signing_keys')
    .column('tenant_id')
    .where(sql.ref('status'), '=', 'current')
    .execute();
  await db.schema.alterTable('signing_keys').dropColumn('retire_at').execute();
  await db.schema.alterTable('signing_keys').dropColumn('alg').execute();
}

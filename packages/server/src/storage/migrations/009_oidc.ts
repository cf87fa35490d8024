import type { Kysely } from 'kysely';

/** Applications (OIDC clients) and the OpenID Provider's own records (SPEC §17). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('redirect_uris', 'text', (c) => c.notNull())
    .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull())
    .addColumn('cors_origins', 'text', (c) => c.notNull())
    .addColumn('logo_url', 'text')
    // The client secret of a `traditional` application, encrypted with the Keyring
    // (oidc-provider compares it, and client_secret_jwt needs it as an HMAC key).
    .addColumn('client_secret', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('applications_tenant_created')
    .on('applications')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();

  // oidc-provider's adapter: one row per stored model instance (sessions, codes, tokens…),
  // keyed by tenant, model and the provider's id. Payloads are JSON; tokens are stored by
  // their id (the provider never hands the adapter a bearer value other than that id).
  await db.schema
    .createTable('oidc_payloads')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('user_code', 'text')
    .addColumn('uid', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('consumed_at', 'text')
    .addPrimaryKeyConstraint('oidc_payloads_pk', ['tenant_id', 'model', 'id'])
    .execute();
  await db.schema.createIndex('oidc_payloads_grant').on('oidc_payloads').columns(['tenant_id', 'grant_id']).execute();
  await db.schema.createIndex('oidc_payloads_uid').on('oidc_payloads').columns(['tenant_id', 'model', 'uid']).execute();
  await db.schema.createIndex('oidc_payloads_expires').on('oidc_payloads').columns(['expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('oidc_payloads').execute();
  await db.schema.dropTable('applications').execute();
}

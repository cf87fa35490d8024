import type { Kysely } from 'kysely';

/** Users, sessions, signing keys, organizations and invitations (filled in by the identity work). */
export async function up(_db: Kysely<any>): Promise<void> {}

export async function down(_db: Kysely<any>): Promise<void> {}

import type { Kysely } from 'kysely';
import type { Database } from '../../schema.js';
import type { SigningKey, SigningKeyStore } from '../../../core/identity/ports.js';
import { isUniqueViolation } from '../unique.js';

export class SqlSigningKeyStore implements SigningKeyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async published(tenantId: string): Promise<SigningKey[]> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().where('tenant_id', '=', tenantId).where('status', 'in', ['current', 'previous']).orderBy('created_at', 'desc').execute();
    return rows
      .map((r) => ({ kid: r.kid, tenantId: r.tenant_id, status: r.status as 'current' | 'previous', publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>, privateJwk: r.private_jwk, createdAt: r.created_at }))
      .sort((a, b) => (a.status === b.status ? 0 : a.status === 'current' ? -1 : 1));
  }

  private values(k: SigningKey) {
    return { kid: k.kid, tenant_id: k.tenantId, status: 'current' as const, public_jwk: JSON.stringify(k.publicJwk), private_jwk: k.privateJwk, created_at: k.createdAt };
  }

  async insertFirst(k: SigningKey): Promise<boolean> {
    try {
      await this.db.insertInto('signing_keys').values(this.values(k)).execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async rotate(k: SigningKey): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('signing_keys').set({ status: 'retired' }).where('tenant_id', '=', k.tenantId).where('status', '=', 'previous').execute();
      await trx.updateTable('signing_keys').set({ status: 'previous' }).where('tenant_id', '=', k.tenantId).where('status', '=', 'current').execute();
      await trx.insertInto('signing_keys').values(this.values(k)).execute();
    });
  }
}

import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../schema.js';
import type { SigningKey, SigningKeyStore } from '../../../core/identity/ports.js';
import type { SigningKeysTable } from './tables.js';
import { isUniqueViolation } from '../unique.js';

const toKey = (r: Selectable<SigningKeysTable>): SigningKey => ({
  kid: r.kid,
  tenantId: r.tenant_id,
  alg: r.alg,
  status: r.status as 'current' | 'previous',
  publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>,
  privateJwk: r.private_jwk,
  createdAt: r.created_at,
  retireAt: r.retire_at,
});

export class SqlSigningKeyStore implements SigningKeyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async published(tenantId: string, now: string): Promise<SigningKey[]> {
    const rows = await this.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'current'),
          eb.and([eb('status', '=', 'previous'), eb.or([eb('retire_at', 'is', null), eb('retire_at', '>', now)])]),
        ]),
      )
      .orderBy('created_at', 'desc')
      .orderBy('kid')
      .execute();
    return rows.map(toKey).sort((a, b) => (a.status === b.status ? 0 : a.status === 'current' ? -1 : 1));
  }

  private values(k: SigningKey) {
    return {
      kid: k.kid,
      tenant_id: k.tenantId,
      alg: k.alg,
      status: 'current' as const,
      retire_at: null,
      public_jwk: JSON.stringify(k.publicJwk),
      private_jwk: k.privateJwk,
      created_at: k.createdAt,
    };
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

  async rotate(k: SigningKey, retireAt: string, now: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const mine = trx
        .updateTable('signing_keys')
        .where('tenant_id', '=', k.tenantId)
        .where('alg', '=', k.alg);
      await mine
        .set({ status: 'retired' })
        .where('status', '=', 'previous')
        .where((eb) => eb.or([eb('retire_at', 'is', null), eb('retire_at', '<=', now)]))
        .execute();
      await mine.set({ status: 'previous', retire_at: retireAt }).where('status', '=', 'current').execute();
      await trx.insertInto('signing_keys').values(this.values(k)).execute();
    });
  }
}

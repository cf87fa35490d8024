import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { DkimKey, DkimKeyStore } from '../../core/ports.js';
import type { Keyring } from '../../lib/crypto.js';
import { isUniqueViolation } from './unique.js';

type Row = Database['dkim_keys'];
const toKey = (r: Row): DkimKey => ({ id: r.id, tenantId: r.tenant_id, domain: r.domain, selector: r.selector, publicKeyPem: r.public_key, createdAt: r.created_at });

export class SqlDkimKeyStore implements DkimKeyStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyring: Keyring,
  ) {}

  async create(k: DkimKey, privateKeyPem: string): Promise<boolean> {
    try {
      await this.db
        .insertInto('dkim_keys')
        .values({ id: k.id, tenant_id: k.tenantId, domain: k.domain, selector: k.selector, private_key: this.keyring.encrypt(privateKeyPem, `dkim/${k.tenantId}/${k.id}`), public_key: k.publicKeyPem, created_at: k.createdAt })
        .execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async list(tenantId: string): Promise<DkimKey[]> {
    const rows = await this.db.selectFrom('dkim_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').execute();
    return rows.map(toKey);
  }

  async get(tenantId: string, id: string): Promise<DkimKey | undefined> {
    const r = await this.db.selectFrom('dkim_keys').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r ? toKey(r) : undefined;
  }

  async find(tenantId: string, domain: string, selector: string): Promise<DkimKey | undefined> {
    const r = await this.db.selectFrom('dkim_keys').selectAll().where('tenant_id', '=', tenantId).where('domain', '=', domain).where('selector', '=', selector).executeTakeFirst();
    return r ? toKey(r) : undefined;
  }

  async privateKey(tenantId: string, id: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('dkim_keys').select(['private_key']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r ? this.keyring.decrypt(r.private_key, `dkim/${tenantId}/${id}`) : undefined;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('dkim_keys').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

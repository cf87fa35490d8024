import type { Kysely } from 'kysely';
import type { DeviceStore } from '../../../core/identity/ports.js';
import type { Database } from '../../schema.js';
import './tables.js';

export class SqlDeviceStore implements DeviceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async see(tenantId: string, userId: string, deviceHash: string, at: string): Promise<'first' | 'new' | 'known'> {
    const seen = await this.db
      .updateTable('user_devices')
      .set({ last_seen_at: at })
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where('device_hash', '=', deviceHash)
      .executeTakeFirst();
    if (Number(seen.numUpdatedRows) > 0) return 'known';
    const any = await this.db.selectFrom('user_devices').select('device_hash').where('tenant_id', '=', tenantId).where('user_id', '=', userId).limit(1).executeTakeFirst();
    const r = await this.db
      .insertInto('user_devices')
      .values({ tenant_id: tenantId, user_id: userId, device_hash: deviceHash, created_at: at, last_seen_at: at })
      .onConflict((oc) => oc.columns(['tenant_id', 'user_id', 'device_hash']).doNothing())
      .returning('device_hash')
      .executeTakeFirst();
    // A concurrent sign-in from the same device inserted it first: one of them reports it.
    if (!r) return 'known';
    return any ? 'new' : 'first';
  }
}

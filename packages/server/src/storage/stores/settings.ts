import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { SettingsStore } from '../../core/ports.js';

export class SqlSettingsStore implements SettingsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get<T>(tenantId: string, key: string): Promise<T | undefined> {
    const r = await this.db
      .selectFrom('tenant_settings')
      .select('value')
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .executeTakeFirst();
    return r ? (JSON.parse(r.value) as T) : undefined;
  }

  async put<T>(tenantId: string, key: string, value: T, at: string): Promise<void> {
    const json = JSON.stringify(value);
    await this.db
      .insertInto('tenant_settings')
      .values({ tenant_id: tenantId, key, value: json, updated_at: at })
      .onConflict((oc) => oc.columns(['tenant_id', 'key']).doUpdateSet({ value: json, updated_at: at }))
      .execute();
  }
}

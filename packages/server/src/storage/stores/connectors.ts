import type { Kysely } from 'kysely';
import { deleteConfigPath, getConfigPath, setConfigPath } from '@postern/connector-kit';
import type { Database } from '../schema.js';
import type { ConnectorStore, StoredConnector } from '../../core/ports.js';
import type { Keyring } from '../../lib/crypto.js';
import { isUniqueViolation } from './unique.js';
import { prepare, Prepared } from '../prepared.js';

type Row = Database['connectors'];

/** Splits a config into its public part and its secret fields `{path: value}`. */
function split(config: Record<string, unknown>, paths: readonly string[]) {
  const pub = structuredClone(config);
  const secrets: Record<string, unknown> = {};
  for (const p of paths) {
    const v = getConfigPath(pub, p);
    if (v === undefined) continue;
    secrets[p] = v;
    deleteConfigPath(pub, p);
  }
  return { pub, secrets };
}

function join(pub: Record<string, unknown>, secrets: Record<string, unknown>) {
  const out = structuredClone(pub);
  for (const [p, v] of Object.entries(secrets)) setConfigPath(out, p, v);
  return out;
}

/**
 * Connector configs with their secret fields encrypted (AES-256-GCM, bound to the row by
 * the tenant and connector id as associated data), never stored in clear.
 */
export class SqlConnectorStore implements ConnectorStore {
  private readonly versionQuery;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyring: Keyring,
    private readonly prepared: Prepared = new Prepared(db),
    /** Which of a tenant's connectors this store holds: the primary (`email`) or the fallback (SPEC §15). */
    private readonly kind: 'email' | 'email_fallback' = 'email',
  ) {
    this.versionQuery = prepare((p) => db.selectFrom('connectors').select(['id', 'updated_at']).where('tenant_id', '=', p('tenantId')).where('type', '=', kind));
  }

  private toRow(c: StoredConnector, paths: readonly string[]): Row {
    const { pub, secrets } = split(c.config, paths);
    return {
      id: c.id,
      tenant_id: c.tenantId,
      type: this.kind,
      factory_id: c.factoryId,
      config: JSON.stringify(pub),
      secrets: Object.keys(secrets).length ? this.keyring.encrypt(JSON.stringify(secrets), `${c.tenantId}/${c.id}`) : null,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
    };
  }

  private fromRow(r: Row): StoredConnector {
    const secrets = r.secrets ? (JSON.parse(this.keyring.decrypt(r.secrets, `${r.tenant_id}/${r.id}`)) as Record<string, unknown>) : {};
    return {
      id: r.id,
      tenantId: r.tenant_id,
      type: 'email',
      factoryId: r.factory_id,
      config: join(JSON.parse(r.config) as Record<string, unknown>, secrets),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  async getEmailConnector(tenantId: string): Promise<StoredConnector | undefined> {
    const r = await this.db.selectFrom('connectors').selectAll().where('tenant_id', '=', tenantId).where('type', '=', this.kind).executeTakeFirst();
    return r ? this.fromRow(r) : undefined;
  }

  async get(tenantId: string, id: string): Promise<StoredConnector | undefined> {
    const r = await this.db.selectFrom('connectors').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).where('type', '=', this.kind).executeTakeFirst();
    return r ? this.fromRow(r) : undefined;
  }

  async insertEmailConnector(c: StoredConnector, paths: readonly string[]): Promise<boolean> {
    try {
      await this.db.insertInto('connectors').values(this.toRow(c, paths)).execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async replaceEmailConnector(c: StoredConnector, paths: readonly string[]): Promise<void> {
    const row = this.toRow(c, paths);
    // One statement, so that concurrent replaces cannot both delete and then collide.
    await this.db
      .insertInto('connectors')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'type']).doUpdateSet({
          id: row.id,
          factory_id: row.factory_id,
          config: row.config,
          secrets: row.secrets,
          created_at: row.created_at,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }

  async updateConfig(tenantId: string, id: string, config: Record<string, unknown>, paths: readonly string[], at: string): Promise<boolean> {
    const current = await this.db.selectFrom('connectors').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).where('type', '=', this.kind).executeTakeFirst();
    if (!current) return false;
    const row = this.toRow({ ...this.fromRow(current), config, updatedAt: at }, paths);
    const r = await this.db
      .updateTable('connectors')
      .set({ config: row.config, secrets: row.secrets, updated_at: at })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('connectors').where('tenant_id', '=', tenantId).where('id', '=', id).where('type', '=', this.kind).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async version(tenantId: string): Promise<string | undefined> {
    const r = await this.prepared.first(this.versionQuery, { tenantId });
    return r ? `${r.id}@${r.updated_at}` : undefined;
  }
}

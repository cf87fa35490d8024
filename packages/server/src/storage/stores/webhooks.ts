import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { Dialect } from '../db.js';
import type { Page, PageRequest } from '../../core/ports.js';
import type { WebhookDeliveryRow, WebhookEndpointRow, WebhookStore } from '../../core/webhooks/ports.js';
import { decodeCursor, pageOf } from '../cursor.js';
import { before } from './keyset.js';

/**
 * Webhook endpoints and their deliveries (SPEC §16). Deliveries are claimed like outbox
 * rows: due rows and rows whose lease expired, with `FOR UPDATE SKIP LOCKED` on
 * PostgreSQL, and every change of a claimed row is guarded by its lease owner.
 */
export class SqlWebhookStore implements WebhookStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async insertEndpoint(row: WebhookEndpointRow): Promise<void> {
    await this.db.insertInto('webhook_endpoints').values(row).execute();
  }

  getEndpoint(tenantId: string, id: string): Promise<WebhookEndpointRow | undefined> {
    return this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async listEndpoints(tenantId: string, page: PageRequest): Promise<Page<WebhookEndpointRow>> {
    const c = decodeCursor(page.cursor);
    let q = this.db.selectFrom('webhook_endpoints').selectAll().where('tenant_id', '=', tenantId);
    if (c) q = q.where((eb) => before(eb, c));
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return pageOf(rows, page.limit, (r) => ({ createdAt: r.created_at, id: r.id }));
  }

  enabledEndpoints(tenantId: string): Promise<WebhookEndpointRow[]> {
    return this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('enabled', '=', 1)
      .limit(100)
      .execute();
  }

  async updateEndpoint(
    tenantId: string,
    id: string,
    set: Partial<Omit<WebhookEndpointRow, 'id' | 'tenant_id' | 'created_at'>>,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('webhook_endpoints')
      .set(set)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async deleteEndpoint(tenantId: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('webhook_deliveries')
        .where('tenant_id', '=', tenantId)
        .where('endpoint_id', '=', id)
        .execute();
      const r = await trx
        .deleteFrom('webhook_endpoints')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    });
  }

  async insertDeliveries(rows: readonly WebhookDeliveryRow[]): Promise<void> {
    if (rows.length)
      await this.db
        .insertInto('webhook_deliveries')
        .values([...rows])
        .execute();
  }

  getDelivery(tenantId: string, id: string): Promise<WebhookDeliveryRow | undefined> {
    return this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async listDeliveries(tenantId: string, endpointId: string, page: PageRequest): Promise<Page<WebhookDeliveryRow>> {
    const c = decodeCursor(page.cursor);
    let q = this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('endpoint_id', '=', endpointId);
    if (c) q = q.where((eb) => before(eb, c));
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return pageOf(rows, page.limit, (r) => ({ createdAt: r.created_at, id: r.id }));
  }

  async claim(owner: string, now: string, leaseUntil: string, limit: number): Promise<WebhookDeliveryRow[]> {
    let due = this.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('state', '=', 'sending'), eb('lease_until', '<', now)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .limit(limit);
    if (this.dialect === 'postgres') due = due.forUpdate().skipLocked();
    return this.db
      .updateTable('webhook_deliveries')
      .set({ state: 'sending', lease_owner: owner, lease_until: leaseUntil, updated_at: now })
      .where('id', 'in', due)
      .returningAll()
      .execute();
  }

  async settle(
    id: string,
    owner: string,
    set: Pick<
      WebhookDeliveryRow,
      'state' | 'attempts' | 'next_attempt_at' | 'last_status' | 'last_error' | 'updated_at' | 'finished_at'
    >,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('webhook_deliveries')
      .set({ ...set, lease_owner: null, lease_until: null })
      .where('id', '=', id)
      .where('state', '=', 'sending')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async purge(beforeIso: string, limit: number): Promise<number> {
    const ids = this.db.selectFrom('webhook_deliveries').select('id').where('finished_at', '<', beforeIso).limit(limit);
    const r = await this.db.deleteFrom('webhook_deliveries').where('id', 'in', ids).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type {
  DeliveryStatus,
  EmailEvent,
  EventCredentials,
  NewEmailEvent,
  ProviderEventStore,
} from '../../core/events/ports.js';

/** A later event may only move the status forward: a delivery never hides a bounce. */
const RANK: DeliveryStatus[] = ['delayed', 'delivered', 'bounced', 'complained'];

export class SqlProviderEventStore implements ProviderEventStore {
  constructor(private readonly db: Kysely<Database>) {}

  async findLog(tenantId: string, providerMessageId: string): Promise<{ id: string; to: string } | undefined> {
    const bare = providerMessageId.replace(/^<(.*)>$/, '$1');
    const row = await this.db
      .selectFrom('email_logs')
      .select(['id', 'to_address'])
      .where('tenant_id', '=', tenantId)
      .where('provider_message_id', 'in', [bare, `<${bare}>`])
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return row ? { id: row.id, to: row.to_address } : undefined;
  }

  async record(e: NewEmailEvent): Promise<boolean> {
    const r = await this.db
      .insertInto('email_events')
      .values({
        id: e.id,
        tenant_id: e.tenantId,
        email_log_id: e.emailLogId,
        type: e.type,
        bounce_type: e.bounceType,
        recipient: e.recipient,
        detail: e.detail,
        dedupe_key: e.dedupeKey,
        occurred_at: e.at,
        created_at: e.createdAt,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'dedupe_key']).doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    const lower = RANK.slice(0, RANK.indexOf(e.type) + 1);
    await this.db
      .updateTable('email_logs')
      .set({ delivery_status: e.type })
      .where('tenant_id', '=', e.tenantId)
      .where('id', '=', e.emailLogId)
      .where((eb) => eb.or([eb('delivery_status', 'is', null), eb('delivery_status', 'in', lower)]))
      .execute();
    return true;
  }

  async eventsFor(tenantId: string, emailLogIds: readonly string[]): Promise<Map<string, EmailEvent[]>> {
    const out = new Map<string, EmailEvent[]>();
    if (emailLogIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('email_events')
      .select(['email_log_id', 'type', 'bounce_type', 'recipient', 'detail', 'occurred_at'])
      .where('tenant_id', '=', tenantId)
      .where('email_log_id', 'in', [...emailLogIds])
      .orderBy('occurred_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    for (const r of rows) {
      const list = out.get(r.email_log_id) ?? [];
      list.push({
        type: r.type as DeliveryStatus,
        bounceType: r.bounce_type as EmailEvent['bounceType'],
        recipient: r.recipient,
        detail: r.detail,
        at: r.occurred_at,
      });
      out.set(r.email_log_id, list);
    }
    return out;
  }

  async claimReplay(tenantId: string, factoryId: string, key: string, at: string): Promise<boolean> {
    const r = await this.db
      .insertInto('webhook_receipts')
      .values({ tenant_id: tenantId, factory_id: factoryId, replay_key: key, created_at: at })
      .onConflict((oc) => oc.columns(['tenant_id', 'factory_id', 'replay_key']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async releaseReplay(tenantId: string, factoryId: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('webhook_receipts')
      .where('tenant_id', '=', tenantId)
      .where('factory_id', '=', factoryId)
      .where('replay_key', '=', key)
      .execute();
  }

  async purgeReplays(before: string): Promise<number> {
    const r = await this.db.deleteFrom('webhook_receipts').where('created_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async getCredentials(tenantId: string, connectorId: string): Promise<EventCredentials | undefined> {
    const r = await this.db
      .selectFrom('event_credentials')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('connector_id', '=', connectorId)
      .executeTakeFirst();
    return r
      ? {
          tenantId: r.tenant_id,
          connectorId: r.connector_id,
          username: r.username,
          passwordHash: r.password_hash,
          passwordHint: r.password_hint,
          createdAt: r.created_at,
        }
      : undefined;
  }

  async putCredentials(c: EventCredentials): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('event_credentials').where('tenant_id', '=', c.tenantId).execute();
      await trx
        .insertInto('event_credentials')
        .values({
          tenant_id: c.tenantId,
          connector_id: c.connectorId,
          username: c.username,
          password_hash: c.passwordHash,
          password_hint: c.passwordHint,
          created_at: c.createdAt,
        })
        .execute();
    });
  }
}

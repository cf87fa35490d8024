import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../schema.js';
import type { Page, PageRequest } from '../../../core/ports.js';
import type { Invitation, Member, Organization, OrganizationStore } from '../../../core/identity/ports.js';
import { decodeCursor, pageOf } from '../../cursor.js';
import { before } from '../keyset.js';
import type { OrganizationInvitationsTable } from './tables.js';

const toInvitation = (r: Selectable<OrganizationInvitationsTable>): Invitation => ({
  id: r.id,
  tenantId: r.tenant_id,
  organizationId: r.organization_id,
  email: r.email,
  emailKey: r.email_key,
  inviterId: r.inviter_id,
  tokenHash: r.token_hash,
  status: r.status,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class SqlOrganizationStore implements OrganizationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(o: Organization): Promise<void> {
    await this.db.insertInto('organizations').values({ id: o.id, tenant_id: o.tenantId, name: o.name, created_at: o.createdAt }).execute();
  }

  async get(tenantId: string, id: string): Promise<Organization | undefined> {
    const r = await this.db.selectFrom('organizations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r ? { id: r.id, tenantId: r.tenant_id, name: r.name, createdAt: r.created_at } : undefined;
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<Organization>> {
    const c = decodeCursor(page.cursor);
    let q = this.db.selectFrom('organizations').selectAll().where('tenant_id', '=', tenantId);
    if (c) q = q.where((eb) => before(eb, c));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
    return pageOf(rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, name: r.name, createdAt: r.created_at })), page.limit, (o) => o);
  }

  async members(tenantId: string, organizationId: string, page: PageRequest): Promise<Page<Member>> {
    const c = decodeCursor(page.cursor);
    let q = this.db
      .selectFrom('organization_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.user_id as id', 'm.created_at as created_at', 'u.email as email', 'u.name as name'])
      .where('m.tenant_id', '=', tenantId)
      .where('m.organization_id', '=', organizationId);
    if (c) q = q.where((eb) => eb.or([eb('m.created_at', '<', c.createdAt), eb.and([eb('m.created_at', '=', c.createdAt), eb('m.user_id', '<', c.id)])]));
    const rows = await q.orderBy('m.created_at', 'desc').orderBy('m.user_id', 'desc').limit(page.limit + 1).execute();
    const p = pageOf(rows, page.limit, (r) => ({ createdAt: r.created_at, id: r.id }));
    return { items: p.items.map((r) => ({ userId: r.id, email: r.email, name: r.name, createdAt: r.created_at })), nextCursor: p.nextCursor };
  }

  async insertInvitation(i: Invitation): Promise<void> {
    await this.db
      .insertInto('organization_invitations')
      .values({ id: i.id, tenant_id: i.tenantId, organization_id: i.organizationId, email: i.email, email_key: i.emailKey, inviter_id: i.inviterId, token_hash: i.tokenHash, status: i.status, expires_at: i.expiresAt, created_at: i.createdAt, updated_at: i.updatedAt })
      .execute();
  }

  async deleteInvitation(tenantId: string, id: string): Promise<void> {
    await this.db.deleteFrom('organization_invitations').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }

  async getInvitation(tenantId: string, id: string): Promise<Invitation | undefined> {
    const r = await this.db.selectFrom('organization_invitations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r ? toInvitation(r) : undefined;
  }

  async findInvitationByHash(tenantId: string, tokenHash: string): Promise<Invitation | undefined> {
    const r = await this.db.selectFrom('organization_invitations').selectAll().where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash).executeTakeFirst();
    return r ? toInvitation(r) : undefined;
  }

  async listInvitations(tenantId: string, organizationId: string, page: PageRequest): Promise<Page<Invitation>> {
    const c = decodeCursor(page.cursor);
    let q = this.db.selectFrom('organization_invitations').selectAll().where('tenant_id', '=', tenantId).where('organization_id', '=', organizationId);
    if (c) q = q.where((eb) => before(eb, c));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
    return pageOf(rows.map(toInvitation), page.limit, (i) => i);
  }

  async replaceInvitationToken(tenantId: string, id: string, tokenHash: string, at: string): Promise<boolean> {
    const r = await this.db.updateTable('organization_invitations').set({ token_hash: tokenHash, updated_at: at }).where('tenant_id', '=', tenantId).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async revokeInvitation(tenantId: string, id: string, at: string): Promise<boolean> {
    const r = await this.db.updateTable('organization_invitations').set({ status: 'revoked', updated_at: at }).where('tenant_id', '=', tenantId).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async acceptInvitation(tenantId: string, id: string, userId: string, at: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const inv = await trx.updateTable('organization_invitations').set({ status: 'accepted', updated_at: at }).where('tenant_id', '=', tenantId).where('id', '=', id).where('status', '=', 'pending').where('expires_at', '>', at).executeTakeFirst();
      if (Number(inv.numUpdatedRows) !== 1) return false;
      const row = await trx.selectFrom('organization_invitations').select('organization_id').where('id', '=', id).executeTakeFirstOrThrow();
      await trx
        .insertInto('organization_members')
        .values({ organization_id: row.organization_id, user_id: userId, tenant_id: tenantId, created_at: at })
        .onConflict((oc) => oc.columns(['organization_id', 'user_id']).doNothing())
        .execute();
      return true;
    });
  }
}

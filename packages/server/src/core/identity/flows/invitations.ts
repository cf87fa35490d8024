import { randomBytes, randomUUID } from 'node:crypto';
import { sha256Hex } from '../../../lib/crypto.js';
import { normalizeEmail } from '../../email-address.js';
import { AppError } from '../../errors.js';
import type { Page, PageRequest } from '../../ports.js';
import { nowIso, type Caller, type IdentityDeps } from '../context.js';
import type { IdentityStores, Invitation, Organization } from '../ports.js';
import type { SendRequest } from '../../delivery/sender.js';
import type { AccessClaims } from '../tokens.js';

export const DEFAULT_INVITATION_SECONDS = 7 * 24 * 3600;

export interface InvitationView {
  id: string;
  organizationId: string;
  email: string;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  inviterId: string | null;
  expiresAt: string;
  createdAt: string;
}

const newToken = () => {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: sha256Hex(token) };
};

/**
 * Organization invitations (SPEC §10). The token is random, stored hashed, and the link is
 * built from POSTERN_PUBLIC_URL only, never from the request's Host.
 */
export class InvitationFlows {
  constructor(private readonly d: IdentityDeps) {}

  link(tenantId: string, token: string): string {
    return `${this.d.publicUrl}${tenantId === 'default' ? '' : `/t/${encodeURIComponent(tenantId)}`}/invitation/${token}`;
  }

  view(inv: Invitation): InvitationView {
    const expired = inv.status === 'pending' && inv.expiresAt <= nowIso(this.d);
    return { id: inv.id, organizationId: inv.organizationId, email: inv.email, status: expired ? 'expired' : inv.status, inviterId: inv.inviterId, expiresAt: inv.expiresAt, createdAt: inv.createdAt };
  }

  async organization(tenantId: string, id: string): Promise<Organization> {
    const org = await this.d.stores.organizations.get(tenantId, id);
    if (!org) throw new AppError('organization.not_found');
    return org;
  }

  private async request(c: Caller, org: Organization, inv: Invitation, token: string): Promise<SendRequest> {
    const inviter = inv.inviterId ? await this.d.stores.users.get(c.tenant.id, inv.inviterId) : undefined;
    return {
      tenantId: c.tenant.id,
      to: inv.email,
      templateType: 'OrganizationInvitation',
      locale: c.locale,
      acceptLanguage: c.acceptLanguage,
      variables: {
        link: this.link(c.tenant.id, token),
        organization: { id: org.id, name: org.name },
        ...(inviter ? { inviter: { name: inviter.name ?? '', email: inviter.email ?? '' } } : {}),
        expiresInMinutes: Math.max(1, Math.round((Date.parse(inv.expiresAt) - this.d.clock.now().getTime()) / 60_000)),
      },
      ip: c.ip,
    };
  }

  /**
   * Writes the invitation change (`work`) and the message in one transaction, then delivers
   * while the caller waits; throws the connector error when the delivery failed.
   */
  private async sendDurably(c: Caller, org: Organization, inv: Invitation, token: string, tokenHash: string, work: (stores: IdentityStores) => Promise<void>): Promise<void> {
    const request = await this.request(c, org, inv, token);
    const mail = this.d.mail;
    if (!mail) {
      await work(this.d.stores);
      const out = await this.d.sender.send(request);
      if (!out.ok) throw out.error ?? new AppError('connector.delivery_failed');
      return;
    }
    const pending = mail.outbox.prepare({ request, source: 'api', guard: { kind: 'invitation', id: inv.id, hash: tokenHash }, notAfter: mail.outbox.codelessNotAfter(inv.expiresAt) });
    await mail.transaction(pending.row, work);
    const out = await mail.outbox.deliverNow(pending);
    if (!out.ok) throw out.error ?? new AppError('connector.delivery_failed');
  }

  /** Creates and sends an invitation; a failed send rolls it back and throws the connector error. */
  async invite(c: Caller, organizationId: string, input: { email: string; inviterId?: string | undefined; expiresInSeconds?: number | undefined }): Promise<InvitationView & { link: string }> {
    const org = await this.organization(c.tenant.id, organizationId);
    const addr = normalizeEmail(input.email);
    if (input.inviterId && !(await this.d.stores.users.get(c.tenant.id, input.inviterId))) throw new AppError('user.not_found', 'No user with the inviterId.');
    const now = this.d.clock.now();
    const { token, hash } = newToken();
    const inv: Invitation = {
      id: randomUUID(),
      tenantId: c.tenant.id,
      organizationId: org.id,
      email: addr.address,
      emailKey: addr.key,
      inviterId: input.inviterId ?? null,
      tokenHash: hash,
      status: 'pending',
      expiresAt: new Date(now.getTime() + (input.expiresInSeconds ?? DEFAULT_INVITATION_SECONDS) * 1000).toISOString(),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    try {
      await this.sendDurably(c, org, inv, token, hash, (stores) => stores.organizations.insertInvitation(inv));
    } catch (err) {
      await this.d.stores.organizations.deleteInvitation(c.tenant.id, inv.id);
      throw err;
    }
    return { ...this.view(inv), link: this.link(c.tenant.id, token) };
  }

  private async pending(tenantId: string, id: string): Promise<Invitation> {
    const inv = await this.d.stores.organizations.getInvitation(tenantId, id);
    if (!inv) throw new AppError('invitation.not_found');
    if (this.view(inv).status !== 'pending') throw new AppError('invitation.not_pending');
    return inv;
  }

  /** Sends a fresh link (the old one dies: only the hash of a token is kept); a failed send keeps the old link. */
  async resend(c: Caller, id: string): Promise<InvitationView & { link: string }> {
    const inv = await this.pending(c.tenant.id, id);
    const org = await this.organization(c.tenant.id, inv.organizationId);
    const { token, hash } = newToken();
    try {
      await this.sendDurably(c, org, inv, token, hash, async (stores) => {
        if (!(await stores.organizations.replaceInvitationToken(c.tenant.id, id, hash, nowIso(this.d)))) throw new AppError('invitation.not_pending');
      });
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'invitation.not_pending')) await this.d.stores.organizations.replaceInvitationToken(c.tenant.id, id, inv.tokenHash, nowIso(this.d));
      throw err;
    }
    return { ...this.view(inv), link: this.link(c.tenant.id, token) };
  }

  async revoke(tenantId: string, id: string): Promise<void> {
    await this.pending(tenantId, id);
    if (!(await this.d.stores.organizations.revokeInvitation(tenantId, id, nowIso(this.d)))) throw new AppError('invitation.not_pending');
  }

  async list(tenantId: string, organizationId: string, page: PageRequest): Promise<Page<InvitationView>> {
    await this.organization(tenantId, organizationId);
    const p = await this.d.stores.organizations.listInvitations(tenantId, organizationId, page);
    return { items: p.items.map((i) => this.view(i)), nextCursor: p.nextCursor };
  }

  private async byToken(tenantId: string, token: string): Promise<Invitation> {
    const inv = token.length <= 100 ? await this.d.stores.organizations.findInvitationByHash(tenantId, sha256Hex(token)) : undefined;
    if (!inv) throw new AppError('invitation.not_found');
    return inv;
  }

  /** `GET /api/invitations/:token`: read only, so link scanners that fetch it change nothing. */
  async lookup(tenantId: string, token: string): Promise<{ organization: { name: string }; email: string; status: InvitationView['status']; expiresAt: string }> {
    const inv = await this.byToken(tenantId, token);
    const org = await this.organization(tenantId, inv.organizationId);
    const v = this.view(inv);
    return { organization: { name: org.name }, email: v.email, status: v.status, expiresAt: v.expiresAt };
  }

  /** `POST /api/invitations/:token/accept` with the invitee's access token. */
  async accept(tenantId: string, token: string, who: AccessClaims): Promise<{ organization: { id: string; name: string }; userId: string; status: 'accepted' }> {
    const inv = await this.byToken(tenantId, token);
    if (this.view(inv).status !== 'pending') throw new AppError('invitation.not_pending');
    const user = await this.d.stores.users.get(tenantId, who.sub);
    if (!user) throw new AppError('account.unauthorized');
    if (!user.emailVerified || user.emailKey !== inv.emailKey) throw new AppError('invitation.email_mismatch', 'Sign in with the verified email address the invitation was sent to.');
    if (!(await this.d.stores.organizations.acceptInvitation(tenantId, inv.id, user.id, nowIso(this.d)))) throw new AppError('invitation.not_pending');
    const org = await this.organization(tenantId, inv.organizationId);
    return { organization: { id: org.id, name: org.name }, userId: user.id, status: 'accepted' };
  }
}

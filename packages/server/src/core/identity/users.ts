import { randomUUID } from 'node:crypto';
import { normalizeEmail } from '../email-address.js';
import { AppError } from '../errors.js';
import type { Page, PageRequest, Tenant } from '../ports.js';
import { checkPasswordPolicy } from './passwords.js';
import { emitUserEvent, methodDisabled, nowIso, PURPOSES, publicUser, type IdentityDeps, type PublicUser } from './context.js';
import type { SessionInfo, UserChanges } from './ports.js';

export interface CreateUserInput {
  email: string;
  password?: string | undefined;
  name?: string | undefined;
}
export interface PatchUserInput {
  email?: string | undefined;
  password?: string | null | undefined;
  name?: string | null | undefined;
}

/** Management of users (SPEC §10): the admin side of the same accounts the flows use. */
export class UserService {
  constructor(private readonly d: IdentityDeps) {}

  async create(tenantId: string, input: CreateUserInput): Promise<PublicUser> {
    const addr = normalizeEmail(input.email);
    if (input.password !== undefined) checkPasswordPolicy(input.password, (await this.d.signInExperience.get(tenantId)).passwordPolicy);
    const now = nowIso(this.d);
    const user = {
      id: randomUUID(),
      tenantId,
      email: addr.address,
      emailKey: addr.key,
      emailVerified: false,
      name: input.name ?? null,
      passwordHash: input.password !== undefined ? await this.d.passwords.hash(input.password) : null,
      mfaEmail: false,
      createdAt: now,
      updatedAt: now,
    };
    if (!(await this.d.stores.users.create(user))) throw new AppError('user.email_exists');
    await emitUserEvent(this.d, 'user.created', user, { via: 'api' });
    return publicUser(user);
  }

  async get(tenantId: string, id: string): Promise<PublicUser> {
    const u = await this.d.stores.users.get(tenantId, id);
    if (!u) throw new AppError('user.not_found');
    return publicUser(u);
  }

  async list(tenantId: string, search: string | undefined, page: PageRequest): Promise<Page<PublicUser>> {
    const p = await this.d.stores.users.list(tenantId, search?.trim() || undefined, page);
    return { items: p.items.map(publicUser), nextCursor: p.nextCursor };
  }

  /** JSON Merge Patch of `email`, `name`, `password` (null removes the name or the password). */
  async patch(tenantId: string, id: string, input: PatchUserInput): Promise<PublicUser> {
    const existing = await this.d.stores.users.get(tenantId, id);
    if (!existing) throw new AppError('user.not_found');
    const changes: UserChanges = {};
    if (input.email !== undefined) {
      const addr = normalizeEmail(input.email);
      if (addr.key !== existing.emailKey || addr.address !== existing.email) {
        Object.assign(changes, { email: addr.address, emailKey: addr.key });
        if (addr.key !== existing.emailKey) changes.emailVerified = false;
      }
    }
    if (input.name !== undefined) changes.name = input.name;
    if (input.password === null) changes.passwordHash = null;
    else if (input.password !== undefined) {
      checkPasswordPolicy(input.password, (await this.d.signInExperience.get(tenantId)).passwordPolicy);
      changes.passwordHash = await this.d.passwords.hash(input.password);
    }
    const r = await this.d.stores.users.update(tenantId, id, changes, nowIso(this.d));
    if (r === 'email_exists') throw new AppError('user.email_exists');
    if (!r) throw new AppError('user.not_found');
    if (changes.passwordHash !== undefined) await this.d.tokens.revokeUser(tenantId, id);
    if (changes.passwordHash !== undefined || changes.email !== undefined) {
      const changed = await this.d.stores.users.get(tenantId, id);
      if (changed && changes.passwordHash !== undefined) await emitUserEvent(this.d, 'user.password_changed', changed, { via: 'api' });
      if (changed && changes.email !== undefined) await emitUserEvent(this.d, 'user.email_changed', changed, { previousEmail: existing.email, via: 'api' });
    }
    return this.get(tenantId, id);
  }

  /** The user's live sessions (SPEC §14: the console's user page). */
  async sessions(tenantId: string, id: string): Promise<SessionInfo[]> {
    await this.get(tenantId, id);
    return this.d.tokens.sessionsOf(tenantId, id);
  }

  /** Signs the user out everywhere: every session's refresh tokens are revoked; resolves how many sessions ended. */
  async revokeSessions(tenantId: string, id: string): Promise<number> {
    await this.get(tenantId, id);
    const live = await this.d.tokens.sessionsOf(tenantId, id);
    await this.d.tokens.revokeUser(tenantId, id);
    return live.length;
  }

  async revokeSession(tenantId: string, id: string, sessionId: string): Promise<void> {
    await this.get(tenantId, id);
    if (!(await this.d.tokens.revokeSession(tenantId, id, sessionId))) throw new AppError('session.not_found');
  }

  /**
   * Sends the user the ForgotPassword message an end user would get from the hosted page,
   * with a link to that page open at the code step (SPEC §14: the console's user page).
   * The code is one of the forgot-password flow, so it is spent where the user's own is.
   */
  async sendPasswordReset(tenant: Tenant, id: string): Promise<{ to: string; expiresAt: string }> {
    const u = await this.d.stores.users.get(tenant.id, id);
    if (!u) throw new AppError('user.not_found');
    if (!u.email || !u.emailKey) throw new AppError('user.no_email', 'This user has no email address, so no reset can be sent. Add an email address to the user first.');
    // The page that takes the code refuses when password reset is off: say so before sending.
    if (!(await this.d.signInExperience.get(tenant.id)).forgotPassword.email) throw methodDisabled('Password reset by email');
    const prefix = tenant.id === 'default' ? '' : `/t/${encodeURIComponent(tenant.id)}`;
    const email = u.email;
    const r = await this.d.codes.issue({
      tenant,
      email: { address: email, key: u.emailKey },
      ...PURPOSES.forgotPassword,
      source: 'api',
      pageLink: (verificationId) => `${this.d.publicUrl}${prefix}/forgot-password?${new URLSearchParams({ email, verificationId }).toString()}`,
    });
    return { to: email, expiresAt: r.expiresAt };
  }

  async delete(tenantId: string, id: string): Promise<void> {
    const u = await this.d.stores.users.get(tenantId, id);
    if (!u || !(await this.d.stores.users.delete(tenantId, id))) throw new AppError('user.not_found');
    if (u.emailKey) await this.d.codes.revokeAll(tenantId, u.emailKey);
  }
}

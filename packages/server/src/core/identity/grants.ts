import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../lib/crypto.js';
import type { Clock } from '../ports.js';
import type { Grant, GrantKind, GrantStore } from './ports.js';

/** Every grant (mfaToken, registrationToken, identity verification) lives 10 minutes. */
export const GRANT_TTL_SECONDS = 600;

const PREFIX: Record<GrantKind, string> = { mfa: 'pmfa_', registration: 'preg_', identity: 'pidv_' };

/**
 * Short-lived opaque tokens: random, stored only as a SHA-256 hash, bound to a tenant and
 * a kind. They are deliberately not JWTs, so no app can mistake one for an access token.
 */
export class Grants {
  constructor(
    private readonly store: GrantStore,
    private readonly clock: Clock,
  ) {}

  async issue(tenantId: string, kind: GrantKind, fields: { userId?: string; email?: string; emailKey?: string; data?: Record<string, unknown> }): Promise<{ token: string; expiresAt: string }> {
    const token = `${PREFIX[kind]}${randomBytes(32).toString('base64url')}`;
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + GRANT_TTL_SECONDS * 1000).toISOString();
    await this.store.insert({ tokenHash: sha256Hex(token), tenantId, kind, userId: fields.userId ?? null, email: fields.email ?? null, emailKey: fields.emailKey ?? null, data: fields.data ?? null, expiresAt, createdAt: now.toISOString() });
    return { token, expiresAt };
  }

  find(tenantId: string, kind: GrantKind, token: string): Promise<Grant | undefined> {
    if (!token.startsWith(PREFIX[kind]) || token.length > 200) return Promise.resolve(undefined);
    return this.store.find(tenantId, kind, sha256Hex(token), this.clock.now().toISOString());
  }

  consume(tenantId: string, kind: GrantKind, token: string): Promise<boolean> {
    return this.store.consume(tenantId, kind, sha256Hex(token), this.clock.now().toISOString());
  }

  revokeUser(tenantId: string, userId: string): Promise<void> {
    return this.store.revokeUser(tenantId, userId, this.clock.now().toISOString());
  }
}
